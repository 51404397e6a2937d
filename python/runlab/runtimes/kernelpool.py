"""Warm notebook kernels kept by the fork server, lent one at a time to the workers it forked.

Starting a kernel costs a notebook run most of a second (the kernel imports IPython before it answers).
The fork server keeps ``kernel_pool`` kernels started ahead of time for each kernel name a notebook run
asked for; a worker borrows one over the server's socket (``borrow``), prepares it for its run
(``warmkernel``) and stops it when the run ends. Each kernel serves one run: a fresh namespace per run.
The pool starts with the first notebook run and refills after each loan.

No kernel outlives the server: each is started with a parent-death signal (Linux) and ``JPY_PARENT_PID``
(ipykernel exits when that parent is gone), the server stops its kernels when it exits, and it kills
the kernel lent to a worker that dies without stopping it. A kernel is lent only when the variables read
at interpreter start (``PYTHON*``, ``LD_*``, ``JUPYTER*``, ``IPYTHON*``) are the run's; otherwise the run
starts its own kernel and the pool restarts its kernels with the new values.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import signal
import socket
import subprocess
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import process

# read by the interpreter (or IPython, or the kernel spec lookup) when the kernel starts, not later
_STARTUP_PREFIXES = ("PYTHON", "LD_", "JUPYTER", "IPYTHON")
_PR_SET_PDEATHSIG = 1

_server_socket: str | None = None  # set in a worker forked by the fork server: where to borrow kernels


def serve_from(path: str | None) -> None:
    """In a forked worker: the socket of the fork server that forked it (None: no pool)."""
    global _server_socket
    _server_socket = path


process.on_reset("runtimes.kernelpool", "the fork server a forked worker borrows warm kernels from",
                 lambda: serve_from(None))


def startup_env(env: dict[str, str]) -> dict[str, str]:
    """The variables of ``env`` that act only when a kernel starts."""
    return {k: v for k, v in env.items() if k.startswith(_STARTUP_PREFIXES)}


@dataclass
class Loan:
    """A warm kernel lent to this worker: its process, connection file, and how it was started."""

    pid: int
    connection_file: str
    env: dict[str, str]
    cwd: str


def borrow(kernel_name: str, env: dict[str, str], size: int) -> Loan | None:
    """Ask the fork server for a warm ``kernel_name`` kernel for a run with environment ``env`` (the pool
    keeps ``size`` of them; 0 empties it); None when there is none (the run starts its own kernel)."""
    if _server_socket is None:
        return None
    request = {"kernel": kernel_name, "env": env, "size": size, "worker": os.getpid()}
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(5)
            conn.connect(_server_socket)
            conn.sendall(json.dumps(request).encode() + b"\n")
            reply = json.loads(conn.makefile().readline() or "{}")
    except (OSError, ValueError):
        return None  # no server to ask: a cold kernel, as without a pool
    if "pid" not in reply:
        return None
    return Loan(int(reply["pid"]), reply["connection_file"], reply["env"], reply["cwd"])


@dataclass
class _Kernel:
    pid: int
    name: str
    connection_file: Path
    env: dict[str, str]
    process: subprocess.Popen = field(repr=False)  # kept so that its exit is not reported as lost


class KernelPool:
    """The fork server's warm kernels. Its methods run in the server's main thread with SIGCHLD blocked,
    except ``reaped`` and ``worker_ended``, which the server's SIGCHLD handler calls."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._size = 0
        self._wanted: dict[str, dict[str, str]] = {}  # kernel name -> the env new ones start with
        self._ready: list[_Kernel] = []
        self._lent: dict[int, _Kernel] = {}  # worker pid -> its kernel, until the kernel is reaped
        self._live: dict[int, _Kernel] = {}  # kernel pid -> kernel, until reaped
        self._can_pool: dict[str, bool] = {}  # kernel name -> whether the pool may start it

    def lend(self, request: dict[str, Any]) -> dict[str, Any]:
        """Answer a worker's request: a ready kernel of that name started with the same startup variables,
        or ``{}``. Kernels started with other startup variables are stopped (``refill`` starts new ones)."""
        name, env, worker = request["kernel"], request["env"], int(request["worker"])
        self._size = max(0, int(request["size"]))
        if name not in self._can_pool:
            self._can_pool[name] = _poolable(name)
        if self._size == 0 or not self._can_pool[name]:
            self._wanted.pop(name, None)
            self._drain(lambda k: k.name == name or self._size == 0)
            return {}
        wanted = startup_env(env)
        self._drain(lambda k: k.name == name and startup_env(k.env) != wanted)
        self._wanted[name] = {k: v for k, v in env.items() if not k.startswith("RUNLAB_RUN_")}
        kernel = next((k for k in self._ready if k.name == name), None)
        if kernel is None:
            return {}
        self._ready.remove(kernel)
        self._lent[worker] = kernel
        return {"pid": kernel.pid, "connection_file": str(kernel.connection_file), "env": kernel.env,
                "cwd": str(self._folder)}

    def refill(self) -> None:
        """Start kernels until each wanted name has ``size`` ready ones."""
        for name, env in list(self._wanted.items()):
            for _ in range(self._size - sum(k.name == name for k in self._ready)):
                try:
                    kernel = self._start(name, env)
                except OSError as exc:  # the kernel's program cannot run: runs start their own kernels
                    print(f"runlab kernel pool: cannot start a {name} kernel: {exc}", file=sys.stderr, flush=True)
                    self._can_pool[name] = False
                    self._wanted.pop(name)
                    break
                self._ready.append(kernel)
                self._live[kernel.pid] = kernel

    def reaped(self, pid: int) -> None:
        """A child of the server exited: forget it if it was a kernel, and remove its connection file."""
        kernel = self._live.pop(pid, None)
        if kernel is None:
            return
        if kernel in self._ready:
            self._ready.remove(kernel)
        for worker, lent in list(self._lent.items()):
            if lent is kernel:
                del self._lent[worker]
        kernel.process.returncode = 0  # collected here, not by Popen
        kernel.connection_file.unlink(missing_ok=True)

    def worker_ended(self, pid: int) -> None:
        """A worker exited: stop the kernel it borrowed if it is still running (the worker was killed)."""
        kernel = self._lent.pop(pid, None)
        if kernel is not None and kernel.pid in self._live:
            _kill(kernel.pid)

    def close(self) -> None:
        """Stop every kernel of the pool (the server is exiting)."""
        for kernel in list(self._live.values()):
            _kill(kernel.pid)
            kernel.connection_file.unlink(missing_ok=True)
        self._live.clear()
        self._ready.clear()
        self._lent.clear()
        with contextlib.suppress(OSError):
            self._folder.rmdir()

    def _drain(self, which: Callable[[_Kernel], bool]) -> None:
        for kernel in [k for k in self._ready if which(k)]:
            self._ready.remove(kernel)
            _kill(kernel.pid)

    def _start(self, name: str, env: dict[str, str]) -> _Kernel:
        from jupyter_client.connect import write_connection_file
        from jupyter_client.manager import KernelManager
        from jupyter_client.session import new_id_bytes

        self._folder.mkdir(parents=True, exist_ok=True)
        path = self._folder / f"kernel-{uuid.uuid4().hex}.json"
        write_connection_file(str(path), key=new_id_bytes(), kernel_name=name)
        # the manager only formats the spec's command line; it never wrote the file, so never removes it
        command = KernelManager(kernel_name=name, connection_file=str(path)).format_kernel_cmd()
        launch_env = {**env, "JPY_PARENT_PID": str(os.getpid())}
        launch_env.pop("PYTHONEXECUTABLE", None)  # as jupyter_client does for Python kernels
        try:
            process = subprocess.Popen(command, env=launch_env, cwd=self._folder, stdin=subprocess.DEVNULL,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                       start_new_session=True, preexec_fn=_die_with_parent(os.getpid()))
        except OSError:
            path.unlink(missing_ok=True)
            raise
        return _Kernel(process.pid, name, path, env, process)


def _poolable(name: str) -> bool:
    """Only kernels that jupyter_client would start as a plain local process with no extra variables."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        spec = KernelSpecManager().get_kernel_spec(name)
    except NoSuchKernel:
        return False
    provisioner = (spec.metadata or {}).get("kernel_provisioner", {}).get("provisioner_name", "local-provisioner")
    return provisioner == "local-provisioner" and not spec.env and spec.interrupt_mode == "signal"


def _die_with_parent(parent: int):
    """A ``preexec_fn``: the kernel gets SIGKILL when the server dies, and takes signals the server blocks."""
    prctl = None
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            prctl = ctypes.CDLL(None, use_errno=True).prctl

    def prepare() -> None:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD})
        if prctl is not None:
            prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the server died before the signal was armed
            os._exit(1)

    return prepare


def _kill(pid: int) -> None:
    """SIGKILL the kernel's process group (it leads its own session, its children go with it)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
