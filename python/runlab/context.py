"""``RunContext``: what a handler receives as ``context`` — its params, inputs and the means to record.

Results are kept in memory and committed with the run's end, on ``commit()``, or when more than
``log_flush_interval`` seconds have passed, so a trivial run costs two store writes; artifact records are
committed as they are logged.
"""

from __future__ import annotations

import contextlib
import copy
import inspect
import io
import logging
import os
import pickle
import time
import zipfile
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from . import artifactfiles as arts
from . import projectref
from .binding import split_input_key
from .config import get_config
from .data import DataItem, check_input, get_dataitem
from .errors import ArtifactNotFoundError, InvalidInputError, ValidationError
from .hyper import HyperParamOptions
from .record import RunState, artifact_to_dict, copy_plain
from .runlog import RunLog, make_run_logger
from .secrets import get_secret
from .sweepsummary import iteration_row, summarize
from .values import check_key, check_size, check_storable, is_plain_scalar, storable_params, to_storable

if TYPE_CHECKING:
    from .record import RunRecord
    from .store.runstore import RunStore

_active: ContextVar[RunContext | None] = ContextVar("runlab_active_run", default=None)


def active_context() -> RunContext | None:
    """The context of the run executing here (this thread or task) right now, innermost first, if any."""
    return _active.get()


class activate:  # noqa: N801 - used as a function: ``with activate(context):``
    """Make ``context`` the active run for the block (what ``get_or_create_ctx`` returns inside it). (A class,
    not a generator: every run enters it.)"""

    def __init__(self, context: RunContext) -> None:
        self._context = context

    def __enter__(self) -> RunContext:
        self._token = _active.set(self._context)
        return self._context

    def __exit__(self, *exc_info: object) -> None:
        _active.reset(self._token)


class ArtifactRecord(dict):
    """An artifact's record (a dict, as ``status.artifacts`` shows it) whose keys also read as attributes:
    ``record["uri"]`` or ``record.uri``."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"artifact record has no {name!r} (it has {', '.join(self)})") from None

    def to_dataitem(self) -> DataItem:
        """The artifact's data as a :class:`~runlab.DataItem` (``url`` its file, ``artifact_url`` its URI)."""
        return DataItem(self["target_path"], key=self["key"], kind=self["kind"], meta=self["meta"],
                        artifact_url=self["uri"])


class RunAborted(BaseException):
    """Raised inside a handler when its run was asked to abort."""


