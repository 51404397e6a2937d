"""``RunContext``: what a handler receives as ``context`` — its params, inputs and the means to record.

Results are kept in memory and committed with the run's end, on ``commit()``, or when more than
``log_flush_interval`` seconds have passed, so a trivial run costs two store writes; artifact records are
committed as they are logged.
"""

from __future__ import annotations

import contextlib
import copy
import logging
import pickle
import time
from collections.abc import Iterator
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from . import artifactfiles as arts
from .config import get_config
from .data import get_dataitem
from .errors import InvalidInputError, ValidationError
from .hyper import HyperParamOptions
from .record import RunState, artifact_to_dict
from .runlog import RunLog, make_run_logger
from .sweepsummary import iteration_row, summarize
from .values import check_storable, to_storable

if TYPE_CHECKING:
    from .data import DataItem
    from .record import RunRecord
    from .store.runstore import RunStore

_active: ContextVar[RunContext | None] = ContextVar("runlab_active_run", default=None)


def active_context() -> RunContext | None:
    """The context of the run executing here (this thread or task) right now, innermost first, if any."""
    return _active.get()


@contextlib.contextmanager
def activate(context: RunContext) -> Iterator[RunContext]:
    """Make ``context`` the active run for the block (what ``get_or_create_ctx`` returns inside it)."""
    token = _active.set(context)
    try:
        yield context
    finally:
        _active.reset(token)


class RunAborted(BaseException):
    """Raised inside a handler when its run was asked to abort."""


