"""``list_runs`` with a filter expression and an order over 100,000 runs of one project, against raw SQL.

The store is filled with 100,000 runs of one project by ``bench_list_runs.fill`` (runs shaped like those
``launch.py`` records; about 2 % are errors without results, the others have a random ``accuracy``).

Timed (median of 20 calls after 3 warm-ups, ms): ``runlab.run.list_runs(project=..., filter="results.accuracy
> 0.9", order_by=["results.accuracy desc"], last=50)``, in turns with its floor: a raw ``sqlite3`` query of
the same rows on the same file (``SELECT * ... WHERE project=? AND iteration=0 AND json_type(results,
'$.accuracy') IN ('integer', 'real') AND json_extract(results, '$.accuracy') > 0.9 ORDER BY
json_extract(results, '$.accuracy') DESC, start_time DESC LIMIT 50``). Both must return the same runs in
the same order. No target yet (the filter reads the JSON columns; a typed index kept on write comes later):
the ratio is printed as ``INFO``.

    .venv/bin/python benchmarks/bench_filter.py [--keep]
"""

from __future__ import annotations

import os
import sqlite3

from _common import fresh_home, ratio_info
from bench_list_runs import TOTAL, fill, paired_ms

PROJECT = "scored"
FILTER, ORDER = "results.accuracy > 0.9", ["results.accuracy desc"]
RAW = ("SELECT * FROM runs WHERE project=? AND iteration=0 AND json_type(results, '$.accuracy') IN "
       "('integer', 'real') AND json_extract(results, '$.accuracy') > 0.9 "
       "ORDER BY json_extract(results, '$.accuracy') DESC, start_time DESC LIMIT 50")


def main() -> None:
    home = fresh_home(cleanup=True)
    import runlab
    from runlab.run import list_runs

    store = runlab.get_run_db().store
    fill_s = fill(store, home, TOTAL, PROJECT)
    print(f"filled {store.count_runs():,} runs of one project in {fill_s:.1f} s")
    raw = sqlite3.connect(os.path.join(home, "runlab.db"))

    def call():
        return list_runs(project=PROJECT, filter=FILTER, order_by=ORDER, last=50)

    def floor():
        return raw.execute(RAW, (PROJECT,)).fetchall()

    listed, expected = [r.uid() for r in call()], [row[0] for row in floor()]
    (ms, n), (floor_ms, floor_n) = paired_ms(call, floor, runs=20, warmup=3)
    print(f"{'query':<60} {'median':>9} {'rows':>5}")
    print(f"{'list_runs(filter=..., order_by=..., last=50)':<60} {ms:>6.2f} ms {n:>5}")
    print(f"{'raw sqlite3 SELECT of the same runs':<60} {floor_ms:>6.2f} ms {floor_n:>5}")
    same = listed == expected and n == 50
    ratio_info(f"list_runs(filter, order_by, last=50) over {TOTAL:,} runs", ms, floor_ms, floor_name="raw SQL",
               note="the same 50 runs in the same order" if same else "NOT the runs the raw query returns")


if __name__ == "__main__":
    main()
