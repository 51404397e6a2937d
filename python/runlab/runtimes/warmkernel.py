"""A warm kernel borrowed from the fork server's pool (``kernelpool``), made the run's own before its first cell.

The kernel was started ahead of time in the pool's folder with the environment of an earlier request. Before
the notebook's first cell it takes this run's working folder and environment (what a kernel started by
this worker would have inherited): variables the run adds or changes are set, variables it does not have
are removed, and those the kernel set itself as it started (``TERM``, ``MPLBACKEND``, ...) stay. The pool's
folder in ``sys.path`` becomes the run's folder. When the run ends the kernel is killed, never reused.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Iterator
from typing import Any

from jupyter_client.manager import AsyncKernelManager

from ..config import get_config
from . import kernelpool
from .processes import is_alive, process_start_time

_PREPARE = """\
def _runlab_prepare(cwd, launch_cwd, launch_env, run_env):
    import os, sys
    os.chdir(cwd)
    for key in set(launch_env) | set(run_env):
        set_by_kernel = os.environ.get(key) != launch_env.get(key)
        if set_by_kernel and (key in launch_env or key not in run_env):
            continue
        if key in run_env:
            os.environ[key] = run_env[key]
        else:
            os.environ.pop(key, None)
    sys.path[:] = [cwd if entry == launch_cwd else entry for entry in sys.path]
_runlab_prepare({cwd!r}, {launch_cwd!r}, {launch_env!r}, {run_env!r})
del _runlab_prepare
"""


class BorrowedKernelManager(AsyncKernelManager):
    """A kernel this process did not start (the fork server did): nbclient talks to it through this manager,
    which tells whether it still runs, signals its process group and kills it."""

    def adopt(self, pid: int) -> None:
        self._pid: int | None = pid
        self._started = process_start_time(pid)
        self.clients: list[Any] = []

    @property
    def has_kernel(self) -> bool:
        return getattr(self, "_pid", None) is not None

    def client(self, **kwargs: Any) -> Any:
        client = super().client(**kwargs)
        self.clients.append(client)  # nbclient leaves the clients of a kernel it did not start open
        return client

    async def _async_is_alive(self) -> bool:
        return self._pid is not None and is_alive(self._pid, self._started)

    async def _async_signal_kernel(self, signum: int) -> None:
        if self._pid is None or not is_alive(self._pid, self._started):
            raise RuntimeError("Cannot signal kernel. No kernel is running!")
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self._pid, signum)  # the kernel leads its own process group, as jupyter_client starts it

    is_alive = _async_is_alive
    signal_kernel = _async_signal_kernel

    def kill(self) -> None:
        """Close the clients and kill the kernel's process group (its exit is collected by the fork server)."""
        for client in self.clients:
            client.stop_channels()
        self.clients.clear()
        pid, self._pid = self._pid, None
        if pid is not None and is_alive(pid, self._started):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)


class WarmKernel:
    """A kernel of the pool lent for one notebook run."""

    def __init__(self, kernel_name: str, loan: kernelpool.Loan) -> None:
        self._loan = loan
        self.manager = BorrowedKernelManager(kernel_name=kernel_name, connection_file=loan.connection_file)
        self.manager.load_connection_file()
        self.manager.adopt(loan.pid)
        self.prepared = False

    def engine_kwargs(self) -> dict[str, Any]:
        """papermill's engine arguments that run the notebook in this kernel (prepared before the first cell)."""
        return {"km": self.manager, "on_notebook_start": self._prepare}

    async def _prepare(self, notebook: Any = None, **_: Any) -> None:
        """nbclient's hook once its client is connected: the run's folder, environment and ``sys.path``."""
        client = self.manager.clients[-1]
        code = _PREPARE.format(cwd=os.getcwd(), launch_cwd=self._loan.cwd, launch_env=self._loan.env,
                               run_env=dict(os.environ))
        msg_id = client.execute(code, silent=True, store_history=False, allow_stdin=False)
        deadline = time.monotonic() + 60
        while True:
            reply = await client.get_shell_msg(timeout=max(0.1, deadline - time.monotonic()))
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        content = reply["content"]
        if content["status"] != "ok":
            raise RuntimeError(f"the warm kernel could not take the run's environment: "
                               f"{content.get('ename')}: {content.get('evalue')}")
        self.prepared = True


@contextlib.contextmanager
def warm_kernel(kernel_name: str) -> Iterator[WarmKernel | None]:
    """A prepared-on-start kernel of the fork server's pool for this run, killed when the block ends; None
    when there is none (no fork server, the pool is off or empty, or the kernel is not one it keeps)."""
    loan = kernelpool.borrow(kernel_name, dict(os.environ), get_config().kernel_pool)
    if loan is None:
        yield None
        return
    try:
        kernel = WarmKernel(kernel_name, loan)
    except (OSError, ValueError):  # a connection file gone or unreadable only means a cold kernel
        with contextlib.suppress(ProcessLookupError):
            os.killpg(loan.pid, signal.SIGKILL)
        yield None
        return
    try:
        yield kernel
    finally:
        kernel.manager.kill()
