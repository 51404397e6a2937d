"""``list_runs`` newest-50 for one project over 100,000 stored runs, against a raw SQLite query."""

from __future__ import annotations

import os
import random
import sqlite3
import time
import uuid

from _common import fresh_home, median, verdict

TOTAL, PROJECTS, BATCH = 100_000, 10, 10_000


def fill(store) -> float:
    from runlab.store import schema

    start, rng, now = time.perf_counter(), random.Random(1), time.time() - TOTAL
    with store.engine.connect() as conn:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
        for first in range(0, TOTAL, BATCH):
            rows = []
            for i in range(first, first + BATCH):
                t = now + i
                rows.append({
                    "uid": uuid.uuid4().hex, "iteration": 0, "project": f"p{i % PROJECTS}",
                    "name": f"trainer-{i % 7}", "kind": "job", "state": rng.choice(["completed", "error"]),
                    "labels": {"kind": "job", "team": rng.choice("abc")},
                    "spec": {"parameters": {"lr": rng.random(), "epochs": i % 10}, "inputs": {"data": "/d.csv"}},
                    "results": {"accuracy": rng.random()}, "status": {}, "error": None, "start_time": t,
                    "last_update": t, "end_time": t + 1, "pid": 1, "host": "bench",
                })
            conn.execute(schema.runs.insert(), rows)
        conn.exec_driver_sql("COMMIT")
    return time.perf_counter() - start


def timed_ms(call, runs: int = 50) -> float:
    for _ in range(5):
        call()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return median(times)


def main() -> None:
    home = fresh_home()
    import runlab

    project = runlab.get_or_create_project("p3", context=home)
    db = runlab.get_run_db()
    print(f"filled {TOTAL} runs in {fill(db.store):.1f} s")
    latest = timed_ms(lambda: project.list_runs(last=50))
    by_name = timed_ms(lambda: db.list_runs(project="p3", name="trainer-3", last=50))
    by_label = timed_ms(lambda: db.list_runs(project="p3", labels={"team": "a"}, last=50))
    raw = sqlite3.connect(os.path.join(home, "runlab.db"))
    floor = timed_ms(lambda: raw.execute(
        "SELECT * FROM runs WHERE project=? ORDER BY start_time DESC LIMIT 50", ("p3",)).fetchall())
    print(f"list_runs newest 50: {latest:.2f} ms; with name filter {by_name:.2f} ms; with label filter "
          f"{by_label:.2f} ms")
    print(f"floor: raw SQLite query {floor:.2f} ms; list_runs/raw = {latest / floor:.1f}x")
    verdict("list_runs newest 50 of 100k", latest, 20, "ms")


if __name__ == "__main__":
    main()
