"""The ``local`` runtime: the handler runs inside this process, to the end, within ``submit``."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..config import get_config
from ..record import RunState
from ..store import get_store
from .base import PreparedRun, RuntimeBase, wait_until
from .processes import death_reason, end_orphans, record_death
from .worker import execute

if TYPE_CHECKING:
    from ..record import RunRecord
    from ..store.runstore import RunStore

_SETTLE = 3.0
"""Beyond ``abort_grace``: a job's abort may take 2 s more to kill, and a sweep then records its end."""


@dataclass
class CompletedRun:
    """The handle of an in-process run, which is over by the time the handle exists."""

    uid: str
    state: RunState
    exception: BaseException | None = None
    results: dict[str, Any] | None = None
    """The results it recorded (None: read them from the store)."""

    def wait(self, timeout: float | None = None) -> RunState:
        return self.state

    def abort(self) -> None:
        """Nothing to do: an in-process run has ended by the time its handle exists."""


class LocalRuntime(RuntimeBase):
    """Runs the handler in-process. An abort asked from elsewhere stops it at its next commit."""

    name = "local"
    initial_state = RunState.RUNNING
    in_process = True

    def submit(self, run: PreparedRun) -> CompletedRun:
        outcome = execute(run.record, run.handler, get_store(run.store_url))
        return CompletedRun(run.uid, outcome.state, outcome.exception, outcome.results)

    def abort(self, store: RunStore, record: RunRecord) -> None:
        """Nothing may kill the process running the run: a handler stops at its next commit (maybe in this
        very thread, so this does not wait for it). A sweep stops before its next child, after aborting those
        in flight: that is waited for, as long as a job's abort may take (then it is left ``aborting``). A run
        whose process died is ended here, and a sweep's children with it."""
        uid, iteration = record.uid, record.iteration
        config = get_config()
        dead: list[str] = []

        def settled() -> bool:
            if (store.get_run_state(uid, iteration) or RunState.ERROR).is_terminal:
                return True
            reason = death_reason(record, time.time(), config.reap_after)
            if reason is not None:
                dead.append(reason)
            return reason is not None

        sweep = not iteration and any(run.uid == uid and run.iteration for run in store.live_runs())
        if not settled() and sweep:
            wait_until(settled, config.abort_grace + _SETTLE)
        if dead and record_death(store, uid, iteration, dead[0]) and not iteration:
            end_orphans(store, uid)
