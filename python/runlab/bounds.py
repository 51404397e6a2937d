"""A run's bounds: how long one attempt may take (``timeout``) and how often a failed attempt is tried
again (``retry``, waiting ``retry_delay`` seconds before the second attempt, twice that before the third,
and so on).

They are recorded in the run's spec (``spec.timeout`` in seconds, ``spec.retry``: ``{"count", "delay"}``)
and checked before anything is recorded. Each attempt of a retried run is listed in ``status.attempts``
(see ``record.py``); a run waiting for its next attempt is ``pending`` with ``status.retry``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from .errors import InvalidRunLimitError


@dataclass(frozen=True)
class RunBounds:
    """The bounds of one run (the defaults bound nothing: no timeout, one attempt)."""

    timeout: float | None = None
    retry: int = 0
    retry_delay: float = 0.0

    @property
    def attempts(self) -> int:
        """How many attempts the run may take in all."""
        return self.retry + 1

    def delay_before(self, attempt: int) -> float:
        """Seconds to wait before attempt number ``attempt`` (2 and up): the delay, doubled each time."""
        return self.retry_delay * 2 ** max(0, attempt - 2)

    def to_spec(self) -> dict[str, Any]:
        """The spec fields of the bounds that are set."""
        spec: dict[str, Any] = {}
        if self.timeout is not None:
            spec["timeout"] = self.timeout
        if self.retry:
            spec["retry"] = {"count": self.retry, "delay": self.retry_delay}
        return spec

    @classmethod
    def from_spec(cls, spec: dict[str, Any]) -> RunBounds:
        """The bounds recorded in a run's spec (none for a run recorded without them)."""
        if "timeout" not in spec and "retry" not in spec:  # most runs: no bounds
            return _UNBOUNDED
        retry = spec.get("retry") or {}
        return cls(timeout=spec.get("timeout"), retry=int(retry.get("count") or 0),
                   retry_delay=float(retry.get("delay") or 0.0))


_UNBOUNDED = RunBounds()  # frozen: one shared by every run recorded without bounds


def check_bounds(timeout: Any = None, retry: Any = None, retry_delay: Any = None) -> RunBounds:
    """The bounds a call asks for, or ``InvalidRunLimitError`` naming the bad value and what to give."""
    if timeout is None and retry is None and retry_delay is None:
        return _UNBOUNDED
    if timeout is not None and not (_is_number(timeout) and timeout > 0):
        raise InvalidRunLimitError(f"timeout must be a number of seconds greater than 0 (e.g. timeout=600), "
                                   f"not {timeout!r}; leave it out for no timeout")
    if retry is not None and (isinstance(retry, bool) or not isinstance(retry, int) or retry < 0):
        raise InvalidRunLimitError(f"retry must be a whole number of further attempts, 0 or more (e.g. retry=2 "
                                   f"tries a failed run twice more), not {retry!r}")
    if retry_delay is not None and not (_is_number(retry_delay) and retry_delay >= 0):
        raise InvalidRunLimitError(f"retry_delay must be a number of seconds, 0 or more (e.g. retry_delay=30), "
                                   f"not {retry_delay!r}")
    if retry_delay is not None and not retry:
        raise InvalidRunLimitError("retry_delay applies between attempts: give retry= too (e.g. retry=2), "
                                   "or drop retry_delay")
    return RunBounds(timeout=float(timeout) if timeout is not None else None, retry=retry or 0,
                     retry_delay=float(retry_delay or 0.0))


def timed_out(timeout: float) -> str:
    """The error of an attempt stopped by its timeout."""
    return f"timed out after {timeout:g} s"


def waiting_note(retry: dict[str, Any], now: float) -> str:
    """What a run waiting for its next attempt shows: ``attempt 2 of 3 in 4 s``."""
    seconds = max(0, math.ceil(float(retry.get("at", now)) - now))
    return f"attempt {retry.get('attempt')} of {retry.get('of')} in {seconds} s"


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
