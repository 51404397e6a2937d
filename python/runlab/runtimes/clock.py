"""One thread per process that calls functions when their time comes: what is due later costs a heap push,
not a thread of its own (a Dask worker arms a timer for every run it executes, and most runs end first)."""

from __future__ import annotations

import contextlib
import heapq
import itertools
import os
import threading
import time
from collections.abc import Callable

from .. import process


class Call:
    """A call due at ``when`` (``time.monotonic``); cancel it with :func:`cancel`."""

    __slots__ = ("func", "order", "when")

    def __init__(self, when: float, order: int, func: Callable[[], object] | None) -> None:
        self.when, self.order, self.func = when, order, func

    def __lt__(self, other: Call) -> bool:
        return (self.when, self.order) < (other.when, other.order)


_due: list[Call] = []  # a heap, soonest first; cancelled calls stay until their time and are skipped
_order = itertools.count()
_changed = threading.Condition()
_thread: threading.Thread | None = None


def call_later(delay: float, func: Callable[[], object]) -> Call:
    """Call ``func`` (on the clock's thread) ``delay`` seconds from now, unless cancelled first. Whatever it
    raises is dropped: it must not stop the calls due after it."""
    global _thread
    call = Call(time.monotonic() + delay, next(_order), func)
    with _changed:
        heapq.heappush(_due, call)
        if _thread is None:
            _thread = threading.Thread(target=_run, name="runlab-clock", daemon=True)
            _thread.start()
        elif _due[0] is call:  # sooner than what the thread sleeps until
            _changed.notify()
    return call


def cancel(call: Call) -> None:
    """The call will not be made (a no-op once it was)."""
    with _changed:
        call.func = None


def _run() -> None:
    while True:
        with _changed:
            while True:
                now = time.monotonic()
                if _due and _due[0].when <= now:
                    func = heapq.heappop(_due).func
                    break
                _changed.wait(_due[0].when - now if _due else None)
        if func is not None:
            with contextlib.suppress(Exception):
                func()


def _reset() -> None:
    """Drop every call still due (the thread stays, idle)."""
    with _changed:
        for call in _due:
            call.func = None
        _due.clear()


def _forget() -> None:
    """In a forked child: the parent's thread is not there, nor are its calls."""
    global _thread, _changed
    _thread, _changed = None, threading.Condition()
    _due.clear()


os.register_at_fork(after_in_child=_forget)
process.on_reset("runtimes.clock", "the calls due on the clock thread", _reset)
