"""Run every benchmark in sequence (each in its own interpreter) and print their figures."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent


def main() -> int:
    failed = 0
    for script in ("bench_import.py", "bench_run_overhead.py", "bench_list_runs.py", "bench_job.py"):
        print(f"== {script}", flush=True)
        proc = subprocess.run([sys.executable, str(HERE / script), *sys.argv[1:]], cwd=HERE)
        failed += proc.returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
