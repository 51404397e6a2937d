"""Shared helpers of the benchmark scripts: a fresh store, percentiles and a verdict line."""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import signal
import statistics
import sys
import tempfile
from pathlib import Path


def fresh_home(cleanup: bool = False) -> str:
    """Point runlab at an empty RUNLAB_HOME for this process (call it before importing runlab).

    With ``cleanup`` the folder is deleted when the process exits, unless ``--keep`` was passed.
    """
    home = tempfile.mkdtemp(prefix="runlab-bench-")
    os.environ["RUNLAB_HOME"] = home
    if cleanup and "--keep" not in sys.argv:
        atexit.register(shutil.rmtree, home, ignore_errors=True)
    atexit.register(stop_fork_servers, home)  # registered last, so it runs first: no server outlives the script
    return home


def stop_fork_servers(home: str) -> None:
    """SIGTERM to every fork server of ``home`` (processes started with a socket under it)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"runlab.runtimes.forkserver" in argv and any(a.startswith(home.encode()) for a in argv):
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(entry.name), signal.SIGTERM)


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


def ratio_verdict(name: str, value: float, floor: float, max_ratio: float, unit: str = "ms",
                  problems: list[str] | None = None, floor_name: str = "floor") -> bool:
    """Print ``PASS``/``FAIL`` for ``value / floor <= max_ratio`` (and no ``problems``), the floor measured in
    the same run; ``--strict`` exits 1 on FAIL."""
    ratio = value / floor
    ok = ratio <= max_ratio and not problems
    extra = "".join(f"; {p}" for p in problems or [])
    print(f"{'PASS' if ok else 'FAIL'}: {name} {ratio:.3g}x {floor_name} (target <= {max_ratio:g}x) "
          f"[{value:.3g} {unit} vs {floor:.3g} {unit}]{extra}", flush=True)
    if not ok and "--strict" in sys.argv:
        sys.exit(1)
    return ok


def ratio_info(name: str, value: float, floor: float, unit: str = "ms", floor_name: str = "floor",
               note: str = "") -> float:
    """Print an ``INFO`` line of ``value / floor`` (the floor measured in the same run) for a figure with no
    target yet; returns the ratio."""
    ratio = value / floor
    extra = f"; {note}" if note else ""
    print(f"INFO: {name} {ratio:.3g}x {floor_name} (no target yet) [{value:.3g} {unit} vs {floor:.3g} {unit}]"
          f"{extra}", flush=True)
    return ratio
