"""A 1,000-iteration in-process grid sweep over a trivial handler: total time, all children recorded."""

from __future__ import annotations

import time

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


if __name__ == "__main__":
    main()
