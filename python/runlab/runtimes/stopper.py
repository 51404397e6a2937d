"""Stopping an attempt that runs past its run's ``timeout``, in the process that runs the handler (so the timer
lives as long as the run does, whoever started it).

Every handler stops at its next commit after the deadline (``RunContext.commit`` raises ``RunTimedOut``). A
process of its own (a ``job`` run) is also interrupted at once by ``SIGALRM``, and, should the handler
swallow that or hang in native code, the run is recorded ``error`` and the process group killed after the
abort grace period. On a Dask worker the handler's thread gets ``RunTimedOut`` raised in it (at its next
bytecode; should it sit in one long native call, the submitting process restarts its worker once the run's
whole budget is spent: ``dask._stop_overdue``). Either way the processes the handler started meanwhile are
killed with it.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..config import get_config
from ..context import RunTimedOut
from ..record import RunState
from . import clock
from .base import wait_until
from .processes import is_alive, stat_fields

if TYPE_CHECKING:
    from ..context import RunContext
    from ..store.runstore import RunStore

_FORK_SERVER = "runlab.runtimes.forkserver"
"""A job worker may start the fork server as its child: it serves later runs and is never the handler's."""


@contextlib.contextmanager
def timeout_stopper(timeout: float | None, context: RunContext, stop: str, store: RunStore) -> Iterator[None]:
    """Bound the block (the handler's call) by ``timeout`` seconds, stopping it as ``stop`` says (``commit``,
    ``signal`` or ``thread``; see the module's docstring); no bound when ``timeout`` is None."""
    if timeout is None:
        yield
        return
    before = descendants()
    context._deadline = (time.monotonic() + timeout, timeout)
    calls: list[clock.Call] = []
    if stop == "signal":
        previous = signal.signal(signal.SIGALRM, _raise_timed_out(timeout))
        signal.setitimer(signal.ITIMER_REAL, timeout)
        calls.append(clock.call_later(timeout + get_config().abort_grace,
                                      lambda: _kill_own_group(store, context, timeout, before)))
    elif stop == "thread":
        calls.append(clock.call_later(timeout, _interrupt_thread(threading.get_ident(), before)))
    try:
        yield
    except RunTimedOut:
        kill_new_descendants(before)
        raise
    finally:
        context._deadline = None
        for call in calls:
            clock.cancel(call)
        if stop == "signal":
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)


def _raise_timed_out(timeout: float):
    def handler(signum, frame) -> None:
        raise RunTimedOut(f"timed out after {timeout:g} s")
    return handler


def _interrupt_thread(ident: int, before: dict[int, int | None]):
    """Raise ``RunTimedOut`` in the thread ``ident`` (at its next bytecode) and kill what it started."""
    def interrupt() -> None:
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), ctypes.py_object(RunTimedOut))
        kill_new_descendants(before)
    return interrupt


def _kill_own_group(store: RunStore, context: RunContext, timeout: float, before: dict[int, int | None]) -> None:
    """The handler did not stop on the signal: record the timeout and kill this process's group."""
    now = time.time()
    store.update_run_if(context.uid, context.iteration, {
        "state": RunState.ERROR, "error": f"timed out after {timeout:g} s", "end_time": now, "last_update": now,
    }, (RunState.RUNNING,))
    kill_new_descendants(before)
    os.killpg(os.getpgid(0), signal.SIGKILL)


def descendants() -> dict[int, int | None]:
    """This process's descendants (read from ``/proc``): pid -> its start time, to tell a reused pid apart."""
    children: dict[int, list[tuple[int, int]]] = {}  # parent's pid -> (pid, start time) of each child
    for name in os.listdir("/proc"):
        if name.isdigit() and (fields := stat_fields(int(name))) is not None:  # None: gone meanwhile
            children.setdefault(int(fields[1]), []).append((int(name), int(fields[19])))
    found: dict[int, int | None] = {}
    todo = [os.getpid()]
    while todo:
        for pid, started in children.get(todo.pop(), []):
            if pid not in found:
                found[pid] = started
                todo.append(pid)
    return found


def kill_new_descendants(before: dict[int, int | None]) -> None:
    """Kill this process's descendants that were not in ``before`` (the fork server excepted) and wait until
    they are gone."""
    victims = []
    for pid, started in descendants().items():
        if before.get(pid, -1) == started or _is_fork_server(pid):
            continue
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
            victims.append((pid, started))
    wait_until(lambda: not any(is_alive(pid, started) for pid, started in victims), 5.0)


def _is_fork_server(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            return _FORK_SERVER.encode() in cmdline.read()
    except OSError:
        return False
