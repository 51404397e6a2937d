"""Overhead of a trivial recorded in-process run, against floors measured in the same process.

The run: ``runlab.new_function(name="bench", kind="local")`` and a handler taking 3 params and logging
2 results, ``fn.run(handler=handler, params={"a": 1, "b": 2, "c": 3})``. 200 warm-up runs, then 2,000
runs timed one by one (``time.perf_counter_ns``): median, p90, p99 and mean in µs.

Floors: (a) a bare call of the handler with a dummy context (median of 100,000 calls); (b) one raw
``sqlite3`` INSERT + COMMIT of a small row into a WAL database with ``synchronous=NORMAL`` -- the least a
durably recorded run can cost -- timed in blocks of 100 commits in a row, one block after each block of
100 timed runs (median of 2,000), so both see the same machine while it is shared. Every run must be in the
store at the end.
Targets: median at most 10x the raw commit (b), and under 1 ms (the earlier, machine-dependent target).

    .venv/bin/python benchmarks/bench_run_overhead.py [--strict] [--keep]
"""

from __future__ import annotations

import os
import sqlite3
import time

from _common import fresh_home, median, percentile, ratio_verdict, verdict

WARMUP, TIMED, BARE_CALLS, BLOCK = 200, 2000, 100_000, 100
TARGET_MS = 1.0
MAX_RATIO = 10.0  # the run's median against one raw INSERT + COMMIT
PARAMS = {"a": 1, "b": 2, "c": 3}


class _DummyContext:
    def log_result(self, key, value):
        pass


def handler(context, a, b, c):
    context.log_result("x", a + b)
    context.log_result("y", c)


def bare_call_us(n: int = BARE_CALLS) -> float:
    """Median µs of calling the handler directly with a dummy context."""
    ctx, times, clock = _DummyContext(), [], time.perf_counter_ns
    for _ in range(n):
        start = clock()
        handler(ctx, 1, 2, 3)
        times.append(clock() - start)
    return median(times) / 1000


class RawCommits:
    """One raw INSERT + COMMIT of a small row at a time (WAL, synchronous=NORMAL), as runlab configures SQLite."""

    def __init__(self, home: str) -> None:
        self.conn = sqlite3.connect(os.path.join(home, "raw.db"), isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("CREATE TABLE t (uid TEXT PRIMARY KEY, state TEXT, results TEXT, start_time REAL)")
        self.count = 0

    def time_one(self) -> int:
        """Nanoseconds of one commit."""
        self.count += 1
        start = time.perf_counter_ns()
        self.conn.execute("BEGIN IMMEDIATE")
        self.conn.execute("INSERT INTO t VALUES (?, ?, ?, ?)",
                          (f"{self.count:032x}", "completed", '{"x": 3, "y": 3}', time.time()))
        self.conn.execute("COMMIT")
        return time.perf_counter_ns() - start


def main() -> None:
    home = fresh_home(cleanup=True)
    import runlab

    fn = runlab.new_function(name="bench", kind="local")
    raw_commits = RawCommits(home)
    for _ in range(WARMUP):
        fn.run(handler=handler, params=PARAMS)
        raw_commits.time_one()
    times, raw_times = [], []
    for _ in range(TIMED // BLOCK):
        for _ in range(BLOCK):
            start = time.perf_counter_ns()
            run = fn.run(handler=handler, params=PARAMS)
            times.append(time.perf_counter_ns() - start)
        raw_times.extend(raw_commits.time_one() for _ in range(BLOCK))
    raw_commits.conn.close()
    us = [t / 1000 for t in times]
    run_us, p90, p99 = median(us), percentile(us, 90), percentile(us, 99)
    bare, raw = bare_call_us(), median(raw_times) / 1000

    stored = runlab.get_run_db().store.count_runs()
    last_state, last_outputs = run.state(), run.outputs
    print(f"recorded in-process run ({TIMED} timed after {WARMUP} warm-up): median {run_us:.0f} µs, "
          f"p90 {p90:.0f} µs, p99 {p99:.0f} µs, mean {sum(us) / len(us):.0f} µs, min {min(us):.0f} µs, "
          f"max {max(us):.0f} µs")
    print(f"floor (a) bare handler call: {bare:.3f} µs (median of {BARE_CALLS:,})")
    print(f"floor (b) raw sqlite3 INSERT+COMMIT (WAL, synchronous=NORMAL): {raw:.1f} µs (median of {TIMED:,}, "
          f"{BLOCK} after each {BLOCK} runs)")
    print(f"ratios: run/bare call = {run_us / bare:,.0f}x, run/raw commit = {run_us / raw:.1f}x")
    print(f"runs in the store: {stored} (expected {WARMUP + TIMED}); last run: {last_state}, outputs {last_outputs}")
    problems = []
    if stored != WARMUP + TIMED:
        problems.append(f"{stored} runs stored, expected {WARMUP + TIMED}")
    if last_state != "completed" or last_outputs != {"x": 3, "y": 3}:
        problems.append(f"last run {last_state} with outputs {last_outputs}")
    verdict("in-process run median", run_us / 1000, TARGET_MS, "ms", problems)
    ratio_verdict("in-process run median", run_us, raw, MAX_RATIO, "µs", problems, floor_name="raw commit")


if __name__ == "__main__":
    main()
