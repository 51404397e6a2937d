"""``RunList.show()`` of 1,000 runs, Python side: the widget's rows plus its static HTML and text copies
(what a notebook receives), median of 5, against ``pandas.DataFrame.to_html`` of ``to_df()`` for the same
runs (a peer that renders a plain table of the same data)."""

from __future__ import annotations

import time

from _common import fresh_home, median, verdict


def main() -> None:
    fresh_home(cleanup=True)
    import runlab
    from runlab.display.widget import RunsWidget

    project = runlab.get_or_create_project("bench-show", context=".")

    def handler(context, i: int = 0):
        context.log_result("accuracy", i / 1000)
        context.log_result("loss", 1 - i / 1000)

    project.set_function(handler, name="train", kind="local")
    for i in range(1000):
        project.run_function("train", params={"i": i, "lr": 0.1, "label": f"run {i}"})
    runs = project.list_runs()
    assert len(runs) == 1000

    def show() -> float:
        start = time.perf_counter()
        widget = RunsWidget(runs)
        widget._repr_mimebundle_()
        elapsed = time.perf_counter() - start
        widget.close()
        return elapsed

    def pandas_html() -> float:
        start = time.perf_counter()
        runs.to_df().to_html()
        return time.perf_counter() - start

    shown = median([show() for _ in range(5)])
    peer = median([pandas_html() for _ in range(5)])
    print(f"show() of 1,000 runs: {shown * 1000:.0f} ms (widget rows + HTML and text copies); "
          f"to_df().to_html(): {peer * 1000:.0f} ms (ratio {shown / peer:.2f})")
    verdict("RunList.show() of 1,000 runs, Python side", shown * 1000, 300, "ms")


if __name__ == "__main__":
    main()
