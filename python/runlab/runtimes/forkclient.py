"""Asking this machine's fork server for a ``job`` worker (the server is ``forkserver.py``).

The server listens on a Unix socket under RUNLAB_HOME whose name carries a fingerprint of the Python
executable and runlab's sources, so an upgraded runlab never runs in a stale server. It is started on
demand; if it cannot be reached, ``spawn`` returns None and the caller starts a new interpreter instead.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import time
from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=1)
def _fingerprint() -> str:
    package = Path(__file__).resolve().parent.parent
    stamps = [sys.executable] + [f"{p}:{p.stat().st_mtime_ns}" for p in sorted(package.rglob("*.py"))]
    return hashlib.sha1("\n".join(map(str, stamps)).encode()).hexdigest()[:12]


def socket_path(home: str) -> Path:
    """The socket of the fork server of this runlab and Python, for the store home ``home``."""
    return Path(home) / f"forkserver-{_fingerprint()}.sock"


def spawn(home: str, argv: list[str], env: dict[str, str], cwd: str, err_path: str) -> int | None:
    """Ask the server (started on demand) to fork a worker; its pid, or None to fall back."""
    path = socket_path(home)
    for attempt in range(2):
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
                conn.settimeout(10)
                conn.connect(str(path))
                request = {"argv": argv, "env": env, "cwd": cwd, "err": err_path}
                conn.sendall(json.dumps(request).encode() + b"\n")
                reply = json.loads(conn.makefile().readline() or "{}")
                return int(reply["pid"]) if "pid" in reply else None
        except (OSError, ValueError, KeyError):
            if attempt == 0 and not _start_server(home, path):
                return None
    return None


def _start_server(home: str, path: Path) -> bool:
    Path(home).mkdir(parents=True, exist_ok=True)
    with open(Path(home) / "forkserver.log", "ab") as log:
        subprocess.Popen([sys.executable, "-m", "runlab.runtimes.forkserver", str(path)], stdin=subprocess.DEVNULL,
                         stdout=log, stderr=log, start_new_session=True, env={**os.environ, "RUNLAB_HOME": home})
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if path.exists():
            return True
        time.sleep(0.01)
    return False
