"""Sweeps: in-process grids over a trivial handler -- 1,000 and 10,000 iterations, every child recorded, the
parent with its iteration table and plot -- each child's cost against a plain in-process run of the same
handler measured in the same process; and a CPU-bound handler (~0.5 s) over 8 iterations with
``parallel_runs=2`` against ``parallel_runs=1``."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from _common import fresh_home, ratio_verdict, verdict

PLAIN_RUNS = 1000
MAX_CHILD_RATIO = 1.2  # one child of an in-process sweep against one plain in-process run


def handler(context, a, b):
    context.log_result("r", a * b)


def plain_run_ms(fn, n: int = PLAIN_RUNS) -> tuple[float, float]:
    """Mean and median ms of a plain in-process run of the sweep's handler, ``n`` in a row after 100 warm-up
    runs. The mean is the floor: a sweep's per-child figure is a mean too (its span over its children),
    and both pay the store's occasional slow commit (a WAL checkpoint) that a median leaves out."""
    times = []
    for i in range(100 + n):
        start = time.perf_counter()
        fn.run(handler=handler, params={"a": i, "b": 2})
        times.append(time.perf_counter() - start)
    return statistics.mean(times[100:]) * 1000, statistics.median(times[100:]) * 1000


def grid(runlab, fn, a: int, b: int) -> tuple[float, float, int, int, object]:
    """Time an in-process grid of ``a * b`` iterations; (seconds in all, seconds from the first child's start
    to the last one's end, children recorded, completed, parent)."""
    start = time.perf_counter()
    run = fn.run(handler=handler, hyperparams={"a": list(range(a)), "b": list(range(b))}, selector="max.r",
                 watch=False)
    elapsed = time.perf_counter() - start
    children = runlab.get_run_db().store.list_runs(uid=run.uid(), iterations=True)
    children = [r for r in children if r.iteration]
    done = sum(r.state == "completed" for r in children)
    span = max(r.end_time or 0 for r in children) - min(r.start_time for r in children)
    return elapsed, span, len(children), done, run


def main() -> None:
    fresh_home()
    import runlab

    fn = runlab.new_function(name="sweep", kind="local")
    fn.run(handler=handler, hyperparams={"a": [1, 2], "b": [1]}, watch=False)  # warm-up
    plain, plain_median = plain_run_ms(fn)
    print(f"plain in-process run of the same handler: mean {plain * 1000:.0f} µs, median {plain_median * 1000:.0f} µs "
          f"(of {PLAIN_RUNS:,} in a row)")
    for a, b, limit in ((100, 10, 2.0), (1000, 10, None)):
        n = a * b
        elapsed, span, recorded, done, run = grid(runlab, fn, a, b)
        table = run.status.iterations
        per_child, overall = span * 1000 / n, elapsed * 1000 / n
        print(f"{n:,}-iteration grid: {elapsed:.2f} s in all ({overall * 1000:.0f} µs per child with the parent's "
              f"table, dataset and plot = {overall / plain:.2f}x a plain run); children alone "
              f"{per_child * 1000:.0f} µs each = {per_child / plain:.2f}x a plain run; children recorded: "
              f"{recorded}, completed: {done}, iteration table rows: {len(table)}, state: {run.state()}, "
              f"plot: {'sweep_plot' in {a['key'] for a in run.status.artifacts}}, best: {run.status.results}")
        problems = []
        if recorded != n or done != n or run.state() != "completed" or len(table) != n:
            problems.append(f"{recorded} children recorded, {done} completed, parent {run.state()}")
        if limit is not None:
            verdict(f"{n:,}-iteration in-process grid", elapsed, limit, "s", problems)
        ratio_verdict(f"{n:,}-iteration in-process grid, per child", per_child, plain, MAX_CHILD_RATIO,
                      "ms", problems, floor_name="a plain in-process run")

    folder = Path(tempfile.mkdtemp(prefix="runlab-bench-sweep-"))
    (folder / "cpu.py").write_text(CPU_BOUND)
    project = runlab.get_or_create_project("sweep-cpu", context=str(folder))
    project.set_function("cpu.py", name="cpu", kind="job", handler="burn")
    project.run_function("cpu", params={"seed": 0})  # warm-up: starts the fork server outside the timings
    timings = {}
    for width in (1, 2):
        start = time.perf_counter()
        parent = project.run_function("cpu", hyperparams={"seed": list(range(8))},
                                      hyper_param_options={"parallel_runs": width}, watch=False)
        parent.wait_for_completion(poll=0.05)  # watch=False returns at once: time the whole sweep
        timings[width] = time.perf_counter() - start
    speedup = timings[1] / timings[2]
    print(f"8 CPU-bound iterations (job runs): parallel_runs=1 {timings[1]:.2f} s, parallel_runs=2 {timings[2]:.2f} s, "
          f"speed-up {speedup:.2f}x")
    verdict("parallel_runs=2 time / parallel_runs=1 time (speed-up >= 1.7x)", 1 / speedup, 1 / 1.7, "")


CPU_BOUND = """
import time

def burn(context, seed):
    end, x = time.process_time() + 0.5, seed
    while time.process_time() < end:
        x = (x * 1103515245 + 12345) % 2**31
    context.log_result("x", x)
"""


if __name__ == "__main__":
    main()
