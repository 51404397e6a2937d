"""The ``local`` runtime: the handler runs inside this process, to the end, within ``submit``."""

from __future__ import annotations

from dataclasses import dataclass

from .base import PreparedRun
from .worker import execute


@dataclass
class CompletedRun:
    """The handle of an in-process run, which is over by the time the handle exists."""

    uid: str
    state: str
    exception: BaseException | None = None

    def wait(self, timeout: float | None = None) -> str:
        return self.state

    def abort(self) -> None:
        """Nothing to do: an in-process run has ended by the time its handle exists."""


class LocalRuntime:
    """Runs the handler in-process."""

    name = "local"
    initial_state = "running"
    in_process = True

    def submit(self, run: PreparedRun) -> CompletedRun:
        from ..store import get_store

        outcome = execute(run.row, run.handler, get_store(run.store_url))
        return CompletedRun(run.uid, outcome.state, outcome.exception)
