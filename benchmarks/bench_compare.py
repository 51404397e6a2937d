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
import os
import random
import sys
import time

from _common import fresh_home, median, ratio_info, verdict
from bench_server import CHROMIUM, get_ms, lab_in_chromium

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "tests"))
from comparetiming import TIME_TO_TABLE  # the page script the browser test times with

SAMPLES = 7
PAGE = 50
"""Runs per page of the Runs view."""
PARAMS = 200
VARYING = 20


def make_runs(count: int, rng: random.Random) -> list[str]:
    """``count`` in-process runs of 200 params and 3 results, named ``fit-<count>`` in project ``bench``;
    returns their uids."""
    import runlab

    fn = runlab.new_function("bench-fit", project="bench", kind="local", handler=_fit)
    uids = []
    for _ in range(count):
        params = {f"p{i:03d}": (rng.random() if i < VARYING else i) for i in range(PARAMS)}
        run = fn.run(name=f"fit-{count}", params=params, local=True)
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


def click_to_table(home: str, sizes: dict[int, list[str]]) -> dict[int, tuple[float, float]]:
    """For each size, the median ms from the click on Compare to the table, and of the server's answer."""
    found: dict[int, tuple[float, float]] = {}
    with lab_in_chromium(home) as (page, url, token):
        for count, uids in sizes.items():
            page.locator("li[data-id='runlab-jobs']").click()
            sidebar = page.locator(".runlab-jobs-panel")
            sidebar.locator(f".runlab-job-row[data-job='fit-{count}'] .runlab-job-runs button").click()
            page.locator("li[data-id='runlab-jobs']").click()
            view = page.locator(".runlab-runs-panel:visible")
            view.locator(".runlab-runs-row").first.wait_for(timeout=60_000)
            view.get_by_label("Select the runs of this page").check()
            for shown in range(PAGE, count, PAGE):  # the next pages, selected in turn
                view.get_by_role("button", name="Next page").click()
                # the range names the page's first run only once its rows are drawn
                view.locator(".runlab-runs-range", has_text=str(shown + 1)).wait_for(timeout=60_000)
                view.get_by_label("Select the runs of this page").check()
            view.locator(".runlab-runs-count", has_text=f"{count} selected").wait_for(timeout=60_000)
            clicks = []
            for _ in range(SAMPLES):
                clicks.append(page.evaluate(TIME_TO_TABLE, count))
                # closed again, so the next click builds the view anew
                page.locator("#jp-main-dock-panel .lm-TabBar-tab.jp-mod-current .lm-TabBar-tabCloseIcon").click()
                page.locator("#jp-main-dock-panel .lm-TabBar-tab", has_text=f"bench / fit-{count}").click()
                view.locator(".runlab-runs-compare").wait_for(timeout=60_000)
            query = "&".join(f"uid={uid}" for uid in uids)
            server = [get_ms(f"{url}/runlab/api/compare?{query}", token)[0] for _ in range(SAMPLES)]
            print(f"{count} runs: click to table " + ", ".join(f"{t:.0f}" for t in clicks)
                  + " ms; GET /compare " + ", ".join(f"{t:.0f}" for t in server) + " ms", flush=True)
            found[count] = (median(clicks), median(server))
    return found


def main() -> None:
    home = fresh_home(cleanup=True)
    rng = random.Random(17)
    sizes = {}
    for count in (10, 100):
        uids = sizes[count] = make_runs(count, rng)
        build, show, peer = measure(uids)
        what = f"{count} runs x {PARAMS} params"
        print(f"{what}: build {build * 1000:.1f} ms, show() bundle {show * 1000:.1f} ms, "
              f"to_df().to_html() {peer * 1000:.1f} ms (medians of {SAMPLES})", flush=True)
        ratio_info(f"compare {what}: build + show bundle", (build + show) * 1000, peer * 1000,
                   floor_name="to_df().to_html()")
    if "--no-browser" in sys.argv or not os.path.exists(CHROMIUM):
        print("click to table in Chromium: skipped (--no-browser, or no /usr/bin/chromium)")
        return
    drawn = click_to_table(home, sizes)
    for count, target in ((10, 200), (100, 1000)):
        clicked, server = drawn[count]
        print(f"{count} runs x {PARAMS} params: click to table {clicked:.0f} ms, of which the server's answer "
              f"about {server:.0f} ms (medians of {SAMPLES})")
        verdict(f"compare view of {count} runs x {PARAMS} params, click to table in Chromium", clicked, target, "ms")


if __name__ == "__main__":
    main()
