"""The ``local`` runtime: the handler runs inside this process, to the end, within ``submit``."""

from __future__ import annotations

from dataclasses import dataclass

from ..record import RunState
from ..store import get_store
from .base import PreparedRun, RuntimeBase
from .worker import execute


@dataclass
class CompletedRun:
    """The handle of an in-process run, which is over by the time the handle exists."""

    uid: str
    state: RunState
    exception: BaseException | None = None

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
        return CompletedRun(run.uid, outcome.state, outcome.exception)
