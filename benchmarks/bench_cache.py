"""A run cache hit: ``project.run_function(..., cache=True)`` answered by an earlier completed run, against a
raw SQLite commit measured in the same process.

The function: a ``job`` function from a file (a handler taking 3 params, logging 2 results and a small
artifact) with one 100 KB CSV input, run once for real; then each call with the same params and input is a hit:
the file and the input are read and hashed, the key looked up, and a completed run labelled
``cached-from=<uid>`` recorded with the source's results and artifact, nothing started. 50 warm-up hits, then
1,000 timed one by one (``time.perf_counter_ns``): median, p90 and p99 in ms. Every hit must be labelled with the
source's uid, and the handler must have run once.

Floor: one raw ``sqlite3`` INSERT + COMMIT of a small row (WAL, ``synchronous=NORMAL``; ``bench_run_overhead``'s),
timed in blocks of 100 after each block of 100 hits, so both see the same machine while it is shared.
Target: median < 5 ms (the issue's "a cache hit answers in < 5 ms"); the ratio to the raw commit is reported.

    .venv/bin/python benchmarks/bench_cache.py [--strict] [--keep]
"""

from __future__ import annotations

import os
import textwrap
import time

from _common import fresh_home, median, percentile, ratio_info, verdict
from bench_run_overhead import RawCommits

WARMUP, TIMED, BLOCK = 50, 1000, 100
TARGET_MS = 5.0
PARAMS = {"a": 1, "b": 2, "c": 3}

HANDLER = """
    import os

    def train(context, data, a, b, c):
        with open(os.path.join(os.path.dirname(__file__), "ran.txt"), "a") as out:
            out.write("ran\\n")
        context.log_result("x", a + b)
        context.log_result("y", c + len(data.get()))
        context.log_artifact("model", body="weights", format="txt")
"""


def main() -> None:
    home = fresh_home(cleanup=True)
    import runlab

    folder = os.path.join(home, "code")
    os.makedirs(folder)
    with open(os.path.join(folder, "steps.py"), "w") as out:
        out.write(textwrap.dedent(HANDLER))
    with open(os.path.join(folder, "data.csv"), "w") as out:
        out.write("a,b\n" + "".join(f"{i},{i * 2}\n" for i in range(11_000)))  # about 100 KB
    project = runlab.get_or_create_project("bench", context=folder)
    project.set_function("steps.py", name="steps", kind="job", handler="train")
    inputs = {"data": "data.csv"}
    source = project.run_function("steps", params=PARAMS, inputs=inputs, cache=True).uid()

    raw_commits = RawCommits(home)
    problems: list[str] = []
    for _ in range(WARMUP):
        project.run_function("steps", params=PARAMS, inputs=inputs, cache=True)
        raw_commits.time_one()
    hits, raw, clock = [], [], time.perf_counter_ns
    for _block in range(TIMED // BLOCK):
        for _ in range(BLOCK):
            start = clock()
            run = project.run_function("steps", params=PARAMS, inputs=inputs, cache=True)
            hits.append(clock() - start)
            if run.metadata.labels.get("cached-from") != source:
                problems.append(f"a call was not a hit of {source}: {run.metadata.labels}")
        raw.extend(raw_commits.time_one() for _ in range(BLOCK))
        if problems:
            break
    with open(os.path.join(folder, "ran.txt")) as ran:
        runs = len(ran.read().split())
    if runs != 1:
        problems.append(f"the handler ran {runs} times, not once")
    hit_ms = median(hits) / 1e6
    raw_ms = median(raw) / 1e6
    print(f"cache hit (ms):  median {hit_ms:.3f}  p90 {percentile(hits, 90) / 1e6:.3f}  "
          f"p99 {percentile(hits, 99) / 1e6:.3f}  ({len(hits)} hits, input 100 KB hashed each time)")
    print(f"raw INSERT + COMMIT (ms): median {raw_ms:.3f}")
    ratio_info("cache hit median", hit_ms, raw_ms, "ms", floor_name="raw commit")
    verdict("cache hit median", hit_ms, TARGET_MS, "ms", problems[:3])


if __name__ == "__main__":
    main()
