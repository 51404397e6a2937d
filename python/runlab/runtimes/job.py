"""The ``job`` runtime: each run in its own OS process, detached from the kernel that started it.

Runs beyond the per-machine limit (``max_jobs``) wait as ``pending`` with no process (see ``jobqueue``).
A run's process leads its own process group, so ``abort`` stops the whole tree.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from typing import TYPE_CHECKING

from ..config import get_config
from ..record import RunState, hostname
from ..store import get_store
from . import abort_run, recover
from .base import PreparedRun, RuntimeBase, wait_until, wait_until_terminal
from .jobqueue import RUNTIME, dispatch
from .processes import is_alive

if TYPE_CHECKING:
    from ..record import RunRecord
    from ..store.runstore import RunStore


class JobHandle:
    """A submitted background run."""

    def __init__(self, uid: str, iteration: int, store: RunStore) -> None:
        self.uid = uid
        self.iteration = iteration
        self.store = store
        self.exception: BaseException | None = None

    def wait(self, timeout: float | None = None) -> RunState:
        """Block until the run is terminal (reaping it if its process died); return its state."""
        return JobRuntime().wait(self.store, self.uid, self.iteration, timeout)

    def abort(self) -> None:
        abort_run(self.store, self.uid, self.iteration)


class JobRuntime(RuntimeBase):
    """Starts each run in a new Python process (``python -m runlab.runtimes.jobworker``)."""

    name = RUNTIME
    initial_state = RunState.PENDING
    in_process = False

    def submit(self, run: PreparedRun) -> JobHandle:
        store = get_store(run.store_url)
        dispatch(store)
        return JobHandle(run.uid, run.record.iteration, store)

    def wait(self, store: RunStore, uid: str, iteration: int, timeout: float | None = None) -> RunState:
        """Poll until the run ends, reaping dead runs on the way (their slots go to queued runs)."""
        return wait_until_terminal(store, uid, iteration, timeout, poll=0.05, on_poll=lambda: recover(store))

    def abort(self, store: RunStore, record: RunRecord) -> None:
        """SIGTERM to the run's process group, SIGKILL after the grace period, then ``aborted``; a run on
        another machine stops itself at its next heartbeat."""
        uid, iteration, pid = record.uid, record.iteration, record.pid
        grace = get_config().abort_grace
        if pid is None:
            _mark_aborted(store, uid, iteration, "aborted before it started")
        elif record.host == hostname():
            started = record.owner.pid_started
            _signal_group(pid, signal.SIGTERM)
            if not wait_until(lambda: not is_alive(pid, started), grace):
                _signal_group(pid, signal.SIGKILL)
                wait_until(lambda: not is_alive(pid, started), 2.0)
            _mark_aborted(store, uid, iteration, "aborted by request")
            dispatch(store)
        else:
            wait_until(lambda: (store.get_run_state(uid, iteration) or RunState.ERROR).is_terminal,
                       grace + 2 * get_config().heartbeat_interval)

    def start_queued(self, store: RunStore) -> int:
        return dispatch(store)


def _mark_aborted(store: RunStore, uid: str, iteration: int, reason: str) -> None:
    now = time.time()
    store.update_run_if(uid, iteration, {"state": RunState.ABORTED, "error": reason, "end_time": now,
                                         "last_update": now}, (RunState.ABORTING,))


def _signal_group(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)
