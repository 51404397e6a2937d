"""Shared helpers of the benchmark scripts: a fresh store and a verdict line."""

from __future__ import annotations

import os
import statistics
import sys
import tempfile


def fresh_home() -> str:
    """Point runlab at an empty RUNLAB_HOME for this process."""
    home = tempfile.mkdtemp(prefix="runlab-bench-")
    os.environ["RUNLAB_HOME"] = home
    return home


def median(values: list[float]) -> float:
    return statistics.median(values)


def verdict(name: str, value: float, target: float, unit: str) -> bool:
    ok = value < target
    print(f"{'PASS' if ok else 'FAIL'}: {name} {value:.3g} {unit} (target < {target:g} {unit})")
    if not ok and "--strict" in sys.argv:
        sys.exit(1)
    return ok
