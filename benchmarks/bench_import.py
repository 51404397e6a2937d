"""Cost of ``import runlab`` in a fresh interpreter, against ``import json`` and ``import pandas``."""

from __future__ import annotations

import subprocess
import sys
import time

from _common import median, verdict

HEAVY = ("pandas", "sqlalchemy", "fsspec", "papermill", "ipywidgets", "dask")


def wall(code: str, runs: int = 15) -> float:
    """Median wall time (ms) of ``python -c code`` minus ``python -c pass``."""
    def one(source: str) -> float:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", source], check=True)
        return (time.perf_counter() - start) * 1000

    return median([one(code) for _ in range(runs)]) - median([one("pass") for _ in range(runs)])


def importtime(module: str) -> float:
    """Cumulative import time (ms) that ``-X importtime`` reports for ``module``."""
    err = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import {module}"], capture_output=True,
                         text=True, check=True).stderr
    line = [x for x in err.splitlines() if x.rstrip().endswith(f"| {module}")][-1]
    return int(line.split("|")[1]) / 1000


def main() -> None:
    runlab_ms = median([importtime("runlab") for _ in range(15)])
    json_ms, pandas_ms = importtime("json"), median([importtime("pandas") for _ in range(5)])
    wall_ms = wall("import runlab")
    probe = f"import sys, runlab; print([m for m in {HEAVY} if m in sys.modules])"
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.strip()
    print(f"import runlab: {runlab_ms:.1f} ms (-X importtime), {wall_ms:.1f} ms wall over a bare interpreter")
    print(f"peers: import json {json_ms:.2f} ms, import pandas {pandas_ms:.0f} ms; "
          f"runlab/json = {runlab_ms / json_ms:.1f}x, runlab/pandas = {runlab_ms / pandas_ms:.3f}x")
    print(f"heavy modules loaded by import runlab: {loaded}")
    verdict("import runlab", runlab_ms, 150, "ms")


if __name__ == "__main__":
    main()
