"""Comparing runs: ``runlab.compare_runs`` of 10 and of 100 runs with 200 params each (20 of them varying,
plus 3 results), Python side.

For each size, median of 7: building the comparison from a fresh ``list_runs`` of those runs (the runs'
dicts decoded, the fields gathered, what differs and what is best), and producing what ``show()``
displays (``bundles()``: the HTML table with its "All N fields" section and the two Vega-Lite charts,
serialized as a notebook would save them). The peer, in turns with it: ``RunList.to_df().to_html()`` of a
fresh listing of the same runs (pandas rendering a table of the same runs). No target yet: ``INFO`` lines
(the browser-side targets come with the panel).

    .venv/bin/python benchmarks/bench_compare.py
"""

from __future__ import annotations

import json
import random
import time

from _common import fresh_home, median, ratio_info

SAMPLES = 7
PARAMS = 200
VARYING = 20


def make_runs(count: int, rng: random.Random) -> list[str]:
    """``count`` in-process runs of 200 params and 3 results; returns their uids."""
    import runlab

    fn = runlab.new_function("bench-fit", kind="local", handler=_fit)
    uids = []
    for _ in range(count):
        params = {f"p{i:03d}": (rng.random() if i < VARYING else i) for i in range(PARAMS)}
        run = fn.run(params=params, local=True)
        uids.append(run.uid())
    return uids


def _fit(context, **params):
    context.log_result("accuracy", params["p000"])
    context.log_result("loss", 1 - params["p001"])
    context.log_result("f1", params["p002"] / 2)


def measure(uids: list[str]) -> tuple[float, float, float]:
    """Median seconds of (build, show bundles, peer), measured in turns."""
    import runlab
    from runlab.run import RunList

    def listing() -> RunList:
        wanted = set(uids)
        return RunList(r for r in runlab.run.list_runs() if r.uid() in wanted)

    build, show, peer = [], [], []
    for _ in range(SAMPLES):
        runs = listing()
        start = time.perf_counter()
        comparison = runlab.compare_runs(runs)
        build.append(time.perf_counter() - start)
        start = time.perf_counter()
        size = len(json.dumps(comparison.bundles()))
        show.append(time.perf_counter() - start)
        runs = listing()
        start = time.perf_counter()
        runs.to_df().to_html()
        peer.append(time.perf_counter() - start)
    assert len(comparison.runs) == len(uids) and size > 0
    differing = [f for f in comparison.fields if comparison.differs(f)]
    assert len([f for f in differing if f.startswith("param.")]) == VARYING, differing
    return median(build), median(show), median(peer)


def main() -> None:
    fresh_home(cleanup=True)
    rng = random.Random(17)
    for count in (10, 100):
        uids = make_runs(count, rng)
        build, show, peer = measure(uids)
        what = f"{count} runs x {PARAMS} params"
        print(f"{what}: build {build * 1000:.1f} ms, show() bundle {show * 1000:.1f} ms, "
              f"to_df().to_html() {peer * 1000:.1f} ms (medians of {SAMPLES})", flush=True)
        ratio_info(f"compare {what}: build + show bundle", (build + show) * 1000, peer * 1000,
                   floor_name="to_df().to_html()")


if __name__ == "__main__":
    main()
