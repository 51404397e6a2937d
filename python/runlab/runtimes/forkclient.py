"""Asking this machine's fork server for a ``job`` worker (the server is ``forkserver.py``).

The server listens on a Unix socket under RUNLAB_HOME whose name carries a fingerprint of the Python
executable and runlab's sources, so an upgraded runlab never runs in a stale server. It is started on
demand; if it cannot be reached, ``spawn`` returns None and the caller starts a new interpreter instead.

There is at most one server per home (and fingerprint): the server holds ``server_lock_path`` for its life
and exits at once if another holds it, and a client starts one only under ``forkserver-*.start.lock``
after seeing that none holds it (a server still starting is waited for, not doubled).
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

from ..filelock import file_lock, try_lock


@lru_cache(maxsize=1)
def _fingerprint() -> str:
    package = Path(__file__).resolve().parent.parent
    stamps = [sys.executable] + [f"{p}:{p.stat().st_mtime_ns}" for p in sorted(package.rglob("*.py"))]
    return hashlib.sha1("\n".join(map(str, stamps)).encode()).hexdigest()[:12]


def socket_path(home: str) -> Path:
    """The socket of the fork server of this runlab and Python, for the store home ``home``."""
    return Path(home) / f"forkserver-{_fingerprint()}.sock"


def server_lock_path(sock: Path) -> Path:
    """The lock file the server of socket ``sock`` holds for as long as it lives."""
    return sock.with_suffix(".lock")


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
    """Make sure the server of ``path`` runs: start it unless one runs or is starting (or, if that one was
    on its way out, once it is gone); True once its socket is there."""
    with file_lock(path.with_suffix(".start.lock")):  # one client at a time decides whether to start one
        server = None
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if path.exists():
                return True
            if server is None:
                server = _start_unless_running(home, path)
            elif server.poll() is not None:  # it found another server holding the lock, or it failed
                return path.exists()
            time.sleep(0.01)
        return False


def _start_unless_running(home: str, path: Path) -> subprocess.Popen | None:
    """Start the server of ``path`` if no process holds its lock; the new process, or None."""
    free = try_lock(server_lock_path(path))
    if free is None:
        return None
    free.close()
    path.unlink(missing_ok=True)  # no server holds the lock: a socket left there is a dead one's
    with open(Path(home) / "forkserver.log", "ab") as log:
        return subprocess.Popen([sys.executable, "-m", "runlab.runtimes.forkserver", str(path)],
                                stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True,
                                env={**os.environ, "RUNLAB_HOME": home})
