"""What the launcher hands a runtime: the stored run row and the function/handler to call."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..model import is_terminal

if TYPE_CHECKING:
    from ..functions import Function, HandlerRef
    from ..store.runstore import RunStore


@dataclass
class PreparedRun:
    """A validated run, already recorded in the store."""

    row: dict[str, Any]
    function: Function
    handler: HandlerRef
    store_url: str

    @property
    def uid(self) -> str:
        return self.row["uid"]


def wait_until_terminal(store: RunStore, uid: str, iteration: int, timeout: float | None = None,
                        poll: float = 0.02, on_poll: Callable[[], Any] | None = None) -> str:
    """Poll the store until the run is terminal and return its state; ``RunTimeoutError`` after ``timeout``."""
    from ..errors import RunTimeoutError

    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        state = store.get_run_state(uid, iteration)
        if state is None or is_terminal(state):
            return state or "error"
        if deadline is not None and time.monotonic() >= deadline:
            raise RunTimeoutError(f"run {uid} is still {state} after {timeout} s")
        if on_poll is not None:
            on_poll()
        time.sleep(poll)
