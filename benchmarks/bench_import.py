"""Cost of ``import runlab`` in a fresh interpreter, and the heavy modules it must not load.

Two measures, each the median of 15 fresh interpreters (runs interleaved so drift hits all alike):

* ``python -X importtime -c "import runlab"``: the cumulative time of the top-level ``runlab`` line;
* wall clock of ``python -c "import runlab"`` minus that of ``python -c "pass"``.

Peers measured the same way in the same run: ``import json`` (the floor) and ``import pandas``.
After ``import runlab`` none of pandas, sqlalchemy, fsspec, papermill, ipywidgets, dask may be loaded.
Target: under 150 ms (importtime) and no heavy module.

    .venv/bin/python benchmarks/bench_import.py [--strict]
"""

from __future__ import annotations

import re
import subprocess
import sys
import time

from _common import median, verdict

RUNS = 15
TARGET_MS = 150
HEAVY = ("pandas", "sqlalchemy", "fsspec", "papermill", "ipywidgets", "dask")
MODULES = ("runlab", "json", "pandas")


def wall_ms(code: str) -> float:
    """Wall time (ms) of one ``python -c code``."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return (time.perf_counter() - start) * 1000


def importtime_ms(module: str) -> float:
    """Cumulative time (ms) that ``-X importtime`` reports for the top-level import of ``module``."""
    err = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import {module}"],
                         capture_output=True, text=True, check=True).stderr
    # "import time:   self [us] | cumulative | name" -- a top-level import has exactly one space before the name
    pattern = re.compile(rf"^import time:\s+\d+ \|\s+(\d+) \| {re.escape(module)}$")
    hits = [int(m.group(1)) for line in err.splitlines() if (m := pattern.match(line.rstrip()))]
    if not hits:
        raise RuntimeError(f"no top-level line for {module!r} in -X importtime output (already imported by site?)")
    return hits[-1] / 1000


def heavy_loaded() -> tuple[list[str], int]:
    """Heavy modules present after ``import runlab`` in a fresh interpreter, and how many modules it added."""
    probe = ("import sys; before = len(sys.modules); import runlab; added = len(sys.modules) - before; "
             f"print(added, *[m for m in {HEAVY!r} if m in sys.modules])")
    added, *loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                                    check=True).stdout.split()
    return loaded, int(added)


def main() -> None:
    imp: dict[str, list[float]] = {m: [] for m in MODULES}
    wall: dict[str, list[float]] = {m: [] for m in ("pass", *MODULES)}
    for _ in range(RUNS):
        for module in MODULES:
            imp[module].append(importtime_ms(module))
        wall["pass"].append(wall_ms("pass"))
        for module in MODULES:
            wall[module].append(wall_ms(f"import {module}"))
    imp_med = {m: median(v) for m, v in imp.items()}
    bare = median(wall["pass"])
    wall_med = {m: median(wall[m]) - bare for m in MODULES}
    loaded, added = heavy_loaded()

    print(f"python {sys.version.split()[0]}, median of {RUNS} fresh interpreters each")
    print(f"{'module':<8} {'-X importtime':>14} {'wall - bare':>12}")
    for module in MODULES:
        print(f"{module:<8} {imp_med[module]:>11.1f} ms {wall_med[module]:>9.1f} ms")
    print(f"bare interpreter (python -c pass): {bare:.1f} ms wall")
    r, j, p = imp_med["runlab"], imp_med["json"], imp_med["pandas"]
    print(f"ratios (importtime): runlab/json = {r / j:.2f}x, runlab/pandas = {r / p:.3f}x")
    rw, jw, pw = wall_med["runlab"], wall_med["json"], wall_med["pandas"]
    print(f"ratios (wall):       runlab/json = {rw / jw:.2f}x, runlab/pandas = {rw / pw:.3f}x")
    print(f"after import runlab: {added} modules added; heavy modules loaded: {loaded or 'none'} "
          f"(checked: {', '.join(HEAVY)})")
    problems = [f"heavy modules loaded: {', '.join(loaded)}"] if loaded else []
    verdict("import runlab (-X importtime)", r, TARGET_MS, "ms", problems)


if __name__ == "__main__":
    main()
