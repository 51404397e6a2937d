"""Shared helpers of the benchmark scripts: a fresh store, percentiles and a verdict line."""

from __future__ import annotations

import atexit
import os
import shutil
import statistics
import sys
import tempfile


def fresh_home(cleanup: bool = False) -> str:
    """Point runlab at an empty RUNLAB_HOME for this process (call it before importing runlab).

    With ``cleanup`` the folder is deleted when the process exits, unless ``--keep`` was passed.
    """
    home = tempfile.mkdtemp(prefix="runlab-bench-")
    os.environ["RUNLAB_HOME"] = home
    if cleanup and "--keep" not in sys.argv:
        atexit.register(shutil.rmtree, home, ignore_errors=True)
    return home


def median(values: list[float]) -> float:
    return statistics.median(values)


def percentile(values: list[float], pct: int) -> float:
    """The ``pct``-th percentile (1..99) of ``values`` (inclusive method: within the observed range)."""
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1]


def verdict(name: str, value: float, target: float, unit: str, problems: list[str] | None = None) -> bool:
    """Print ``PASS``/``FAIL`` for ``value < target`` (and no ``problems``); ``--strict`` exits 1 on FAIL."""
    ok = value < target and not problems
    extra = "".join(f"; {p}" for p in problems or [])
    print(f"{'PASS' if ok else 'FAIL'}: {name} {value:.3g} {unit} (target < {target:g} {unit}){extra}", flush=True)
    if not ok and "--strict" in sys.argv:
        sys.exit(1)
    return ok


def ratio_verdict(name: str, value: float, floor: float, max_ratio: float, unit: str,
                  problems: list[str] | None = None) -> bool:
    """Print ``PASS``/``FAIL`` for ``value / floor <= max_ratio`` (and no ``problems``), with both figures;
    ``--strict`` exits 1 on FAIL."""
    ratio = value / floor
    ok = ratio <= max_ratio and not problems
    extra = "".join(f"; {p}" for p in problems or [])
    print(f"{'PASS' if ok else 'FAIL'}: {name} {ratio:.2f}x (target <= {max_ratio:g}x): {value:.3g} {unit} "
          f"against {floor:.3g} {unit}{extra}", flush=True)
    if not ok and "--strict" in sys.argv:
        sys.exit(1)
    return ok
