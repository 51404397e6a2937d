"""Per-run overhead of a ``dask`` run on a warm LocalCluster (2 worker processes), against
``client.submit(...).result()`` of the bare function on the same cluster (alternating, one of each per round);
target: at most 1.5x the bare round trip."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from _common import fresh_home, median, ratio_verdict

HANDLERS = "def trivial(context, x=1):\n    context.log_result('y', x)\n\n\ndef bare(x=1):\n    return x\n"


def main() -> None:
    fresh_home()
    import os
    import sys

    from distributed import Client, LocalCluster

    import runlab

    folder = Path(tempfile.mkdtemp(prefix="runlab-bench-dask-"))
    (folder / "handlers.py").write_text(HANDLERS)
    sys.path.insert(0, str(folder))
    os.environ["RUNLAB_DASK_SHARED_FS"] = "1"
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster, set_as_default=False) as client:
        runlab.set_dask_client(client)
        project = runlab.get_or_create_project("bench", context=str(folder))
        project.set_function("handlers.py", name="fn", kind="dask", handler="trivial")
        import handlers

        for _ in range(5):
            project.run_function("fn", watch=False).wait_for_completion(poll=0.01)
            client.submit(handlers.bare, pure=False).result()
        runs, bare = [], []
        for i in range(30):
            start = time.perf_counter()
            project.run_function("fn", params={"x": i}, watch=False).wait_for_completion(poll=0.005)
            runs.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            client.submit(handlers.bare, i, pure=False).result()
            bare.append((time.perf_counter() - start) * 1000)
    print(f"dask run submit-to-completed: median {median(runs):.1f} ms; bare client.submit(...).result(): "
          f"{median(bare):.1f} ms; overhead {median(runs) - median(bare):.1f} ms ({median(runs) / median(bare):.1f}x)")
    ratio_verdict("dask run submit-to-completed / bare client.submit(...).result()", median(runs), median(bare), 1.5,
                  "ms")


if __name__ == "__main__":
    main()