class RunTimedOut(BaseException):
    """Raised inside a handler when its attempt has run longer than the run's ``timeout``."""


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
        self._stored_labels = record.labels  # what the store holds: a write sends labels only when they changed
        self.parameters: dict[str, Any] = copy_plain(spec.get("parameters", {}))  # stored params are JSON-shaped
        self.inputs: dict[str, str] = {}
        self.input_hints: dict[str, str] = {}  # "df: pandas.DataFrame" input keys: what the handler gets
        for key, url in spec.get("inputs", {}).items():
            name, hint = split_input_key(key)
            self.inputs[name] = url
            if hint:
                self.input_hints[name] = hint
        self.artifact_path: str = spec.get("output_path", "")
        self.results: dict[str, Any] = dict(record.results)
        self.log = log or RunLog()
        self._logger: logging.Logger | None = None  # made on first use: most handlers never log
        self._data_items: dict[str, DataItem] = {}
        self.annotations: dict[str, str] = {}
        self._artifacts: list[ArtifactRecord] = []
        self._state: RunState = RunState.RUNNING
        self.finished = False
        self._children: list[RunContext] = []
        self._parent: RunContext | None = None
        self._best: int | None = None
        self._last_commit = time.monotonic()
        self._commit_interval = get_config().log_flush_interval
        self._deadline: tuple[float, float] | None = None  # (time.monotonic() to stop at, the timeout) of this attempt

    def __enter__(self) -> RunContext:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: Any) -> None:
        """Leaving a ``with`` block ends the context: ``completed``, or ``error`` if the block raised (the
        exception goes on). MLRun's ``with context.get_child_context(...) as child:`` ends the child so."""
        if self.finished:
            return
        if exc is not None:
            self.end(RunState.ERROR, error=f"{type(exc).__name__}: {exc}")
        else:
            self.end(RunState.COMPLETED)

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
        """The input ``key`` as a :class:`~runlab.DataItem`.

        The run's own input wins; ``url`` is only a default for a key the run was not given (it is then
        recorded as the input). With neither, the key itself is tried as a URL or path (MLRun's rule).
        A recorded default gets the checks of ``inputs=``: a URL of a data store's scheme (never, say,
        ``javascript:``) that exists, else ``InvalidInputError`` and nothing is recorded.
        """
        if key not in self.inputs:
            candidate = url or key
            if not url and "://" not in candidate and not os.path.exists(candidate):
                known = ", ".join(sorted(self.inputs)) or "none"
                raise InvalidInputError(
                    f"run {self.name!r} has no input {key!r} (inputs: {known}) and no file {candidate!r} exists; "
                    "pass it in inputs= or call get_input(key, url)"
                )
            target = candidate if "://" in candidate else os.path.abspath(os.path.expanduser(candidate))
            check_input(target, key, self._store)
            self._data_items[key] = get_dataitem(target, key=key, store=self._store)
            self.inputs[key] = target  # recorded only once it passed every check
        item = self._data_items.get(key)
        if item is None:
            item = self._data_items[key] = get_dataitem(self.inputs[key], key=key, store=self._store)
        return item

    def get_dataitem(self, url: str, secrets: dict[str, str] | None = None) -> DataItem:
        """A :class:`~runlab.DataItem` for any URL or ``store://`` URI (not recorded as an input)."""
        return get_dataitem(url, store=self._store)

    get_store_resource = get_dataitem

    def get_secret(self, key: str) -> str | None:
        """A secret's value from the run's secret sources (``Task.with_secrets``), else the process
        environment; None when neither has it. Values are never recorded."""
        return get_secret(self._run_record.spec.get("secret_sources") or [], key)

    @property
    def state(self) -> str:
        """The run's state as seen from here: ``running`` until it ends, then how it ended."""
        return str(self._state)

    @property
    def tag(self) -> str:
        """The run's tag: its uid (MLRun's ``context.tag`` outside a workflow)."""
        return self.uid

    @property
    def out_path(self) -> str:
        """The run's artifact path (MLRun's older name for ``artifact_path``)."""
        return self.artifact_path

    @property
    def in_path(self) -> str:
        """Where relative input paths are read from: the current folder (empty)."""
        return ""

    @property
    def artifacts(self) -> list[dict[str, Any]]:
        """Records of the artifacts this context logged, in logging order."""
        return copy.deepcopy(self._artifacts)

    def artifact_subpath(self, *subpaths: str) -> str:
        """A path under the run's artifact path, e.g. for ``log_artifact(..., artifact_path=...)``:
        ``context.artifact_subpath("data")``."""
        return "/".join([self.artifact_path.rstrip("/"), *(p.strip("/") for p in subpaths)])

    def get_project_object(self) -> Any:
        """The run's project: the current project object when it is this run's, else the stored project."""
        current = projectref.current()
        if current is not None and current.name == self.project:
            return current
        return projectref.load(self.project, store=self._store)

    def get_project_param(self, key: str, default: Any = None) -> Any:
        """A project parameter: runlab projects keep no parameters, so ``default``."""
        return default

    # -- recording -------------------------------------------------------------------------------

    def set_label(self, key: str, value: Any, replace: bool = True) -> None:
        """Add a label to the run."""
        check_key("label", key)
        if replace or key not in self.labels:
            self.labels[key] = str(value)

    def set_annotation(self, key: str, value: Any, replace: bool = True) -> None:
        """Add an annotation (a note kept with this context, not used for filtering)."""
        if replace or key not in self.annotations:
            self.annotations[key] = str(value)

    def log_result(self, key: str, value: Any, commit: bool = False) -> None:
        """Record a result (a JSON-storable value; numpy scalars are unwrapped)."""
        if not isinstance(key, str) or not key:
            raise ValidationError(f"a result key must be a non-empty string, not {key!r}")
        if not is_plain_scalar(value):  # the usual result is stored as it is: no error text to build
            value = check_size(f"result {key!r}", to_storable(f"result {key!r}", value))
        self.results[key] = value
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
        item: Any = None,
        body: Any = None,
        local_path: str | None = None,
        format: str | None = None,
        tag: str | None = None,
        labels: dict[str, str] | None = None,
        kind: str | None = None,
        meta: dict[str, Any] | None = None,
        *,
        key: str | None = None,
        artifact_path: str | None = None,
        target_path: str | None = None,
        db_key: str | None = None,
        **kwargs: Any,
    ) -> ArtifactRecord:
        """Write an artifact and record it; returns its record (with ``uri`` and ``target_path``).

        ``item`` is the key, or an artifact object from ``runlab.artifacts`` (``Artifact``,
        ``DatasetArtifact``, ``ModelArtifact``, ``PlotArtifact``, ...). ``body`` may be bytes, str (HTML
        becomes a plot), a dict/list (JSON, or YAML with ``format="yaml"``), a pandas DataFrame (a dataset)
        or a matplotlib figure (a PNG plot). Without ``body``, ``local_path`` is an existing file to copy;
        with ``body``, it names the file written (``local_path="model.txt"``). The file goes under the
        run's folder of the artifact path, or under ``artifact_path`` (see ``artifact_subpath``), or to
        ``target_path`` exactly. ``db_key`` records it under another key.
        """
        if item is not None and not isinstance(item, str):
            log_spec = getattr(item, "log_spec", None)
            if not callable(log_spec):
                raise ValidationError(
                    f"log_artifact takes a key or an artifact object from runlab.artifacts, not "
                    f"{type(item).__name__}"
                )
            method, arguments = log_spec()
            given = {"body": body, "local_path": local_path, "format": format, "tag": tag, "labels": labels,
                     "artifact_path": artifact_path, "target_path": target_path, "db_key": db_key, "key": key}
            arguments.update({k: v for k, v in given.items() if v is not None})
            log = {"artifact": self._log, "dataset": self.log_dataset, "model": self.log_model}[method]
            accepted = inspect.signature(log).parameters
            record = log(**{k: v for k, v in arguments.items() if k in accepted})
            for name in ("uri", "target_path"):
                with contextlib.suppress(AttributeError):
                    setattr(item, name, record[name])
            return record
        if item is not None and key is not None and item != key:
            raise ValidationError(f"log_artifact got two keys, {item!r} and key={key!r}: pass one")
        name = item if item is not None else key
        if name is None:
            raise ValidationError("log_artifact needs a key: log_artifact('name', body=...)")
        return self._log(key=name, body=body, local_path=local_path, format=format, tag=tag, labels=labels,
                         kind=kind, meta=meta, artifact_path=artifact_path, target_path=target_path, db_key=db_key)

    def log_dataset(
        self,
        key: str,
        df: Any,
        format: str = "csv",
        tag: str | None = None,
        labels: dict[str, str] | None = None,
        index: bool = False,
        meta: dict[str, Any] | None = None,
        *,
        local_path: str | None = None,
        artifact_path: str | None = None,
        target_path: str | None = None,
        db_key: str | None = None,
        preview: int | None = None,
        stats: bool = False,
        label_column: str | None = None,
        extra_data: dict[str, Any] | None = None,
        upload: bool = True,
        **kwargs: Any,
    ) -> ArtifactRecord:
        """Write a DataFrame as a dataset artifact (CSV or Parquet) with its shape, schema and preview.

        ``stats=True`` also records per-column statistics (``meta["stats"]``: count, mean, std, min, max,
        ...); ``preview`` is how many rows the preview keeps; ``label_column`` is recorded in the meta.
        """
        arts.validate_key(key)
        fmt = format or (_suffix_of(local_path).lstrip(".") if local_path else "") or "csv"
        encoded = arts.encode_dataset(_as_frame(df), fmt, index=index)
        extra: dict[str, Any] = {}
        if stats:
            extra["stats"] = arts.dataset_stats(_as_frame(df))
        if preview is not None:
            extra["header"] = encoded.meta["header"][: max(0, int(preview))]
        if label_column:
            extra["label_column"] = label_column
        if extra_data:
            extra["extra_data"] = self._extra_data(key, extra_data, artifact_path)
        return self._log(key=key, encoded=encoded, tag=tag, labels=labels, meta={**extra, **(meta or {})},
                         local_path=local_path, artifact_path=artifact_path, target_path=target_path,
                         db_key=db_key)

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
        *,
        model_dir: str | None = None,
        artifact_path: str | None = None,
        extra_data: dict[str, Any] | None = None,
        db_key: str | None = None,
        inputs: list[Any] | None = None,
        outputs: list[Any] | None = None,
        training_set: Any = None,
        label_column: str | list[str] | None = None,
        upload: bool = True,
        **kwargs: Any,
    ) -> ArtifactRecord:
        """Record a model: ``body`` (bytes, or any picklable object), an existing ``model_file``, or
        ``model_dir`` (a folder holding ``model_file`` and the files that go with it).

        With ``body``, ``model_file`` names the file written. ``metrics`` are stored on the model artifact
        (``meta["metrics"]``); they are also logged as results for keys the run has no result for yet, so a
        run's own results are never overwritten. ``extra_data`` maps names to bytes/str (written beside the
        model), paths (relative to ``model_dir``), URLs or logged artifacts; ``runlab.artifacts.get_model``
        returns them as DataItems.
        """
        arts.validate_key(key)
        meta: dict[str, Any] = {
            "framework": framework,
            "algorithm": algorithm or "",
            "metrics": to_storable("model metrics", metrics or {}),
            "parameters": to_storable("model parameters", parameters or {}),
        }
        if label_column:
            meta["label_column"] = label_column
        if training_set is not None:
            meta["training_set"] = arts.dataset_meta(_as_frame(training_set))
        for name, features in (("inputs", inputs), ("outputs", outputs)):
            if features:
                meta[name] = to_storable(f"model {name}", [getattr(f, "to_dict", lambda f=f: f)() for f in features])
        if model_dir is not None:
            return self._log_model_dir(key, model_dir, model_file, body, meta, tag, labels, artifact_path,
                                       extra_data, db_key, metrics)
        if body is None and model_file is None:
            raise ValidationError(
                f"log_model({key!r}): pass body= (with model_file= naming its file, if you like), "
                "model_file= (an existing file) or model_dir= (a folder holding the model)"
            )
        if body is None:
            meta["model_file"] = str(model_file).rsplit("/", 1)[-1]
            record = self._log(key=key, kind="model", local_path=str(model_file), meta=meta, tag=tag,
                               labels=labels, artifact_path=artifact_path, db_key=db_key,
                               extra_data=extra_data)
        else:
            if isinstance(body, (bytes, bytearray)):
                encoded = arts.Encoded(bytes(body), ".bin", "model", {})
            elif isinstance(body, str) and model_file:
                encoded = arts.Encoded(body.encode("utf-8"), "", "model", {})
            else:
                encoded = arts.Encoded(pickle.dumps(body), ".pkl", "model", {"serializer": "pickle"})
            stem = key
            if model_file:
                name = os.path.basename(model_file)
                suffix = _suffix_of(name)
                encoded = arts.Encoded(encoded.data, suffix, "model", encoded.meta)
                stem = name[: len(name) - len(suffix)]
            meta["model_file"] = f"{stem}{encoded.suffix}"
            record = self._log(key=key, kind="model", encoded=encoded, meta=meta, tag=tag, labels=labels,
                               artifact_path=artifact_path, db_key=db_key, extra_data=extra_data, stem=stem)
        self._log_metrics(metrics)
        return record

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
                        **storable_params(params)}
        record = self._run_record.child(len(self._children) + 1, {}, state=RunState.RUNNING, runtime="local")
        record.spec["parameters"] = child_params
        self._store.create_run(record)
        child = RunContext(record, self._store)
        child._parent = self
        self._children.append(child)
        return child

    def update_child_iterations(self, best_run: int = 0, commit_children: bool = False,
                                completed: bool = True) -> None:
        """Of the children from ``get_child_context``: end them now (``commit_children``; ``completed`` or
        only committed) and make child ``best_run`` (1-based) the best, as ``mark_as_best`` does."""
        if best_run and not 1 <= best_run <= len(self._children):
            raise ValidationError(f"best_run={best_run}: this run has {len(self._children)} children (1..n)")
        if commit_children:
            for child in self._children:
                if not child.finished:
                    child.commit(completed=completed)
        if best_run:
            self._best = best_run

    def get_cached_artifact(self, key: str) -> ArtifactRecord:
        """The record of the artifact this context last logged under ``key``."""
        for record in reversed(self._artifacts):
            if record["key"] == key:
                return record
        raise ArtifactNotFoundError(f"this run logged no artifact {key!r} (logged: "
                                    f"{', '.join(sorted({a['key'] for a in self._artifacts})) or 'none'})")

    @property
    def logger(self) -> logging.Logger:
        """The run's logger (``runlab.<run name>``): what it logs goes to the run's log."""
        if self._logger is None:
            self._logger = make_run_logger(f"runlab.{self.name}")
        return self._logger

    @logger.setter
    def logger(self, logger: logging.Logger) -> None:
        self._logger = logger

    @property
    def log_level(self) -> str:
        """The run logger's level name, e.g. ``info``; settable (``context.log_level = "debug"``)."""
        return logging.getLevelName(self.logger.level).lower()

    @log_level.setter
    def log_level(self, value: str) -> None:
        level = logging.getLevelName(str(value).upper())
        if not isinstance(level, int):
            raise ValidationError(f"unknown log level {value!r}: use debug, info, warning or error")
        self.logger.setLevel(level)

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

    def commit(self, completed: bool | str = False, message: str | bool = "") -> None:
        """Write pending results, labels, params and log text to the store now.

        ``completed=True`` ends the run (for a run made by ``get_or_create_ctx``). A commit also notices
        an abort request: the handler then stops with ``RunAborted``. MLRun's order, ``commit(message,
        completed)``, is understood too: a string first is a message, written to the run's log.
        """
        if isinstance(completed, str):
            completed, message = bool(message), completed
        if message:
            self.logger.info(str(message))
        if completed:
            self.end(RunState.COMPLETED)
            return
        self._write()
        if self._store.get_run_state(self.uid, self.iteration) == RunState.ABORTING:
            raise RunAborted(f"run {self.uid} was asked to abort")
        if self._deadline is not None and time.monotonic() >= self._deadline[0]:
            raise RunTimedOut(f"timed out after {self._deadline[1]:g} s")

    def end(self, state: RunState | str, error: str | None = None, status: dict[str, Any] | None = None) -> None:
        """Record the run's end: final results, log, state, end time, and error details if any."""
        if self._children:
            status = self._summarize_children(status)
        state = RunState(state)
        self._write({"state": state, "end_time": time.time(), "error": error,
                     **({"status": {**self._run_record.status, **status}} if status else {})})
        self._state = state
        self.finished = True

    def _record_status(self, status: dict[str, Any]) -> None:
        """Write status fields (and pending results, log and artifacts) of a run that already ended,
        leaving its state and end time: how an aborted sweep (``sweep.py``) adds its summary after saying it stopped."""
        self._run_record.status = {**self._run_record.status, **status}
        self._write({"status": self._run_record.status})

    # -- internals -------------------------------------------------------------------------------

    def _folder(self, artifact_path: str | None) -> str:
        """Where this context's artifact files go: ``artifact_path`` when given, else the run's folder."""
        if artifact_path:
            return artifact_path.rstrip("/")
        if not self.artifact_path:
            raise ValidationError("this run has no artifact_path: pass artifact_path= to run_function")
        return arts.target_path(self.artifact_path, self.name, self.iteration, "", "").rstrip("/")

    def _log(
        self,
        key: str,
        kind: str | None = None,
        body: Any = None,
        encoded: arts.Encoded | None = None,
        local_path: str | None = None,
        format: str | None = None,
        tag: str | None = None,
        labels: dict[str, str] | None = None,
        meta: dict[str, Any] | None = None,
        artifact_path: str | None = None,
        target_path: str | None = None,
        db_key: str | None = None,
        extra_data: dict[str, Any] | None = None,
        stem: str | None = None,
    ) -> ArtifactRecord:
        """Write one artifact's file and record it (every ``log_*`` method ends here)."""
        arts.validate_key(key)
        record_key = arts.validate_key(db_key) if db_key else key
        source = None
        name = None  # the file's name, when the caller gave one
        if encoded is None and body is not None:
            encoded = arts.encode_body(body, format)
        if encoded is not None:
            if local_path is not None:
                name = _relative_name(key, local_path)
        elif local_path is not None:
            source = str(local_path)
            if os.path.isdir(source):  # a folder is logged as a zip of its files
                encoded = arts.Encoded(_zip_folder(source), ".zip", "file", {"archive_of": os.path.basename(
                    os.path.abspath(source))})
                source = None
        else:
            raise ValidationError(f"log_artifact({key!r}): pass body= (the content) or local_path= (a file to copy)")
        kind = kind or (encoded.kind if encoded is not None else "file")
        if kind not in arts.KINDS:
            raise ValidationError(f"unknown artifact kind {kind!r}: use one of {', '.join(arts.KINDS)}")
        if target_path:
            folder, name = target_path.rstrip("/").rsplit("/", 1) if "/" in target_path else (".", target_path)
        else:
            folder = self._folder(artifact_path)
        if name is not None:
            subfolder, _, name = name.rpartition("/")
            folder = f"{folder}/{subfolder}" if subfolder else folder
            suffix = _suffix_of(name)
            stem = name[: len(name) - len(suffix)]
        else:
            suffix = encoded.suffix if encoded is not None else _suffix_of(str(source))
            stem = stem or key
        full_meta = {**(encoded.meta if encoded is not None else {}), **(meta or {})}
        if extra_data:
            full_meta["extra_data"] = self._extra_data(key, extra_data, folder, None)
        row = arts.write_artifact(
            self._store,
            {
                "project": self.project,
                "key": record_key,
                "tag": tag or None,
                "kind": kind,
                "run_uid": self.uid,
                "iteration": self.iteration,
                "producer": self.name,
                "meta": to_storable(f"artifact {key!r} meta", full_meta),
                "labels": {k: str(v) for k, v in (labels or {}).items()},
                "created": time.time(),
            },
            folder, stem, suffix,
            data=encoded.data if encoded is not None else None, source=source,
        )
        record = ArtifactRecord(artifact_to_dict(row))
        self._artifacts.append(record)
        return record

    def _log_model_dir(self, key: str, model_dir: str, model_file: str | None, body: Any, meta: dict[str, Any],
                       tag: str | None, labels: dict[str, str] | None, artifact_path: str | None,
                       extra_data: dict[str, Any] | None, db_key: str | None,
                       metrics: dict[str, Any] | None) -> ArtifactRecord:
        """A model kept as a folder: the model file and every other file of ``model_dir`` beside it."""
        root = os.path.abspath(os.path.expanduser(model_dir))
        if body is not None:
            if not model_file:
                raise ValidationError(f"log_model({key!r}): with body= and model_dir=, pass model_file= too")
            os.makedirs(root, exist_ok=True)
            with open(os.path.join(root, os.path.basename(model_file)), "wb") as out:
                out.write(body if isinstance(body, (bytes, bytearray)) else pickle.dumps(body))
        if not os.path.isdir(root):
            raise ValidationError(f"log_model({key!r}): model_dir {model_dir!r} is not a folder")
        files = sorted(os.path.relpath(os.path.join(d, f), root) for d, _, names in os.walk(root) for f in names)
        if model_file is None:
            if len(files) != 1:
                raise ValidationError(
                    f"log_model({key!r}): model_dir {model_dir!r} holds {len(files)} files: pass model_file= "
                    "naming the model's file in it"
                )
            model_file = files[0]
        model_file = os.path.relpath(os.path.join(root, model_file), root)
        if model_file not in files:
            raise ValidationError(f"log_model({key!r}): model_file {model_file!r} is not in {model_dir!r}")
        base = self._folder(artifact_path)
        folder, version = f"{base}/{key}", 1
        while self._store.artifact_target_taken(f"{folder}/{model_file}"):
            folder, version = f"{base}/{key}.v{version}", version + 1
        extras = {rel: f"{folder}/{rel}" for rel in files if rel != model_file}
        for rel, target in extras.items():
            arts.copy_file(os.path.join(root, rel), target, key)
        if extra_data:
            extras.update(self._extra_data(key, extra_data, folder, root))
        meta = {**meta, "model_file": os.path.basename(model_file), "model_dir": folder}
        if extras:
            meta["extra_data"] = extras
        record = self._log(key=key, kind="model", local_path=os.path.join(root, model_file), meta=meta, tag=tag,
                           labels=labels, target_path=f"{folder}/{model_file}", db_key=db_key)
        self._log_metrics(metrics)
        return record

    def _extra_data(self, key: str, extra_data: dict[str, Any], folder: str, model_dir: str | None) -> dict[str, str]:
        """Where each extra file of an artifact is: bytes and DataFrames are written beside it; paths
        (relative ones against ``model_dir``), URLs and logged artifacts are referred to."""
        if not isinstance(extra_data, dict):
            raise ValidationError(f"extra_data must be a dict of name → data, not {type(extra_data).__name__}")
        where: dict[str, str] = {}
        for name, value in extra_data.items():
            arts.validate_key(name)
            if isinstance(value, dict) and "uri" in value:
                where[name] = value["uri"]
            elif hasattr(value, "uri") and isinstance(value.uri, str) and value.uri:
                where[name] = value.uri
            elif isinstance(value, (bytes, bytearray)) or arts.is_dataframe(value):
                encoded = arts.encode_body(bytes(value) if isinstance(value, bytearray) else value)
                target = f"{folder}/{key}.extra/{name}{encoded.suffix}" if model_dir is None else \
                    f"{folder}/{name}{encoded.suffix}"
                arts.write_bytes(target, encoded.data, key)
                where[name] = target
            elif isinstance(value, (str, os.PathLike)):
                text = str(value)
                if "://" not in text and not os.path.isabs(text):
                    text = os.path.join(model_dir or os.getcwd(), text)
                    if model_dir is not None and os.path.exists(text):
                        text = f"{folder}/{os.path.relpath(text, model_dir)}"
                where[name] = text
            else:
                raise ValidationError(
                    f"extra_data {name!r}: pass bytes, a DataFrame, a path or URL, or a logged artifact, "
                    f"not {type(value).__name__}"
                )
        return where

    def _log_metrics(self, metrics: dict[str, Any] | None) -> None:
        """Model metrics as results, for keys the run has no result for (its own results win)."""
        fresh = {k: v for k, v in (metrics or {}).items() if k not in self.results}
        if fresh:
            self.log_results(fresh)

    def _write(self, final: dict[str, Any] | None = None) -> None:
        """One store transaction: results, labels, changed params/inputs, the pending log, ``final`` columns."""
        spec = self._run_record.spec
        changes: dict[str, Any] = {"results": self.results, "last_update": time.time()}
        labels = None
        if self.labels != self._stored_labels:  # unchanged labels are not sent (nor another context's overwritten)
            labels = changes["labels"] = dict(self.labels)
        if self.parameters != spec.get("parameters") or self.inputs != spec.get("inputs"):
            spec = self._run_record.spec = {**spec, "parameters": self.parameters, "inputs": self.inputs}
            changes["spec"] = spec
        if final:
            changes.update(final)
        self._store.update_run(self.uid, self.iteration, changes, log=self.log.take())
        if labels is not None:
            self._stored_labels = labels
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


