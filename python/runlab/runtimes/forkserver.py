"""A per-machine fork server that starts ``job`` workers with runlab and SQLAlchemy already imported:
``python -m runlab.runtimes.forkserver SOCKET`` (``forkclient`` starts it and talks to it).

A new interpreter spends ~220 ms importing what a worker needs; forking a process that has done it once
costs a few ms. The server is detached (its own session), listens on a Unix socket under RUNLAB_HOME,
forks one worker per request (each in a session of its own, with the submitter's environment and
folder), records a worker that dies without reporting, and exits after ``forkserver_idle`` seconds
without work. It holds ``forkclient.server_lock_path`` for its life: a second server of the same socket
exits at once. Once a notebook run asks for one, it also keeps warm notebook kernels for its workers
(``kernelpool``).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from .. import process
from ..config import get_config
from ..filelock import try_lock
from ..store import get_store
from . import kernelpool
from .forkclient import server_lock_path
from .jobworker import main as worker_main
from .processes import record_death

_PRELOAD = ("runlab.store.runstore",)  # SQLAlchemy; the worker's own modules come with jobworker above
_PRELOAD_IF_INSTALLED = ("papermill", "nbconvert", "runlab.runtimes.notebook")


_children: dict[int, tuple[str, int]] = {}
_lock: IO[str] | None = None  # the lifetime lock, closed in each worker so that it dies with the server
_pool: kernelpool.KernelPool | None = None  # warm notebook kernels, started by the first notebook run


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
        if _pool is not None and run is not None:
            _pool.worker_ended(pid)
        elif _pool is not None:
            _pool.reaped(pid)


def _record_silent_death(pid: int, run: tuple[str, int], code: int) -> None:
    how = f"was killed by signal {-code}" if code < 0 else f"exited with code {code}"
    with contextlib.suppress(Exception):  # the server must outlive a store hiccup; the reaper is the backstop
        record_death(get_store(), run[0], run[1], f"process {pid} {how} without reporting")


@contextlib.contextmanager
def _sigchld_blocked() -> Iterator[None]:
    """Hold off the SIGCHLD handler while the children and the pool are being changed."""
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGCHLD})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD})


def _lend_kernel(conn: socket.socket, request: dict) -> None:
    """A worker asks for a warm kernel: answer at once, then start its replacement."""
    global _pool
    with _sigchld_blocked():
        if _pool is None:
            _pool = kernelpool.KernelPool(Path(get_config().home) / "kernels" / str(os.getpid()))
        reply = _pool.lend(request)
    conn.sendall(json.dumps(reply).encode() + b"\n")
    with _sigchld_blocked():
        _pool.refill()


def _child(listener: socket.socket, conn: socket.socket, request: dict, path: str) -> None:
    """In the forked worker: become a session leader with the submitter's env and folder, then work."""
    listener.close()
    conn.close()
    if _lock is not None:
        _lock.close()
    os.setsid()
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD})
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
        process.reset()  # the submitter's settings (and stores), not the server's
        kernelpool.serve_from(path)
        code = worker_main(request["argv"])
    except BaseException:  # noqa: BLE001 - reported on stderr (the boot log); the exit code says it failed
        import traceback

        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def serve(path: str) -> None:
    """Accept fork requests on ``path`` until idle for ``forkserver_idle`` seconds; return at once when
    another server of ``path`` runs."""
    import importlib

    global _lock
    _lock = try_lock(server_lock_path(Path(path)))
    if _lock is None:
        return

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
        listener.settimeout(get_config().forkserver_idle)
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
                    if "kernel" in request:
                        _lend_kernel(conn, request)
                        continue
                    argv = request["argv"]
                    # a worker that dies at once must still be known when its SIGCHLD is handled
                    with _sigchld_blocked():
                        pid = os.fork()
                        if pid == 0:
                            _child(listener, conn, request, path)
                        _children[pid] = (argv[0], int(argv[1]))
                    conn.sendall(json.dumps({"pid": pid}).encode() + b"\n")
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
            if _pool is not None:
                with _sigchld_blocked():
                    _pool.close()


if __name__ == "__main__":
    serve(sys.argv[1])
