"""``list_runs`` (newest 50 of one project) over 100,000 stored runs, against a raw SQLite query.

The store is filled with 100,000 runs across 10 projects, written in bulk through the store's SQLAlchemy
engine (``schema.runs``, executemany in batches of 10,000 inside one transaction). Rows are shaped like
those ``launch.py`` records: the full spec (params, inputs, function source), default labels plus a
``team`` label, results, a terminal state, distinct start times.

Timed (median of 50 calls after 5 warm-ups, ms): ``project.list_runs(last=50)``, and
``runlab.get_run_db().list_runs(project=..., last=50)`` with a name filter and with ``labels={"team": "a"}``;
then ``list_runs()`` (no limit) of a project of 2,000 runs (median of 20). Each call is timed in turns with
its floor: a raw ``sqlite3`` ``SELECT *`` of the same rows on the same file (``WHERE project=? [AND name=? |
AND json_extract(labels, '$.team')=?] AND iteration=0 ORDER BY start_time DESC [LIMIT 50]``). Each call must
return the runs asked for. Targets: under 20 ms; each newest-50 call at most 4x its floor, the 2,000 runs at most 5x.

    .venv/bin/python benchmarks/bench_list_runs.py [--strict] [--keep]
"""

from __future__ import annotations

import os
import random
import sqlite3
import time
import uuid

from _common import fresh_home, median, ratio_verdict, verdict

TOTAL, PROJECTS, BATCH = 100_000, 10, 10_000
NAMES = ("trainer-train", "prep-clean", "evaluate", "trainer-tune", "report", "ingest", "score")
TARGET_MS = 20
PROJECT = "proj-3"
SMALL, SMALL_RUNS = "small", 2_000


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


def fill(store, home: str, total: int = TOTAL, project: str | None = None, seed: int = 7) -> float:
    """Bulk-insert ``total`` runs (all in ``project`` if given) in one transaction, then rebuild the jobs
    summary as the store's migration fills it; returns the seconds it took."""
    from runlab.store import schema

    try:
        from runlab.store.jobsummary import rebuild
    except ImportError:  # a runlab without the jobs summary (to compare with)
        rebuild = None
    rng, t0, start = random.Random(seed), time.time() - total, time.perf_counter()
    with store.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA temp_store=MEMORY")  # each row's statement journal (the summary's trigger)
        conn.exec_driver_sql("BEGIN IMMEDIATE")
        for first in range(0, total, BATCH):
            rows = [make_row(i, rng, t0, home) for i in range(first, min(first + BATCH, total))]
            for row in rows if project else ():
                row["project"] = project
            conn.execute(schema.runs.insert(), rows)
        if rebuild is not None:
            rebuild(conn)
        conn.exec_driver_sql("COMMIT")
    return time.perf_counter() - start


def paired_ms(call, floor, runs: int = 50, warmup: int = 5) -> tuple[tuple[float, int], tuple[float, int]]:
    """Median ms and rows of ``call()`` and of ``floor()``, timed in turns (a shared machine's load falls on
    both alike)."""
    for _ in range(warmup):
        call(), floor()
    times: tuple[list[float], list[float]] = ([], [])
    counts = [0, 0]
    for _ in range(runs):
        for side, function in enumerate((call, floor)):
            start = time.perf_counter()
            counts[side] = len(function())
            times[side].append((time.perf_counter() - start) * 1000)
    return (median(times[0]), counts[0]), (median(times[1]), counts[1])


def main() -> None:
    home = fresh_home(cleanup=True)
    import runlab

    db = runlab.get_run_db()
    fill_s = fill(db.store, home)
    fill(db.store, home, SMALL_RUNS, SMALL, seed=8)
    count = db.store.count_runs() - SMALL_RUNS
    print(f"filled {count:,} runs in {PROJECTS} projects in {fill_s:.1f} s ({count / fill_s:,.0f} rows/s); "
          f"database {os.path.getsize(os.path.join(home, 'runlab.db')) / 2**20:.0f} MiB")
    project = runlab.get_or_create_project(PROJECT, context=home)
    raw = sqlite3.connect(os.path.join(home, "runlab.db"))
    select = "SELECT * FROM runs WHERE project=? {} AND iteration=0 ORDER BY start_time DESC"
    cases = {  # label: (call, raw SELECT of the same rows, its parameters, runs expected)
        "project.list_runs(last=50)": (lambda: project.list_runs(last=50), select.format("") + " LIMIT 50",
                                       (PROJECT,), 50),
        "get_run_db().list_runs(name=...)": (lambda: db.list_runs(project=PROJECT, name="evaluate", last=50),
                                             select.format("AND name=?") + " LIMIT 50", (PROJECT, "evaluate"), 50),
        "get_run_db().list_runs(labels={'team': 'a'})": (
            lambda: db.list_runs(project=PROJECT, labels={"team": "a"}, last=50),
            select.format("AND json_extract(labels, '$.team')=?") + " LIMIT 50", (PROJECT, "a"), 50),
    }
    results = {label: (*paired_ms(call, lambda q=query, a=args: raw.execute(q, a).fetchall()), n)
               for label, (call, query, args, n) in cases.items()}
    small = f"list_runs() of {SMALL_RUNS:,} runs"
    results[small] = (*paired_ms(lambda: db.list_runs(project=SMALL),
                                 lambda: raw.execute(select.format(""), (SMALL,)).fetchall(), runs=20), SMALL_RUNS)
    print(f"{'query':<46} {'median':>9} {'rows':>5} {'raw SELECT':>10} {'ratio':>6}")
    for label, ((ms, n), (floor, _), _) in results.items():
        print(f"{label:<46} {ms:>6.2f} ms {n:>5} {floor:>7.2f} ms {ms / floor:>5.1f}x")
    problems = [f"{label} returned {n} runs, expected {want}"
                for label, ((_, n), _, want) in results.items() if n != want]
    if count != TOTAL:
        problems.append(f"{count} runs stored, expected {TOTAL}")
    latest = results["project.list_runs(last=50)"][0][0]
    verdict("project.list_runs(last=50) over 100k runs", latest, TARGET_MS, "ms", problems)
    for label, ((ms, _), (floor, _), _) in results.items():
        ratio_verdict(f"{label} vs raw SELECT", ms, floor, 5 if label == small else 4)

if __name__ == "__main__":
    main()