def _zip_folder(folder: str) -> bytes:
    """The files under ``folder`` as zip bytes (names relative to it)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for parent, _, names in os.walk(folder):
            for name in sorted(names):
                path = os.path.join(parent, name)
                archive.write(path, os.path.relpath(path, folder))
    return buf.getvalue()


def _relative_name(key: str, local_path: str) -> str:
    """With a body, ``local_path`` names the file to write under the artifact folder."""
    name = str(local_path).replace("\\", "/").strip()
    if not name or name.startswith("/") or ".." in name.split("/") or name.endswith("/"):
        raise ValidationError(
            f"log_artifact({key!r}): with body=, local_path names the file written under the artifact path; "
            f"pass a relative file name such as 'model.txt', not {local_path!r} (or drop body= to copy a file)"
        )
    return name


def _as_frame(data: Any) -> Any:
    """A DataFrame for ``log_dataset``: DataFrames as they are; Series, numpy arrays, lists and dicts
    converted."""
    if arts.is_dataframe(data):
        return data
    import pandas as pd

    if isinstance(data, pd.Series):
        return data.to_frame()
    if type(data).__module__ == "numpy" or isinstance(data, (list, dict)):
        return pd.DataFrame(data)
    raise ValidationError(
        f"log_dataset takes a pandas DataFrame (or Series, numpy array, list, dict), not {type(data).__name__}"
    )


def _suffix_of(path: str) -> str:
    name = path.rstrip("/").rsplit("/", 1)[-1]
    return name[name.index("."):] if "." in name.lstrip(".") else ""
