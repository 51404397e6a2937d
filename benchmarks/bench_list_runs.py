"""``list_runs`` (newest 50 of one project) over 100,000 stored runs, against a raw SQLite query.

The store is filled with 100,000 runs across 10 projects, written in bulk through the store's SQLAlchemy
engine (``schema.runs``, executemany in batches of 10,000 inside one transaction). Rows are shaped like
those ``launch.py`` records: the full spec (params, inputs, function source), default labels plus a
``team`` label, results, a terminal state, distinct start times.

Timed (median of 50 calls after 5 warm-ups, ms): ``project.list_runs(last=50)``, and
``runlab.get_run_db().list_runs(project=..., last=50)`` with a name filter and with ``labels={"team": "a"}``.
Floor: a raw ``sqlite3`` ``SELECT * FROM runs WHERE project=? ORDER BY start_time DESC LIMIT 50`` on the
same file. Each call must return 50 runs. Target: under 20 ms.

    .venv/bin/python benchmarks/bench_list_runs.py [--strict] [--keep]
"""

from __future__ import annotations

import os
import random
import sqlite3
import time
import uuid

from _common import fresh_home, median, verdict

TOTAL, PROJECTS, BATCH = 100_000, 10, 10_000
NAMES = ("trainer-train", "prep-clean", "evaluate", "trainer-tune", "report", "ingest", "score")
TARGET_MS = 20
PROJECT = "proj-3"


def make_row(i: int, rng: random.Random, t0: float, home: str) -> dict:
    """The i-th run, shaped like ``launch.py``'s row after the run ended."""
    project, name = f"proj-{i % PROJECTS}", NAMES[i % len(NAMES)]
    uid, start = uuid.UUID(int=rng.getrandbits(128), version=4).hex, t0 + i * 0.5
    state = "error" if i % 50 == 0 else "completed"
    params = {"lr": round(rng.uniform(1e-4, 0.1), 5), "epochs": rng.randint(1, 50), "model": rng.choice("xyz")}
    return {
        "uid": uid, "iteration": 0, "project": project, "name": name, "kind": "job", "state": state,
        "labels": {"kind": "job", "owner": "bench", "host": "bench-host", "team": rng.choice("abc")},
        "spec": {
            "function": f"{project}/{name.split('-')[0]}", "handler": name.split("-")[-1],
            "handler_path": f"{name.split('-')[0]}.{name.split('-')[-1]}", "workdir": home,
            "parameters": params, "inputs": {"data": f"{home}/data/part-{i % 100}.csv"}, "outputs": [],
            "returns": [], "output_path": f"{home}/artifacts/{project}/{uid}", "args": [],
            "source": {"name": name.split("-")[0], "kind": "job", "filename": f"{home}/{name.split('-')[0]}.py",
                       "args": [], "handler": name.split("-")[-1], "project": project, "description": ""},
        },
        "results": {} if state == "error" else {"accuracy": rng.random(), "loss": rng.random(), "n": i},
        "status": {"runtime": "job", "pid_started": start},
        "error": "ValueError: bad batch" if state == "error" else None,
        "start_time": start, "last_update": start + 2.0, "end_time": start + 2.0, "pid": 10_000 + i % 30_000,
        "host": "bench-host",
    }


def fill(store, home: str) -> float:
    """Bulk-insert TOTAL runs in one transaction; returns the seconds it took."""
    from runlab.store import schema

    rng, t0, start = random.Random(7), time.time() - TOTAL, time.perf_counter()
    with store.engine.connect() as conn:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
        for first in range(0, TOTAL, BATCH):
            conn.execute(schema.runs.insert(), [make_row(i, rng, t0, home) for i in range(first, first + BATCH)])
        conn.exec_driver_sql("COMMIT")
    return time.perf_counter() - start


def timed_ms(call, runs: int = 50, warmup: int = 5) -> tuple[float, int]:
    """Median ms of ``call()`` and the number of rows it returned."""
    for _ in range(warmup):
        call()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = call()
        times.append((time.perf_counter() - start) * 1000)
    return median(times), len(result)


def main() -> None:
    home = fresh_home(cleanup=True)
    import runlab

    db = runlab.get_run_db()
    fill_s = fill(db.store, home)
    count = db.store.count_runs()
    print(f"filled {count:,} runs in {PROJECTS} projects in {fill_s:.1f} s ({count / fill_s:,.0f} rows/s); "
          f"database {os.path.getsize(os.path.join(home, 'runlab.db')) / 2**20:.0f} MiB")
    project = runlab.get_or_create_project(PROJECT, context=home)
    raw = sqlite3.connect(os.path.join(home, "runlab.db"))
    floor, floor_n = timed_ms(lambda: raw.execute(
        "SELECT * FROM runs WHERE project=? ORDER BY start_time DESC LIMIT 50", (PROJECT,)).fetchall())
    cases = {
        "project.list_runs(last=50)": lambda: project.list_runs(last=50),
        "get_run_db().list_runs(name=...)": lambda: db.list_runs(project=PROJECT, name="evaluate", last=50),
        "get_run_db().list_runs(labels={'team': 'a'})": lambda: db.list_runs(
            project=PROJECT, labels={"team": "a"}, last=50),
    }
    results = {label: timed_ms(call) for label, call in cases.items()}
    print(f"{'query (project ' + PROJECT + ', newest 50)':<46} {'median':>9} {'rows':>5} {'x floor':>8}")
    print(f"{'floor: raw sqlite3 SELECT ... LIMIT 50':<46} {floor:>6.2f} ms {floor_n:>5} {1:>7.1f}x")
    for label, (ms, n) in results.items():
        print(f"{label:<46} {ms:>6.2f} ms {n:>5} {ms / floor:>7.1f}x")
    problems = [f"{label} returned {n} runs, expected 50" for label, (_, n) in results.items() if n != 50]
    if count != TOTAL:
        problems.append(f"{count} runs stored, expected {TOTAL}")
    latest = results["project.list_runs(last=50)"][0]
    verdict("project.list_runs(last=50) over 100k runs", latest, TARGET_MS, "ms", problems)


if __name__ == "__main__":
    main()
