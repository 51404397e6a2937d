"""The run's data: its states, the typed run record, and the MLRun-shaped dict users read.

A run is stored as one :class:`RunRecord` per ``(uid, iteration)``, built by :func:`new_run` (or
``RunRecord.child``) and nowhere else. Users see it as a dict of three sections, as MLRun's
``RunObject.to_dict()`` gives it::

    metadata: {uid, name, project, iteration, labels}
    spec:     {function, handler, parameters, inputs, outputs, output_path, hyperparams, ...}
    status:   {state, error, results, artifacts, start_time, last_update, end_time, ...}

A run with ``timeout`` / ``retry`` (``runlab.bounds``; ``spec.timeout``, ``spec.retry``) keeps one uid for all
its attempts: ``status.attempts`` lists each (``attempt``, ``start_time``, ``end_time``, ``state``, ``error``),
its log has an ``attempt N of M`` line before each attempt's output, and while it waits for its next attempt
it is ``pending`` with ``status.retry`` (``attempt``, ``of``, ``at``). Its state is the last attempt's.

``spec.code`` says what ran (absent when capture is turned off, ``RunlabConfig.capture``; a sweep's
children share iteration 0's)::

    sha256:      the code's sha256: the function's file (.py or notebook), or a notebook cell's callable's source
    path:        that file (None for a notebook cell's callable)
    source:      a notebook cell's callable's source (only for those, up to 64 KB)
    git:         {commit, branch, root, dirty, diff, diff_truncated} of the file's repository (absent outside one)
    environment: the hash of the Python environment (version, platform, packages: the store's environments)
    host, user:  where and by whom it was started

Which process owns a live run (its runtime, and how to tell its process from a later one with the same
pid) is the record's ``owner``: runtimes read it, users never see it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import getpass
import json
import os
import socket
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache
from typing import Any

from .errors import ValidationError
from .kernelid import kernel_id


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
LIVE_STATES = (RunState.PENDING, RunState.RUNNING, RunState.ABORTING)
"""States of a run that has not ended: someone owns it (or it waits for a slot)."""
STARTED_STATES = (RunState.PENDING, RunState.RUNNING)
"""States of a run nobody asked to stop yet: an abort moves them to ``aborting``, a dead owner to ``error``."""


@dataclass
class Owner:
    """Who runs a live run: the runtime that started it, the start time of the owning process (so a reused
    pid is told apart), and the Dask key of a Dask run; and the Jupyter kernel that launched it, if one did
    (``kernelid``: the Jupyter server announces the end of the runs its own kernels started). Not part of
    MLRun's run dict: the run's own ``owner`` column."""

    runtime: str = ""
    pid_started: int | None = None
    dask_key: str | None = None
    kernel: str | None = None

    def to_dict(self) -> dict[str, Any]:
        pairs = (("runtime", self.runtime), ("pid_started", self.pid_started), ("dask_key", self.dask_key),
                 ("kernel", self.kernel))
        return {k: v for k, v in pairs if v not in (None, "")}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Owner:
        if not data:
            return cls()
        return cls(data.get("runtime", ""), data.get("pid_started"), data.get("dask_key"), data.get("kernel"))


@dataclass
class RunRecord:
    """One stored run (one iteration of it): the columns of the ``runs`` table, typed.

    ``spec`` and ``status`` are JSON documents: ``spec`` holds what was asked (function, handler,
    parameters, inputs, output_path, ...), ``status`` what the run reported besides its state, error and
    results (traceback, progress, a sweep's iterations and best iteration, ...). ``artifacts`` are the
    artifact rows the store read with the run (never written through the record).
    """

    uid: str
    iteration: int
    project: str
    name: str
    kind: str
    state: RunState
    labels: dict[str, str]
    spec: dict[str, Any]
    start_time: float
    last_update: float
    results: dict[str, Any] = field(default_factory=dict)
    status: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    end_time: float | None = None
    pid: int | None = None
    host: str | None = None
    owner: Owner = field(default_factory=Owner)
    artifacts: list[dict[str, Any]] = field(default_factory=list)
    notes: str = ""
    cache_key: str | None = None
    """The run cache's key of a run started with ``cache=True`` (``runcache``): a completed run with a key is
    what a later run with the same key returns. Not part of MLRun's run dict: the run's own column."""

    @property
    def is_terminal(self) -> bool:
        return self.state.is_terminal

    def to_row(self) -> dict[str, Any]:
        """The record as ``runs`` columns (field by field: every run and every sweep child writes one)."""
        return {"uid": self.uid, "iteration": self.iteration, "project": self.project, "name": self.name,
                "kind": self.kind, "state": self.state.value, "labels": self.labels, "spec": self.spec,
                "start_time": self.start_time, "last_update": self.last_update, "results": self.results,
                "status": self.status, "error": self.error, "end_time": self.end_time, "pid": self.pid,
                "host": self.host, "owner": self.owner.to_dict(), "notes": self.notes or None,
                "cache_key": self.cache_key}

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> RunRecord:
        """A record from ``runs`` columns (the optional ones may be missing; ``artifacts`` if given). JSON
        columns may still be their text (a listing reads them so and decodes only the runs it reads).
        Field by field, not through ``dataclasses.fields``: listing runs builds thousands of these."""
        get = row.get
        return cls(uid=row["uid"], iteration=row["iteration"], project=row["project"], name=row["name"],
                   kind=row["kind"], state=RunState(row["state"]), labels=_json(row["labels"]),
                   spec=_json(row["spec"]), start_time=row["start_time"], last_update=row["last_update"],
                   results=_json(get("results")) or {}, status=_json(get("status")) or {}, error=get("error"),
                   end_time=get("end_time"), pid=get("pid"), host=get("host"),
                   owner=Owner.from_dict(_json(get("owner"))), artifacts=get("artifacts") or [],
                   notes=get("notes") or "", cache_key=get("cache_key"))

    def child(self, iteration: int, parameters: dict[str, Any], state: RunState | None = None,
              runtime: str | None = None) -> RunRecord:
        """A new iteration of this run with its own params (the parent's, updated), started now."""
        now = time.time()
        spec = copy_plain({k: v for k, v in self.spec.items() if k != "code"})  # iteration 0 holds it for all
        spec["parameters"] = {**spec.get("parameters", {}), **parameters}
        return dataclasses.replace(
            self, iteration=iteration, state=state or self.state, labels=dict(self.labels), spec=spec,
            results={}, status={}, error=None, start_time=now, last_update=now, end_time=None, artifacts=[], notes="",
            cache_key=None,  # a sweep child's key is its own params' (runcache)
            owner=Owner(runtime=runtime if runtime is not None else self.owner.runtime),
        )

    def to_dict(self) -> dict[str, Any]:
        """The MLRun-shaped run dict (metadata, spec, status) users read."""
        status = dict(self.status)
        for key in _OWNER_KEYS:  # records written before ownership had its own column
            status.pop(key, None)
        status.update(
            state=self.state.value,
            error=self.error,
            results=self.results,
            artifacts=[artifact_to_dict(a) for a in self.artifacts],
            start_time=to_iso(self.start_time),
            last_update=to_iso(self.last_update),
            end_time=to_iso(self.end_time),
        )
        if self.pid is not None:
            status["pid"] = self.pid
            status["host"] = self.host
        return {
            "kind": "run",
            "metadata": {
                "uid": self.uid,
                "name": self.name,
                "project": self.project,
                "iteration": self.iteration,
                "labels": self.labels,
                "notes": self.notes,
            },
            "spec": self.spec,
            "status": status,
        }


_OWNER_KEYS = ("runtime", "pid_started", "dask_key")

MAX_NOTES_CHARS = 10_000
"""The longest a run's notes may be (characters)."""


def checked_notes(text: Any) -> str:
    """A run's notes as given, or a ValidationError saying what is wrong with them and how to fix it."""
    if not isinstance(text, str):
        raise ValidationError(f"a run's notes must be text (a string), not {type(text).__name__}")
    if len(text) > MAX_NOTES_CHARS:
        raise ValidationError(f"a run's notes may be at most {MAX_NOTES_CHARS:,} characters, not {len(text):,}: "
                              "shorten them, or log a longer text as an artifact")
    return text


def _json(value: Any) -> Any:
    """A JSON column's value: its text decoded, or the value the driver already decoded (None stays None)."""
    return json.loads(value) if isinstance(value, str) else value


@lru_cache(maxsize=1)
def hostname() -> str:
    """This machine's name, as runs record it."""
    return socket.gethostname()


@lru_cache(maxsize=8)
def default_labels(kind: str) -> dict[str, str]:
    """The labels every new run gets: its kind, the user who started it and the machine."""
    try:
        owner = getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name in some containers
        owner = str(os.getuid())
    return {"kind": kind, "owner": owner, "host": hostname()}


def new_uid() -> str:
    """A fresh run uid: a random (version 4) UUID as 32 hex digits, as ``uuid.uuid4().hex`` gives (without
    building a ``UUID`` object, which costs more than the rest of a run's record)."""
    raw = bytearray(os.urandom(16))
    raw[6] = (raw[6] & 0x0F) | 0x40  # version 4
    raw[8] = (raw[8] & 0x3F) | 0x80  # the RFC 4122 variant
    return raw.hex()


def new_run(project: str, name: str, kind: str, state: RunState, labels: dict[str, str], spec: dict[str, Any],
            runtime: str = "", pid: int | None = None) -> RunRecord:
    """A new run (iteration 0) with a fresh uid, started now on this host: the one place a run record is
    made. ``labels`` are added to the default ones (kind, owner, host)."""
    now = time.time()
    return RunRecord(uid=new_uid(), iteration=0, project=project, name=name, kind=kind,
                     state=state if type(state) is RunState else RunState(state),
                     labels={**default_labels(kind), **labels}, spec=spec, start_time=now,
                     last_update=now, pid=pid, host=hostname(),
                     owner=Owner(runtime=runtime, kernel=kernel_id()))


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


def artifact_uri(project: str, key: str, uid: str, iteration: int, tag: str | None = None) -> str:
    """The ``store://`` URI that names one run's artifact (with its tag, when it has one; an artifact
    logged outside a run has no ``@uid``)."""
    suffix = f"#{iteration}" if iteration else ""
    tagged = f":{tag}" if tag else ""
    producer = f"@{uid}" if uid else ""
    return f"store://artifacts/{project}/{key}{suffix}{tagged}{producer}"


def artifact_to_dict(row: dict[str, Any]) -> dict[str, Any]:
    """An artifact row as the record shown in ``status.artifacts``.

    runlab's flat keys (``key``, ``kind``, ``uri``, ``target_path``, ...) and, alongside them, the nested
    sections MLRun code reads (``metadata.key``/``project``/``iter``/``tree``, ``spec.target_path``/
    ``format``/``size``, ``status.state``): one dict serves both, built when the row is read.
    """
    created = to_iso(row["created"])
    target = row["target"]
    producer = {"uid": row["run_uid"], "iteration": row["iteration"], "name": row["producer"]}
    return {
        "key": row["key"],
        "kind": row["kind"],
        "uri": artifact_uri(row["project"], row["key"], row["run_uid"], row["iteration"], row["tag"]),
        "target_path": target,
        "size": row["size"],
        "hash": row["hash"],
        "version": row["version"],
        "tag": row["tag"],
        "producer": producer,
        "meta": row["meta"],
        "labels": row["labels"],
        "created": created,
        "metadata": {
            "key": row["key"], "project": row["project"], "iter": row["iteration"], "tree": row["run_uid"],
            "uid": row["run_uid"], "hash": row["hash"], "tag": row["tag"], "labels": row["labels"],
            "created": created, "updated": created,
        },
        "spec": {
            "target_path": target, "format": _format_of(target), "size": row["size"], "db_key": row["key"],
            "producer": producer,
        },
        "status": {"state": "created"},
    }


def _format_of(target: str | None) -> str:
    """An artifact file's format as MLRun names it: its suffix without the dot (``csv``, ``png``), or ''."""
    if not target:
        return ""
    name = target.rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


ITERATION_HEADER_FIXED = ("state", "iter")
"""The first two columns of a sweep's iteration table; ``param.<name>`` then ``output.<name>`` follow."""


def iteration_table(rows: list[dict[str, Any]]) -> list[list[Any]]:
    """A sweep's iteration rows (dicts keyed ``state``, ``iter``, ``param.x``, ``output.y``) as MLRun's
    table: a header row ``["state", "iter", "param.x", ..., "output.y", ...]``, then one list per child,
    sorted by iteration (a value a child did not produce is None). ``[]`` for no rows."""
    if not rows:
        return []
    params: dict[str, None] = {}
    outputs: dict[str, None] = {}
    for row in rows:
        for key in row:
            if key.startswith("param."):
                params[key] = None
            elif key.startswith("output."):
                outputs[key] = None
    header = [*ITERATION_HEADER_FIXED, *params, *outputs]
    ordered = sorted(rows, key=lambda row: row.get("iter") or 0)
    return [header, *([row.get(column) for column in header] for row in ordered)]


def copy_plain(value: Any) -> Any:
    """A copy of JSON-shaped data (dicts and lists copied, everything else shared): what a run's spec is
    made of, at a fraction of ``copy.deepcopy``'s cost (a sweep copies its template once per child)."""
    if isinstance(value, dict):
        return {key: copy_plain(item) if isinstance(item, _CONTAINERS) else item for key, item in value.items()}
    if isinstance(value, list):
        return [copy_plain(item) if isinstance(item, _CONTAINERS) else item for item in value]
    return value


_CONTAINERS = (dict, list)  # what copy_plain copies; anything else is shared without a call
