"""Asking this machine's fork server for a ``job`` worker (the server is ``forkserver.py``).

The server listens on a Unix socket under RUNLAB_HOME whose name carries a fingerprint of the Python
executable and runlab's sources, so an upgraded runlab never runs in a stale server. A submission never
waits for it: when no server answers, ``spawn`` returns None at once and the caller starts a new interpreter
for the run, which starts the server (``start_in_background``) once it has loaded its own handler, so that the
two do not compete for the CPU while the first run boots; later runs are forked once its socket is there.

There is at most one server per home (and fingerprint): the server holds ``server_lock_path`` for its life
and exits at once if another holds it, and a client starts one only while holding ``forkserver-*.start.lock``
and seeing that no server holds its lock. The new server inherits that start lock and keeps it until its
socket is up, so the clients that come meanwhile find it taken and start no second one.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

from ..filelock import try_lock


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


def spawn(home: str, argv: list[str], env: dict[str, str], cwd: str, err_path: str,
          notebook: bool = False) -> int | None:
    """Ask the server to fork a worker; its pid, or None (no server is up, or it failed to answer) to fall
    back to a new interpreter. ``notebook``: the run executes a notebook, so the server preloads the notebook
    libraries once it has answered."""
    path = socket_path(home)
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(10)
            conn.connect(str(path))
            request = {"argv": argv, "env": env, "cwd": cwd, "err": err_path, "notebook": notebook}
            conn.sendall(json.dumps(request).encode() + b"\n")
            reply = json.loads(conn.makefile().readline() or "{}")
            return int(reply["pid"]) if "pid" in reply else None
    except (OSError, ValueError, KeyError):  # no server, a dead one's socket, or no answer
        return None


def start_in_background(home: str, env: dict[str, str] | None = None) -> None:
    """Start the fork server of ``home`` (with ``env``, default this process's environment) without waiting
    for it, unless one runs or is being started."""
    path = socket_path(home)
    starting = try_lock(path.with_suffix(".start.lock"))
    if starting is None:
        return  # another client is starting one (the new server holds this lock until its socket is up)
    try:
        running = try_lock(server_lock_path(path))
        if running is None:
            return  # a server runs: still starting, busy preloading, or on its way out
        running.close()
        path.unlink(missing_ok=True)  # no server holds the lock: a socket left there is a dead one's
        argv = [sys.executable, "-m", "runlab.runtimes.forkserver", str(path), str(starting.fileno())]
        with open(Path(home) / "forkserver.log", "ab") as log:
            subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True,
                             pass_fds=(starting.fileno(),), env={**(env or os.environ), "RUNLAB_HOME": home})
    finally:
        starting.close()  # the server has its own copy of the lock now
