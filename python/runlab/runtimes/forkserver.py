"""A per-machine fork server that starts ``job`` workers with runlab and SQLAlchemy already imported:
``python -m runlab.runtimes.forkserver SOCKET [START_LOCK_FD]`` (``forkclient`` starts it and talks to it).

A new interpreter spends ~220 ms importing what a worker needs; forking a process that has done it once
costs a few ms. The server is detached (its own session), listens on a Unix socket under RUNLAB_HOME,
forks one worker per request (each in a session of its own, with the submitter's environment and
folder), records a worker that dies without reporting, and exits after ``forkserver_idle`` seconds
without work. It holds ``forkclient.server_lock_path`` for its life: a second server of the same socket
exits at once; it closes the start lock it inherited (``START_LOCK_FD``) once its socket is up.

It imports only what every worker needs before it answers (it stays small: about 40 MB against 9 MB for a
bare interpreter). The notebook libraries (papermill, nbconvert, nbclient: ~100 MB and seconds to import)
are preloaded only after it has forked the worker of a notebook run, with its socket out of sight
meanwhile, so that submissions then start new interpreters instead of waiting for it. Once a notebook
run asks for one, it also keeps warm notebook kernels for its workers (``kernelpool``).
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
from . import kernelpool, notebook
from .forkclient import server_lock_path
from .jobworker import main as worker_main
from .processes import record_death

_PRELOAD = ("runlab.store.runstore",)  # SQLAlchemy; the worker's own modules come with jobworker above
_NOTEBOOK_PRELOAD = ("papermill", "nbconvert", "nbclient")  # when installed, once a notebook run came


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


def _preload_notebook_libraries(listener: socket.socket, path: str) -> None:
    """Import what notebook runs need, with the socket renamed out of sight meanwhile (a client that finds
    no socket starts a new interpreter at once); requests already queued are answered first."""
    import importlib

    hidden = f"{path}.preloading"
    os.replace(path, hidden)
    try:
        listener.setblocking(False)
        try:
            while True:
                try:
                    conn, _ = listener.accept()
                except BlockingIOError:
                    break
                conn.setblocking(True)
                _serve_one(listener, conn, path)
        finally:
            listener.settimeout(get_config().forkserver_idle)
        for module in _NOTEBOOK_PRELOAD:
            with contextlib.suppress(ImportError):
                importlib.import_module(module)
        with contextlib.suppress(ImportError):  # no notebook libraries: notebook runs fail on their own
            notebook.warm_up()
    finally:
        os.replace(hidden, path)


def _serve_one(listener: socket.socket, conn: socket.socket, path: str) -> bool:
    """Answer one request: lend a warm kernel, or fork the worker ``conn`` asks for and answer with its
    pid; True if that worker runs a notebook."""
    with conn:
        request = json.loads(conn.makefile().readline())
        if "kernel" in request:
            _lend_kernel(conn, request)
            return False
        argv = request["argv"]
        # a worker that dies at once must still be known when its SIGCHLD is handled
        with _sigchld_blocked():
            pid = os.fork()
            if pid == 0:
                _child(listener, conn, request, path)
            _children[pid] = (argv[0], int(argv[1]))
        conn.sendall(json.dumps({"pid": pid}).encode() + b"\n")
    return bool(request.get("notebook"))


def serve(path: str, start_lock_fd: int | None = None) -> None:
    """Accept fork requests on ``path`` until idle for ``forkserver_idle`` seconds; return at once when
    another server of ``path`` runs. ``start_lock_fd``: the client's start lock, closed once the socket
    is up (or at exit)."""
    import importlib

    global _lock
    _lock = try_lock(server_lock_path(Path(path)))
    if _lock is None:
        return

    for module in _PRELOAD:
        importlib.import_module(module)
    signal.signal(signal.SIGCHLD, _reap_children)
    tmp = f"{path}.{os.getpid()}"
    notebook_ready = False
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
        listener.bind(tmp)
        listener.listen(64)
        os.replace(tmp, path)  # appear only when ready to accept
        if start_lock_fd is not None:
            os.close(start_lock_fd)  # before any fork: a worker must not hold it
        listener.settimeout(get_config().forkserver_idle)
        try:
            while True:
                try:
                    conn, _ = listener.accept()
                except TimeoutError:
                    if not _children:
                        return
                    continue
                if _serve_one(listener, conn, path) and not notebook_ready:
                    notebook_ready = True
                    _preload_notebook_libraries(listener, path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
            if _pool is not None:
                with _sigchld_blocked():
                    _pool.close()


if __name__ == "__main__":
    serve(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else None)
