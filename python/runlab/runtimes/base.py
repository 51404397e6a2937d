"""What every runtime shares: the run handed to it, the protocol it implements, and the default behaviour.

A runtime is found by name in the registry (``runtimes.get_runtime``) and implements :class:`Runtime`:
``validate`` (refuse a run before it is recorded), ``claim`` (fill in its owner before it is recorded, when
known then), ``submit`` (start it), ``wait`` (until it ends, from
any process), ``abort`` (stop a run it owns) and ``start_queued`` (start runs that wait for a slot).
:class:`RuntimeBase` gives the defaults a runtime overrides.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from .. import process
from ..errors import RunTimeoutError
from ..record import RunState

if TYPE_CHECKING:
    from ..handlers import HandlerRef
    from ..record import RunRecord
    from ..store.runstore import RunStore


@dataclass
class PreparedRun:
    """A validated run, already recorded in the store, and the handler it calls."""

    record: RunRecord
    handler: HandlerRef
    store_url: str

    @property
    def uid(self) -> str:
        return self.record.uid


class RunHandle(Protocol):
    """A submitted run."""

    uid: str
    exception: BaseException | None
    """The handler's exception, when it ran (and failed) in this process."""

    def wait(self, timeout: float | None = None) -> RunState:
        """Block until the run is terminal; return its state."""

    def abort(self) -> None:
        """Stop the run."""


class Runtime(Protocol):
    """Starts runs, follows them, stops them."""

    name: str
    initial_state: RunState
    """The state a run is recorded with: ``running`` in-process, ``pending`` when it waits to start."""
    in_process: bool
    """True if the handler runs inside the submitting process (its output is already in the cell)."""

    def validate(self, record: RunRecord) -> None:
        """Refuse a run before it is recorded (raise a ``ValidationError`` saying why)."""

    def claim(self, record: RunRecord) -> None:
        """Fill in the owner of a run about to be recorded, when it is known before the run is submitted."""

    def submit(self, run: PreparedRun) -> RunHandle:
        """Start ``run`` and return a handle at once (the in-process runtime returns when it ends)."""

    def wait(self, store: RunStore, uid: str, iteration: int, timeout: float | None = None) -> RunState:
        """Block until the run is terminal (from any process); return its state."""

    def abort(self, store: RunStore, record: RunRecord) -> None:
        """Stop a run this runtime owns, already marked ``aborting``; record how it ended."""

    def start_queued(self, store: RunStore) -> int:
        """Start runs that wait for a free slot; how many were started."""


class RuntimeBase:
    """Defaults: nothing to validate, wait by polling the store, an in-process run stops at its next commit
    (nothing may kill the process that runs it), no queue."""

    name = ""
    initial_state = RunState.PENDING
    in_process = False

    def validate(self, record: RunRecord) -> None:
        return None

    def claim(self, record: RunRecord) -> None:
        return None

    def wait(self, store: RunStore, uid: str, iteration: int, timeout: float | None = None) -> RunState:
        return wait_until_terminal(store, uid, iteration, timeout)

    def abort(self, store: RunStore, record: RunRecord) -> None:
        return None

    def start_queued(self, store: RunStore) -> int:
        return 0


_ends = threading.Condition()
_ends_recorded = 0
_ends_to_come: set[tuple[str, int]] = set()


def ends_recorded() -> int:
    """How many run ends this process has recorded for runs it does not run itself (a Dask run's end,
    written when its future completes): read it before looking at a run's state, then ``pause`` with it."""
    return _ends_recorded


def expect_end(uid: str, iteration: int) -> None:
    """A runtime of this process will record the end of this run and ``announce_end`` it."""
    with _ends:
        _ends_to_come.add((uid, iteration))


def end_comes_here(uid: str, iteration: int) -> bool:
    """True while this process is due to record (and announce) the end of the run: a waiter then needs
    to read the store only now and then, for what others may do to the run meanwhile."""
    return (uid, iteration) in _ends_to_come


def announce_end(uid: str, iteration: int) -> None:
    """Wake every waiter of this process at once: a runtime here has just recorded the run's end."""
    global _ends_recorded
    with _ends:
        _ends_to_come.discard((uid, iteration))
        _ends_recorded += 1
        _ends.notify_all()


def pause(seconds: float, since: int) -> None:
    """Sleep between two looks at a run's state: ``seconds``, or less when this process records a run's end
    meanwhile (or has since ``ends_recorded()`` returned ``since``), so a waiter sees it at once."""
    with _ends:
        _ends.wait_for(lambda: _ends_recorded != since, seconds)


def wait_until_terminal(store: RunStore, uid: str, iteration: int, timeout: float | None = None,
                        poll: float = 0.02, on_poll: Callable[[], Any] | None = None) -> RunState:
    """Poll the store until the run is terminal and return its state; ``RunTimeoutError`` after ``timeout``."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        seen = ends_recorded()
        state = store.get_run_state(uid, iteration)
        if state is None or state.is_terminal:
            return state or RunState.ERROR
        if deadline is not None and time.monotonic() >= deadline:
            raise RunTimeoutError(f"run {uid} is still {state} after {timeout} s")
        if on_poll is not None:
            on_poll()
        pause(poll, seen)


def wait_until(condition: Callable[[], bool], timeout: float) -> bool:
    """Poll ``condition`` until it holds or ``timeout`` seconds pass; whether it held."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


process.on_reset("runtimes.base", "the runs whose end this process is due to record", _ends_to_come.clear)
