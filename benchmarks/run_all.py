"""Run every benchmark in sequence, each in its own interpreter, then print a summary of their verdicts.

    .venv/bin/python benchmarks/run_all.py [--strict]     (what ``make bench`` runs)

Each script's output is shown as it runs; the summary lists each script's PASS/FAIL lines (and INFO lines:
figures with no target yet) and its duration.
Exit code: 0, unless a script crashed, or ``--strict`` is given and a target was missed.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
SCRIPTS = ("bench_import.py", "bench_run_overhead.py", "bench_list_runs.py", "bench_job.py", "bench_dask.py",
           "bench_sweep.py", "bench_notebook.py", "bench_show.py", "bench_server.py", "bench_filter.py",
           "bench_compare.py", "bench_cache.py", "bench_capture.py", "bench_jobdialog.py")


def run(script: str) -> tuple[int, list[str], float]:
    """Run one script (passing our arguments on), echoing its output; returns exit code, verdicts, seconds."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, str(HERE / script), *sys.argv[1:]], cwd=HERE,
                            stdout=subprocess.PIPE, text=True, bufsize=1)
    verdicts = []
    assert proc.stdout is not None
    for line in proc.stdout:
        print(f"  {line}", end="", flush=True)
        if line.startswith(("PASS", "FAIL", "INFO")):
            verdicts.append(line.strip())
    return proc.wait(), verdicts, time.perf_counter() - start


def main() -> int:
    outcomes = []
    for script in SCRIPTS:
        print(f"== {script}", flush=True)
        outcomes.append((script, *run(script)))
    print("\n== summary")
    crashed = failed = 0
    for script, code, verdicts, seconds in outcomes:
        if not verdicts:
            verdicts = [f"ERROR: exit code {code}, no verdict printed"]
        for line in verdicts:
            print(f"{script:<24} {seconds:>6.1f} s  {line}")
        crashed += code != 0 and not any(v.startswith("FAIL") for v in verdicts)
        failed += any(v.startswith(("FAIL", "ERROR")) for v in verdicts)
    print(f"{len(outcomes) - failed} of {len(outcomes)} benchmarks met their target")
    return 1 if crashed or (failed and "--strict" in sys.argv) else 0


if __name__ == "__main__":
    sys.exit(main())
