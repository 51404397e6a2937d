"""Sweeps: a 1,000-iteration in-process grid over a trivial handler (total time, all children recorded),
and a CPU-bound handler (~0.5 s) over 8 iterations with ``parallel_runs=2`` against ``parallel_runs=1``."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from _common import fresh_home, verdict


def handler(context, a, b):
    context.log_result("r", a * b)


def main() -> None:
    fresh_home()
    import runlab

    fn = runlab.new_function(name="sweep", kind="local")
    fn.run(handler=handler, hyperparams={"a": [1, 2], "b": [1]}, watch=False)  # warm-up
    start = time.perf_counter()
    run = fn.run(handler=handler, hyperparams={"a": list(range(100)), "b": list(range(10))}, selector="max.r",
                 watch=False)
    elapsed = time.perf_counter() - start
    children = [r for r in runlab.get_run_db().list_runs(iter=True) if r.uid() == run.uid() and r.metadata.iteration]
    done = sum(r.state() == "completed" for r in children)
    print(f"1,000-iteration grid: {elapsed:.2f} s ({elapsed:.3g} ms per iteration), children recorded: "
          f"{len(children)}, completed: {done}, best: {run.status.results}")
    verdict("1,000-iteration in-process grid", elapsed, 2.0, "s")

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
