"""``list_runs`` with a filter expression and an order over 100,000 runs of one project, against raw SQL.

The store is filled with 100,000 runs of one project by ``bench_list_runs.fill`` (runs shaped like those
``launch.py`` records; about 2 % are errors without results, the others have a random ``accuracy`` and a
``n`` numbering them).

A filter on params, results or labels reads ``run_values`` (a typed index of every run's values), which
the query itself brings up to date first. Measured:

- the first query's catch-up: indexing the 100,000 freshly bulk-inserted runs (``store.index_values``,
  reported on its own), then the catch-up of 100 runs added after it;
- steady state (median of 20 calls after 3 warm-ups, ms), in turns with two floors: ``runlab.run.list_runs(
  project=..., filter="results.accuracy > 0.9", order_by=["results.accuracy desc"], last=50)``, and a
  selective filter (``results.n < 100``: 0.1 % of the runs) ordered the same way. The floors are a raw
  ``sqlite3`` query of the same rows written by hand over ``run_values`` (joined to ``runs``, ordered by the
  indexed value) and the raw query over the JSON columns (``json_type``/``json_extract`` on ``results``). All
  must return the same runs in the same order.

Target: the steady-state filtered and ordered query under 50 ms.

    .venv/bin/python benchmarks/bench_filter.py [--strict] [--keep]
"""

from __future__ import annotations

import os
import sqlite3
import time

from _common import fresh_home, ratio_info, verdict
from bench_list_runs import TOTAL, fill, paired_ms

PROJECT = "scored"
TARGET_MS = 50
ORDER = ["results.accuracy desc"]
CASES = {  # label: (filter, the JSON condition, the same query written by hand over run_values)
    "results.accuracy > 0.9": (
        "results.accuracy > 0.9",
        "json_type(results, '$.accuracy') IN ('integer', 'real') AND json_extract(results, '$.accuracy') > 0.9",
        "SELECT r.* FROM run_values v JOIN runs r ON r.uid = v.uid AND r.iteration = v.iteration "
        "WHERE v.project = ? AND v.field = 'results.accuracy' AND v.type = 'number' AND v.num > 0.9 "
        "AND r.iteration = 0 ORDER BY v.num DESC, r.start_time DESC, r.uid, r.iteration LIMIT 50"),
    "results.n < 100 (0.1 %)": (
        "results.n < 100",
        "json_type(results, '$.n') IN ('integer', 'real') AND json_extract(results, '$.n') < 100",
        "SELECT r.* FROM run_values v JOIN runs r ON r.uid = v.uid AND r.iteration = v.iteration "
        "LEFT JOIN run_values o ON o.uid = r.uid AND o.iteration = r.iteration AND o.field = 'results.accuracy' "
        "WHERE v.project = ? AND v.field = 'results.n' AND v.type = 'number' AND v.num < 100 AND r.iteration = 0 "
        "ORDER BY CASE WHEN o.type = 'number' THEN 0 ELSE 1 END, CASE WHEN o.type = 'number' THEN o.num END DESC, "
        "r.start_time DESC, r.uid, r.iteration LIMIT 50"),
    "(no filter: sorted by a result)": (
        None,
        "1",
        "SELECT r.* FROM runs r LEFT JOIN run_values o ON o.uid = r.uid AND o.iteration = r.iteration "
        "AND o.field = 'results.accuracy' WHERE r.project = ? AND r.iteration = 0 "
        "ORDER BY CASE WHEN o.type = 'number' THEN 0 ELSE 1 END, CASE WHEN o.type = 'number' THEN o.num END DESC, "
        "r.start_time DESC, r.uid, r.iteration LIMIT 50"),
}
JSON_RAW = ("SELECT * FROM runs WHERE project=? AND iteration=0 AND {} ORDER BY CASE WHEN json_type(results, "
            "'$.accuracy') IN ('integer', 'real') THEN 0 ELSE 1 END, json_extract(results, '$.accuracy') DESC, "
            "start_time DESC, uid, iteration LIMIT 50")


def main() -> None:
    home = fresh_home(cleanup=True)
    import runlab
    from runlab.run import list_runs

    store = runlab.get_run_db().store
    fill_s = fill(store, home, TOTAL, PROJECT)
    print(f"filled {store.count_runs():,} runs of one project in {fill_s:.1f} s")
    start = time.perf_counter()
    indexed = store.index_values(PROJECT)
    first_s = time.perf_counter() - start
    print(f"first query's catch-up: {indexed:,} runs indexed in {first_s:.2f} s")
    fill(store, home, 100, PROJECT, seed=9)  # 100 more runs, newer than the watermark
    start = time.perf_counter()
    indexed = store.index_values(PROJECT)
    print(f"catch-up of {indexed} new runs: {(time.perf_counter() - start) * 1000:.1f} ms")
    start = time.perf_counter()
    store.index_values(PROJECT)
    print(f"check of a current index (nothing to do): {(time.perf_counter() - start) * 1000:.2f} ms")
    raw = sqlite3.connect(os.path.join(home, "runlab.db"))

    print(f"{'query':<44} {'list_runs':>10} {'raw index SQL':>14} {'raw JSON SQL':>13} {'rows':>5}")
    problems, steady = [], 0.0
    for label, (text, json_sql, index_sql) in CASES.items():
        def call(text=text):
            return list_runs(project=PROJECT, filter=text, order_by=ORDER, last=50)

        def by_index(index_sql=index_sql):
            return raw.execute(index_sql, (PROJECT,)).fetchall()

        def by_json(json_sql=json_sql):
            return raw.execute(JSON_RAW.format(json_sql), (PROJECT,)).fetchall()

        listed = [r.uid() for r in call()]
        if not listed == [row[0] for row in by_index()] == [row[0] for row in by_json()]:
            problems.append(f"{label}: list_runs did not return the runs the raw queries return")
        (ms, n), (index_ms, _) = paired_ms(call, by_index, runs=20, warmup=3)
        _, (json_ms, _) = paired_ms(call, by_json, runs=5, warmup=1)
        print(f"{label:<44} {ms:>7.2f} ms {index_ms:>11.2f} ms {json_ms:>10.2f} ms {n:>5}")
        ratio_info(f"list_runs(filter='{text}', order_by, last=50)", ms, index_ms, floor_name="raw index SQL")
        ratio_info(f"list_runs(filter='{text}', order_by, last=50)", ms, json_ms, floor_name="raw JSON SQL")
        steady = max(steady, ms)
    verdict(f"list_runs(filter, order_by, last=50) over {TOTAL:,} runs, steady state (slowest case)", steady,
            TARGET_MS, "ms", problems)


if __name__ == "__main__":
    main()
