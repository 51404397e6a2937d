"""Background ``job`` runs: submit-to-completed latency of a trivial run, against ``python -c pass`` and
``python -c "import runlab.store.runstore"`` (what any worker must load), and the throughput of 200 runs
queued behind a concurrency limit of 2."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import fresh_home, median, verdict

HANDLERS = "def trivial(context, x=1):\n    context.log_result('y', x)\n"


def process_ms(code: str, runs: int = 10) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        times.append((time.perf_counter() - start) * 1000)
    return median(times)


def main() -> None:
    home = fresh_home()
    os.environ["RUNLAB_MAX_JOBS"] = "2"
    import runlab

    folder = Path(tempfile.mkdtemp(prefix="runlab-bench-job-"))
    (folder / "handlers.py").write_text(HANDLERS)
    project = runlab.get_or_create_project("bench", context=str(folder))
    project.set_function("handlers.py", name="fn", kind="job", handler="trivial")
    for _ in range(3):
        project.run_function("fn", watch=False).wait_for_completion(poll=0.01)
    latencies = []
    for _ in range(20):
        start = time.perf_counter()
        project.run_function("fn", watch=False).wait_for_completion(poll=0.005)
        latencies.append((time.perf_counter() - start) * 1000)
    bare, store_import = process_ms("pass"), process_ms("import runlab.store.runstore")
    print(f"job submit-to-completed: median {median(latencies):.0f} ms (20 runs, polling every 5 ms)")
    print(f"floors: python -c pass {bare:.0f} ms, worker imports alone {store_import:.0f} ms; "
          f"ratio to bare interpreter {median(latencies) / bare:.1f}x")

    start = time.perf_counter()
    runs = [project.run_function("fn", params={"x": i}, watch=False) for i in range(200)]
    submitted = time.perf_counter() - start
    for run in runs:
        run.wait_for_completion(poll=0.02)
    elapsed = time.perf_counter() - start
    states = [r.state() for r in runs]
    lost = sum(s != "completed" for s in states)
    print(f"200 runs, max 2 at once: submitted in {submitted:.2f} s, all done in {elapsed:.1f} s "
          f"({200 / elapsed:.1f} runs/s), not completed: {lost}")
    print(f"store: {home}")
    verdict("job submit-to-completed median", median(latencies), 250, "ms")


if __name__ == "__main__":
    main()
