"""Background ``job`` runs: submit-to-completed latency of a trivial run, against ``python -c pass`` and
``python -c "import runlab.store.runstore"`` (what any worker must load), and the throughput of 200 runs
queued behind a concurrency limit of 2.

Cold start: the first ``run_function(..., watch=False)`` in brand-new homes (one new interpreter each), with
the fork server on and off (``RUNLAB_FORKSERVER=0``, the floor), alternating; and the memory of the idle fork
server against a bare interpreter's."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import fresh_home, median, ratio_verdict, stop_fork_servers, verdict

HANDLERS = """def trivial(context, x=1):
    context.log_result('y', x)


def probe(context):
    import os, sys
    context.log_result('parent', os.getppid())
    context.log_result('modules', len(sys.modules))
    context.log_result('heavy', [m for m in ('sqlalchemy', 'pandas', 'numpy', 'papermill', 'nbconvert', 'nbclient',
                                             'jupyter_client', 'fsspec', 'dask') if m in sys.modules])
"""

# One cold submission in a brand-new home: the first run's submit time and submit-to-completed time; with the
# fork server on, once it is up, what a worker it forks finds already imported (and the server's pid).
COLD = """
import json, os, sys, time
import runlab
from runlab.runtimes import forkclient
project = runlab.get_or_create_project("cold", context=sys.argv[1])
project.set_function("handlers.py", name="fn", kind="job", handler="trivial")
start = time.perf_counter()
run = project.run_function("fn", watch=False)
submitted = time.perf_counter()
run.wait_for_completion(poll=0.005)
done = time.perf_counter()
out = {"submit": (submitted - start) * 1000, "complete": (done - start) * 1000}
if os.environ["RUNLAB_FORKSERVER"] == "1":
    deadline = time.monotonic() + 60
    while not forkclient.socket_path(os.environ["RUNLAB_HOME"]).exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    probe = project.run_function("fn", handler="probe", watch=False)
    probe.wait_for_completion(poll=0.01)
    results = probe.status.results
    out.update(server=results["parent"] if results["parent"] != os.getpid() else None, modules=results["modules"],
               heavy=results["heavy"])
print(json.dumps(out))
"""


def process_ms(code: str, runs: int = 10) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        times.append((time.perf_counter() - start) * 1000)
    return median(times)


def rss_mb(pid: int) -> float:
    """Resident memory of a process (VmRSS), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise ValueError(f"no VmRSS for process {pid}")


def bare_rss_mb() -> float:
    code = "print([l for l in open('/proc/self/status') if l.startswith('VmRSS:')][0].split()[1])"
    return median([int(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                                      text=True).stdout) / 1024 for _ in range(5)])


def cold_start(folder: Path, homes: int = 5) -> None:
    """The first submission in ``homes`` brand-new homes each way, alternating; prints the figures and verdicts."""
    root = Path(tempfile.mkdtemp(prefix="runlab-bench-cold-"))
    figures: dict[str, list[dict]] = {"1": [], "0": []}
    rss: list[float] = []
    try:
        for n in range(homes):
            for fork in ("1", "0"):
                home = root / f"{fork}-{n}"
                env = {**os.environ, "RUNLAB_HOME": str(home), "RUNLAB_FORKSERVER": fork}
                env.pop("RUNLAB_MAX_JOBS", None)
                try:
                    done = subprocess.run([sys.executable, "-c", COLD, str(folder)], env=env, cwd=folder, check=True,
                                          capture_output=True, text=True, timeout=300)
                    figure = json.loads(done.stdout)
                    if figure.get("server"):
                        rss.append(rss_mb(figure["server"]))
                    figures[fork].append(figure)
                finally:
                    stop_fork_servers(str(home))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    on, off = figures["1"], figures["0"]
    submit_on, submit_off = median([f["submit"] for f in on]), median([f["submit"] for f in off])
    first_on, first_off = median([f["complete"] for f in on]), median([f["complete"] for f in off])
    print(f"cold home, first run_function(watch=False): median {submit_on:.0f} ms with the fork server, "
          f"{submit_off:.0f} ms without ({submit_on / submit_off:.2f}x; {homes} fresh homes each)")
    print(f"cold home, first run submit-to-completed: median {first_on:.0f} ms with the fork server, "
          f"{first_off:.0f} ms without (RUNLAB_FORKSERVER=0)")
    bare = bare_rss_mb()
    servers = [f for f in on if f.get("server")]
    if servers:
        print(f"idle fork server: RSS median {median(rss):.0f} MB, bare `python -c` {bare:.0f} MB "
              f"({median(rss) / bare:.1f}x); a worker it forks starts with {servers[0]['modules']} modules, "
              f"of the heavy ones: {', '.join(servers[0]['heavy']) or 'none'}")
    verdict("cold-home watch=False submit median", submit_on, 100, "ms")
    ratio_verdict("cold-home first run completed, fork server on / off", first_on, first_off, 1.5, "ms")
    ratio_verdict("idle fork server RSS / bare interpreter", median(rss) if rss else float("inf"), bare, 6, "MB",
                  [] if len(servers) == homes else [f"the server answered in {len(servers)} of {homes} homes"])


def main() -> None:
    home = fresh_home()
    os.environ["RUNLAB_MAX_JOBS"] = "2"
    import runlab
    from runlab.runtimes import forkclient

    folder = Path(tempfile.mkdtemp(prefix="runlab-bench-job-"))
    (folder / "handlers.py").write_text(HANDLERS)
    try:
        cold_start(folder)
        project = runlab.get_or_create_project("bench", context=str(folder))
        project.set_function("handlers.py", name="fn", kind="job", handler="trivial")
        for _ in range(3):
            project.run_function("fn", watch=False).wait_for_completion(poll=0.01)
        deadline = time.monotonic() + 60  # the warm figures are the fork server's: wait until it is up
        while not forkclient.socket_path(home).exists() and time.monotonic() < deadline:
            time.sleep(0.01)
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
    finally:
        stop_fork_servers(home)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