class RunContext:
    """The running run, as seen from inside a handler (MLRun's ``MLClientCtx``)."""

    def __init__(self, record: RunRecord, store: RunStore, log: RunLog | None = None) -> None:
        self._store = store
        self._run_record = record
        spec = record.spec
        self.uid: str = record.uid
        self.name: str = record.name
        self.project: str = record.project
        self.iteration: int = record.iteration
        self.labels: dict[str, str] = dict(record.labels)
        self.parameters: dict[str, Any] = copy.deepcopy(spec.get("parameters", {}))
        self.inputs: dict[str, str] = dict(spec.get("inputs", {}))
        self.artifact_path: str = spec.get("output_path", "")
        self.results: dict[str, Any] = dict(record.results)
        self.log = log or RunLog()
        self.logger: logging.Logger = make_run_logger(f"runlab.{self.name}")
        self._data_items: dict[str, DataItem] = {}
        self.finished = False
        self._children: list[RunContext] = []
        self._parent: RunContext | None = None
        self._best: int | None = None
        self._last_commit = time.monotonic()
        self._commit_interval = get_config().log_flush_interval

    def __repr__(self) -> str:
        return f"<RunContext {self.name} uid={self.uid[:8]} iteration={self.iteration}>"

    @property
    def store_url(self) -> str:
        """The URL of the store this run is recorded in."""
        return self._store.url

    # -- reading ---------------------------------------------------------------------------------

    def get_param(self, key: str, default: Any = None) -> Any:
        """A param's value; a missing param takes ``default``, which is recorded as the param."""
        if key not in self.parameters:
            if default is None:
                return None
            self.parameters[key] = check_storable(f"param {key!r}", default)
        return self.parameters[key]

    def get_input(self, key: str, url: str | None = None) -> DataItem:
        """The input ``key`` as a :class:`~runlab.DataItem`; with ``url``, add it as a new input."""
        if url is not None:
            self.inputs[key] = url
            self._data_items.pop(key, None)
        if key not in self.inputs:
            known = ", ".join(sorted(self.inputs)) or "none"
            raise InvalidInputError(
                f"run {self.name!r} has no input {key!r} (inputs: {known}); pass it in inputs= or "
                "call get_input(key, url)"
            )
        item = self._data_items.get(key)
        if item is None:
            item = self._data_items[key] = get_dataitem(self.inputs[key], key=key, store=self._store)
        return item

    # -- recording -------------------------------------------------------------------------------

    def set_label(self, key: str, value: Any, replace: bool = True) -> None:
        """Add a label to the run."""
        if replace or key not in self.labels:
            self.labels[key] = str(value)

    def log_result(self, key: str, value: Any, commit: bool = False) -> None:
        """Record a result (a JSON-storable value; numpy scalars are unwrapped)."""
        if not isinstance(key, str) or not key:
            raise ValidationError(f"a result key must be a non-empty string, not {key!r}")
        self.results[key] = to_storable(f"result {key!r}", value)
        self._maybe_commit(commit)

    def log_results(self, results: dict[str, Any], commit: bool = False) -> None:
        """Record several results at once."""
        if not isinstance(results, dict):
            raise ValidationError(f"log_results takes a dict, not {type(results).__name__}")
        for key, value in results.items():
            self.log_result(key, value)
        self._maybe_commit(commit)

    def log_artifact(
        self,
        key: str,
        body: Any = None,
        local_path: str | None = None,
        format: str | None = None,
        tag: str | None = None,
        labels: dict[str, str] | None = None,
        kind: str | None = None,
        meta: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Write an artifact and record it; returns its record (with ``uri`` and ``target_path``).

        ``body`` may be bytes, str (HTML becomes a plot), a dict/list (JSON, or YAML with
        ``format="yaml"``), a pandas DataFrame (a dataset) or a matplotlib figure (a PNG plot);
        ``local_path`` copies an existing file instead.
        """
        arts.validate_key(key)
        if (body is None) == (local_path is None):
            raise ValidationError(f"log_artifact({key!r}): pass exactly one of body= or local_path=")
        if body is not None:
            encoded = arts.encode_body(body, format)
            return self._store_artifact(key, encoded, tag, labels, kind, meta)
        suffix = _suffix_of(str(local_path))
        return self._record(key, kind or "file", suffix, {**(meta or {})}, tag, labels, source=str(local_path))

    def log_dataset(
        self,
        key: str,
        df: Any,
        format: str = "csv",
        tag: str | None = None,
        labels: dict[str, str] | None = None,
        index: bool = False,
        meta: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Write a DataFrame as a dataset artifact (CSV or Parquet) with its shape, schema and preview."""
        arts.validate_key(key)
        return self._store_artifact(key, arts.encode_dataset(df, format, index=index), tag, labels, None, meta)

    def log_model(
        self,
        key: str,
        body: Any = None,
        model_file: str | None = None,
        metrics: dict[str, Any] | None = None,
        parameters: dict[str, Any] | None = None,
        framework: str = "",
        algorithm: str = "",
        tag: str | None = None,
        labels: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """Record a model: ``body`` (bytes, or any picklable object) or an existing ``model_file``.

        ``metrics`` are also logged as results, so runs can be compared and selected on them.
        """
        arts.validate_key(key)
        meta = {
            "framework": framework,
            "algorithm": algorithm,
            "metrics": to_storable("model metrics", metrics or {}),
            "parameters": to_storable("model parameters", parameters or {}),
        }
        if metrics:
            self.log_results(metrics)
        if (body is None) == (model_file is None):
            raise ValidationError(f"log_model({key!r}): pass exactly one of body= or model_file=")
        if model_file is not None:
            meta["model_file"] = model_file.rsplit("/", 1)[-1]
            return self._record(key, "model", _suffix_of(model_file), meta, tag, labels, source=model_file)
        if isinstance(body, (bytes, bytearray)):
            encoded = arts.Encoded(bytes(body), ".bin", "model", {})
        else:
            encoded = arts.Encoded(pickle.dumps(body), ".pkl", "model", {"serializer": "pickle"})
        meta["model_file"] = f"{key}{encoded.suffix}"
        return self._store_artifact(key, encoded, tag, labels, "model", meta)

    def sync_from_store(self) -> None:
        """Take in results and labels that another context of this run (a notebook's kernel) recorded."""
        record = self._store.get_run(self.uid, self.iteration)
        if record is not None:
            self.results = {**record.results, **self.results}
            self.labels = {**record.labels, **self.labels}

    # -- custom sweeps ----------------------------------------------------------------------------

    def get_child_context(self, with_parent_params: bool = False, **params: Any) -> RunContext:
        """A new child iteration of this run with ``params`` (for the ``custom`` strategy, where the
        handler loops itself). Log to the child; it ends when it commits ``completed`` or when this run ends.
        """
        if self.iteration:
            raise ValidationError("get_child_context is for the parent run (iteration 0), not a child")
        child_params = {**(self.parameters if with_parent_params else {}),
                        **{k: check_storable(f"param {k!r}", v) for k, v in params.items()}}
        record = self._run_record.child(len(self._children) + 1, {}, state=RunState.RUNNING, runtime="local")
        record.spec["parameters"] = child_params
        self._store.create_run(record)
        child = RunContext(record, self._store)
        child._parent = self
        self._children.append(child)
        return child

    def mark_as_best(self) -> None:
        """Make this child the parent's best iteration (overrides the selector)."""
        if self._parent is None:
            raise ValidationError("mark_as_best is for a child from get_child_context")
        self._parent._best = self.iteration

    def _summarize_children(self, status: dict[str, Any] | None) -> dict[str, Any]:
        """End children still running and record the sweep on this (parent) run."""
        for child in self._children:
            if not child.finished:
                child.end(RunState.COMPLETED)
        table = [iteration_row(RunState.COMPLETED, c.iteration, c.parameters, c.results) for c in self._children]
        finished = [(c.iteration, c.results) for c in self._children]
        options = HyperParamOptions.from_dict(self._run_record.spec.get("hyper_param_options") or {})
        error, sweep_status = summarize(self, table, finished, options, best=self._best)
        if error:
            self.logger.error(error)
        return {**(status or {}), **sweep_status}

    def report_progress(self, done: int, total: int, unit: str) -> None:
        """Record how far the run is (``status.progress``) for whoever follows it. Writes the status alone,
        so results another context of this run recorded (a notebook's kernel) are left as they are."""
        stored = self._store.get_run_fields(self.uid, self.iteration, "status") or {}
        status = self._run_record.status = {**self._run_record.status, **(stored.get("status") or {}),
                                         "progress": {"done": done, "total": total, "unit": unit}}
        self._store.update_run(self.uid, self.iteration, {"status": status, "last_update": time.time()})

    def commit(self, completed: bool = False) -> None:
        """Write pending results, labels, params and log text to the store now.

        ``completed=True`` ends the run (for a run made by ``get_or_create_ctx``). A commit also notices
        an abort request: the handler then stops with ``RunAborted``.
        """
        if completed:
            self.end(RunState.COMPLETED)
            return
        self._write()
        if self._store.get_run_state(self.uid, self.iteration) == RunState.ABORTING:
            raise RunAborted(f"run {self.uid} was asked to abort")

    def end(self, state: RunState | str, error: str | None = None, status: dict[str, Any] | None = None) -> None:
        """Record the run's end: final results, log, state, end time, and error details if any."""
        if self._children:
            status = self._summarize_children(status)
        self._write({"state": RunState(state), "end_time": time.time(), "error": error,
                     **({"status": {**self._run_record.status, **status}} if status else {})})
        self.finished = True

    # -- internals -------------------------------------------------------------------------------

    def _store_artifact(
        self,
        key: str,
        encoded: arts.Encoded,
        tag: str | None,
        labels: dict[str, str] | None,
        kind: str | None,
        meta: dict[str, Any] | None,
    ) -> dict[str, Any]:
        return self._record(key, kind or encoded.kind, encoded.suffix, {**encoded.meta, **(meta or {})},
                            tag, labels, data=encoded.data)

    def _record(
        self,
        key: str,
        kind: str,
        suffix: str,
        meta: dict[str, Any],
        tag: str | None,
        labels: dict[str, str] | None,
        data: bytes | None = None,
        source: str | None = None,
    ) -> dict[str, Any]:
        if kind not in arts.KINDS:
            raise ValidationError(f"unknown artifact kind {kind!r}: use one of {', '.join(arts.KINDS)}")
        if not self.artifact_path:
            raise ValidationError("this run has no artifact_path: pass artifact_path= to run_function")
        target = arts.target_path(self.artifact_path, self.name, self.iteration, key, suffix)
        version = self._store.next_artifact_version(self.project, key) if self._store.artifact_target_taken(
            target) else 0
        while version and self._store.artifact_target_taken(target):
            # another version lives there (an earlier run of this name, or an earlier log in this run):
            # write beside it instead of destroying it
            target = arts.target_path(self.artifact_path, self.name, self.iteration, f"{key}.v{version}", suffix)
            version += 1
        size, digest = arts.write_bytes(target, data) if data is not None else arts.copy_file(source, target)
        row = self._store.add_artifact(
            {
                "project": self.project,
                "key": key,
                "tag": tag,
                "kind": kind,
                "target": target,
                "size": size,
                "hash": digest,
                "run_uid": self.uid,
                "iteration": self.iteration,
                "producer": self.name,
                "meta": to_storable(f"artifact {key!r} meta", meta),
                "labels": {k: str(v) for k, v in (labels or {}).items()},
                "created": time.time(),
            }
        )
        return artifact_to_dict(row)

    def _write(self, final: dict[str, Any] | None = None) -> None:
        """One store transaction: results, labels, changed params/inputs, the pending log, ``final`` columns."""
        spec = self._run_record.spec
        changes: dict[str, Any] = {"results": self.results, "labels": self.labels, "last_update": time.time()}
        if self.parameters != spec.get("parameters") or self.inputs != spec.get("inputs"):
            spec = self._run_record.spec = {**spec, "parameters": self.parameters, "inputs": self.inputs}
            changes["spec"] = spec
        self._store.update_run(self.uid, self.iteration, {**changes, **(final or {})}, log=self.log.take())
        self._last_commit = time.monotonic()

    def _maybe_commit(self, force: bool) -> None:
        if force or time.monotonic() - self._last_commit >= self._commit_interval:
            self.commit()

    def to_dict(self) -> dict[str, Any]:
        """The context's view of the run: identity, params, inputs, labels, results."""
        return {
            "uid": self.uid,
            "name": self.name,
            "project": self.project,
            "iteration": self.iteration,
            "labels": dict(self.labels),
            "parameters": copy.deepcopy(self.parameters),
            "inputs": dict(self.inputs),
            "results": copy.deepcopy(self.results),
            "artifact_path": self.artifact_path,
        }


def _suffix_of(path: str) -> str:
    name = path.rstrip("/").rsplit("/", 1)[-1]
    return name[name.index("."):] if "." in name.lstrip(".") else ""
