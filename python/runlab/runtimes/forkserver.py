"""A per-machine fork server that starts ``job`` workers with runlab and SQLAlchemy already imported.

A new interpreter spends ~220 ms importing what a worker needs; forking a process that has done it once
costs a few ms. The server is detached (its own session), listens on a Unix socket under RUNLAB_HOME,
forks one worker per request (each in a session of its own, with the submitter's environment and
folder), records a worker that dies without reporting, and exits after ``IDLE`` seconds without work.
Its socket name carries a fingerprint of the Python executable and runlab's sources, so an upgraded
runlab never runs in a stale server. If the server cannot be reached, ``job`` falls back to a plain
subprocess.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

IDLE = float(os.environ.get("RUNLAB_FORKSERVER_IDLE", "300"))
_PRELOAD = ("runlab.runtimes.jobworker", "runlab.runtimes.worker", "runlab.store.runstore", "runlab.functions",
            "runlab.context", "runlab.binding", "runlab.runtimes.job")
_PRELOAD_IF_INSTALLED = ("papermill", "nbconvert", "runlab.runtimes.notebook")


def _fingerprint() -> str:
    package = Path(__file__).resolve().parent.parent
    stamps = [sys.executable] + [f"{p}:{p.stat().st_mtime_ns}" for p in sorted(package.rglob("*.py"))]
    return hashlib.sha1("\n".join(map(str, stamps)).encode()).hexdigest()[:12]


def socket_path(home: str) -> Path:
    return Path(home) / f"forkserver-{_fingerprint()}.sock"


# -- client ------------------------------------------------------------------------------------------


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


# -- server ------------------------------------------------------------------------------------------

_children: dict[int, tuple[str, int]] = {}


def _reap_children(signum: int, frame: object) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        run = _children.pop(pid, None)
        if run is not None and os.waitstatus_to_exitcode(status) != 0:
            _record_silent_death(pid, run, os.waitstatus_to_exitcode(status))


def _record_silent_death(pid: int, run: tuple[str, int], code: int) -> None:
    from ..store import get_store

    how = f"was killed by signal {-code}" if code < 0 else f"exited with code {code}"
    now = time.time()
    with contextlib.suppress(Exception):  # the server must outlive a store hiccup; the reaper is the backstop
        store = get_store()
        store.update_run_if(run[0], run[1], {"state": "error", "error": f"process {pid} {how} without reporting",
                                             "end_time": now, "last_update": now}, ("pending", "running"))
        store.update_run_if(run[0], run[1], {"state": "aborted", "error": "aborted by request", "end_time": now,
                                             "last_update": now}, ("aborting",))


def _child(listener: socket.socket, conn: socket.socket, request: dict) -> None:
    """In the forked worker: become a session leader with the submitter's env and folder, then work."""
    listener.close()
    conn.close()
    os.setsid()
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    os.environ.clear()
    os.environ.update(request["env"])
    code = 1
    try:
        os.chdir(request["cwd"])
        err = os.open(request["err"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        null = os.open(os.devnull, os.O_RDWR)
        os.dup2(null, 0)
        os.dup2(null, 1)
        os.dup2(err, 2)
        from ..config import reset_config
        from .jobworker import main

        reset_config()  # the submitter's settings, not the server's
        code = main(request["argv"])
    except BaseException:  # noqa: BLE001 - reported on stderr (the boot log); the exit code says it failed
        import traceback

        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def serve(path: str) -> None:
    """Accept fork requests on ``path`` until idle for ``IDLE`` seconds."""
    import importlib

    for module in _PRELOAD:
        importlib.import_module(module)
    for module in _PRELOAD_IF_INSTALLED:  # what notebook runs need, when it is installed
        with contextlib.suppress(ImportError):
            importlib.import_module(module)
    if "runlab.runtimes.notebook" in sys.modules:
        sys.modules["runlab.runtimes.notebook"].warm_up()
    signal.signal(signal.SIGCHLD, _reap_children)
    tmp = f"{path}.{os.getpid()}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
        listener.bind(tmp)
        listener.listen(64)
        os.replace(tmp, path)  # appear only when ready to accept
        listener.settimeout(IDLE)
        try:
            while True:
                try:
                    conn, _ = listener.accept()
                except TimeoutError:
                    if not _children:
                        return
                    continue
                with conn:
                    request = json.loads(conn.makefile().readline())
                    pid = os.fork()
                    if pid == 0:
                        _child(listener, conn, request)
                    argv = request["argv"]
                    _children[pid] = (argv[0], int(argv[1]))
                    conn.sendall(json.dumps({"pid": pid}).encode() + b"\n")
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)


if __name__ == "__main__":
    serve(sys.argv[1])
