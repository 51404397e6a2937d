"""The run's data: states, and the conversion between store rows and the MLRun-shaped run dict.

A run dict has three sections, as MLRun's ``RunObject.to_dict()`` does::

    metadata: {uid, name, project, iteration, labels}
    spec:     {function, handler, parameters, inputs, outputs, output_path, hyperparams, ...}
    status:   {state, error, results, artifacts, start_time, last_update, end_time, ...}
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Any


class RunState(str, Enum):
    """A run's lifecycle: ``created → pending → running → completed | error | aborted``.

    ``aborting`` sits between a running run and ``aborted`` while its runtime stops it.
    """

    CREATED = "created"
    PENDING = "pending"
    RUNNING = "running"
    ABORTING = "aborting"
    COMPLETED = "completed"
    ERROR = "error"
    ABORTED = "aborted"

    def __str__(self) -> str:
        return self.value

    @property
    def is_terminal(self) -> bool:
        """True once the run will not change state again."""
        return self in _TERMINAL

    @classmethod
    def terminal_states(cls) -> tuple[str, ...]:
        return tuple(s.value for s in _TERMINAL)


_TERMINAL = frozenset({RunState.COMPLETED, RunState.ERROR, RunState.ABORTED})


_TERMINAL_VALUES = frozenset(s.value for s in _TERMINAL)


def is_terminal(state: str) -> bool:
    """True for ``completed``, ``error`` and ``aborted`` (the terminal ``RunState`` values)."""
    return state in _TERMINAL_VALUES


def to_iso(timestamp: float | None) -> str | None:
    """Epoch seconds as an ISO-8601 UTC string (None stays None)."""
    if timestamp is None:
        return None
    return dt.datetime.fromtimestamp(timestamp, tz=dt.timezone.utc).isoformat()


def from_iso(value: str | None) -> float | None:
    if value is None:
        return None
    return dt.datetime.fromisoformat(value).timestamp()


def artifact_uri(project: str, key: str, uid: str, iteration: int) -> str:
    """The ``store://`` URI that names one run's artifact."""
    suffix = f"#{iteration}" if iteration else ""
    return f"store://artifacts/{project}/{key}{suffix}@{uid}"


def artifact_to_dict(row: dict[str, Any]) -> dict[str, Any]:
    """An artifact row as the record shown in ``status.artifacts``."""
    return {
        "key": row["key"],
        "kind": row["kind"],
        "uri": artifact_uri(row["project"], row["key"], row["run_uid"], row["iteration"]),
        "target_path": row["target"],
        "size": row["size"],
        "hash": row["hash"],
        "version": row["version"],
        "tag": row["tag"],
        "producer": {"uid": row["run_uid"], "iteration": row["iteration"], "name": row["producer"]},
        "meta": row["meta"],
        "labels": row["labels"],
        "created": to_iso(row["created"]),
    }


def run_row_to_dict(row: dict[str, Any]) -> dict[str, Any]:
    """A store row (with ``artifacts``) as the MLRun-shaped run dict."""
    status = dict(row.get("status") or {})
    status.update(
        state=row["state"],
        error=row["error"],
        results=row["results"],
        artifacts=[artifact_to_dict(a) for a in row.get("artifacts", [])],
        start_time=to_iso(row["start_time"]),
        last_update=to_iso(row["last_update"]),
        end_time=to_iso(row["end_time"]),
    )
    if row.get("pid") is not None:
        status["pid"] = row["pid"]
        status["host"] = row["host"]
    return {
        "kind": "run",
        "metadata": {
            "uid": row["uid"],
            "name": row["name"],
            "project": row["project"],
            "iteration": row["iteration"],
            "labels": row["labels"],
        },
        "spec": row["spec"],
        "status": status,
    }
