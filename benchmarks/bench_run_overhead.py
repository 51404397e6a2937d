"""Overhead of a trivial recorded in-process run (3 params, 2 results), against a bare call and a raw
SQLite insert+commit measured in the same process."""

from __future__ import annotations

import os
import sqlite3
import time

from _common import fresh_home, median, verdict


class _Ctx:
    def log_result(self, key, value):
        pass


def handler(context, a, b, c):
    context.log_result("x", a + b)
    context.log_result("y", c)


def bare_call_us(n: int = 100_000) -> float:
    ctx, times = _Ctx(), []
    for _ in range(n):
        start = time.perf_counter_ns()
        handler(ctx, 1, 2, 3)
        times.append(time.perf_counter_ns() - start)
    return median(times) / 1000


def raw_commit_us(home: str, n: int = 2000) -> float:
    conn = sqlite3.connect(os.path.join(home, "raw.db"), isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("CREATE TABLE t (uid TEXT PRIMARY KEY, state TEXT, results TEXT)")
    times = []
    for i in range(n):
        start = time.perf_counter_ns()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO t VALUES (?, ?, ?)", (f"u{i}", "completed", '{"x": 3, "y": 3}'))
        conn.execute("COMMIT")
        times.append(time.perf_counter_ns() - start)
    return median(times) / 1000


def main() -> None:
    home = fresh_home()
    import runlab

    fn = runlab.new_function(name="bench", kind="local")
    params = {"a": 1, "b": 2, "c": 3}
    for _ in range(200):
        fn.run(handler=handler, params=params)
    times = []
    for _ in range(2000):
        start = time.perf_counter_ns()
        fn.run(handler=handler, params=params)
        times.append(time.perf_counter_ns() - start)
    times.sort()
    run_us = median(times) / 1000
    bare, raw = bare_call_us(), raw_commit_us(home)
    stored = runlab.get_run_db().store.count_runs()
    print(f"recorded run: median {run_us:.0f} µs, p90 {times[1800] / 1000:.0f} µs, p99 {times[1980] / 1000:.0f} µs")
    print(f"floors: bare call {bare:.2f} µs, raw SQLite insert+commit {raw:.1f} µs")
    print(f"ratios: run/bare call = {run_us / bare:.0f}x, run/raw commit = {run_us / raw:.1f}x")
    print(f"runs in the store: {stored} (expected 2200)")
    verdict("in-process run median", run_us / 1000, 1.0, "ms")


if __name__ == "__main__":
    main()
