"""A request to run a file as a job (``POST /runs``) or to rerun a run with changes (``POST /runs/{uid}/rerun``):
every field checked first, each refusal a ``JobRequestError`` naming its field (``params.lr``, ``inputs.data``,
``schedule.cron``, ...) so the dialog shows it by that field, and nothing recorded; then the function is set on
its project and started in the background, or scheduled.

The checks read the source with ``ast`` (``sourceinfo``): a handler that is not in the file, a param the
handler does not take or whose value does not fit its default's type (or annotation), a required param left
out, an input path that does not exist, a bad label, project or run name, a bad cron or time zone.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import cron
from ..errors import (
    HandlerNotFoundError,
    JobRequestError,
    MissingParameterError,
    PathOutsideRootError,
    RunError,
    RunlabError,
    SourceNotFoundError,
    ValidationError,
)
from ..launch import launch
from ..launch import rerun as relaunch
from ..names import normalize_name, validate_name
from ..project import Project
from ..projectref import load as load_project
from ..record import RunRecord
from ..schedules import CONCURRENCY, create_schedule, schedule_dict
from ..store.runstore import RunStore
from ..task import task_for_call
from ..values import check_key, check_storable
from .sourceinfo import fits, inspect_source, resolve_under

KINDS = ("job", "dask")
"""What the dialog offers: a background process, or a Dask cluster ("in this kernel" runs in the kernel)."""
FIELDS = {"project", "path", "kind", "handler", "name", "params", "inputs", "labels", "schedule", "validate_only"}
CHANGES = {"params", "inputs", "labels", "handler", "validate_only"}


@dataclass
class JobRequest:
    """A checked request: the source file, its project and function, and the run's task fields."""

    project: str
    path: Path
    kind: str
    handler: str
    name: str
    params: dict[str, Any] = field(default_factory=dict)
    inputs: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    schedule: dict[str, str] | None = None
    validate_only: bool = False

    @property
    def function_name(self) -> str:
        """The project's function the file becomes, named after the file (its runs are named after the file and
        the handler)."""
        return (normalize_name(self.path.stem) or "job")[:63].strip("-")


def check_request(store: RunStore, root: str, body: Any) -> JobRequest:
    """Every field of a ``POST /runs`` body checked (``JobRequestError`` names the first bad one)."""
    data = _object(body, "the request body", FIELDS)
    project = _text(data, "project", required=True)
    _name(project, "project", "project name")
    path = resolve_under(root, _text(data, "path", required=True))
    info = inspect_source(path)
    kind = _text(data, "kind") or "job"
    if kind not in KINDS:
        raise JobRequestError("kind", f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    if kind == "dask" and info["kind"] == "notebook":
        raise JobRequestError("kind", f"{path.name} is a notebook, which runs as a background job: choose 'job'")
    handler = _text(data, "handler")
    check_handler(info, handler, path.name)
    name = _text(data, "name")
    if name:
        _name(name, "name", "run name")
    inputs = check_inputs(data.get("inputs"), root)
    params = check_params(info, handler, data.get("params"), inputs)
    labels = check_labels(data.get("labels"))
    schedule = check_schedule(data.get("schedule"))
    validate_only = data.get("validate_only", False)
    if not isinstance(validate_only, bool):
        raise JobRequestError("validate_only", f"validate_only must be true or false, not {validate_only!r}")
    request = JobRequest(project, path, kind, handler, name, params, inputs, labels, schedule, validate_only)
    if schedule is not None and store.get_schedule(project, request.function_name) is not None:
        raise JobRequestError("schedule.cron", f"project {project!r} already has a schedule "
                                               f"{request.function_name!r}: delete it in the Schedules view first")
    return request


def submit(store: RunStore, root: str, body: Any) -> dict[str, Any]:
    """Check a request; unless it is ``validate_only``, set the function on its project (created in the
    server's root folder when new) and start it in the background (``{uid, state, project}``) or record its
    schedule (``{schedule}``)."""
    request = check_request(store, root, body)
    if request.validate_only:
        return {"valid": True, "function": request.function_name}
    project = load_project(request.project, cls=Project, store=store)
    if project is None:
        project = Project(request.project, str(Path(root or ".").expanduser().resolve()), store=store).save()
    try:
        function = project.set_function(str(request.path), name=request.function_name, kind=request.kind,
                                        handler=request.handler or None)
        task = task_for_call(name=request.name, params=request.params, inputs=request.inputs, labels=request.labels)
        # static: the handler is checked without importing the file; the server never runs user code
        if request.schedule is not None:
            create_schedule(project, function, request.schedule["cron"], task, task.handler, None,
                            timezone=request.schedule["timezone"] or None,
                            concurrency=request.schedule["concurrency"], static=True)
            return {"schedule": schedule_dict(store.get_schedule(project.name, request.function_name), store)}
        try:
            run = launch(function, project, task, watch=False, static=True)
        except RunError as exc:  # it failed at once: the run is recorded all the same
            run = exc.run
    except ValidationError as exc:
        if isinstance(exc, JobRequestError):
            raise
        raise JobRequestError("", str(exc)) from None
    return {"uid": run.uid(), "state": run.state(), "project": project.name}


def rerun(store: RunStore, record: RunRecord, body: Any, root: str) -> dict[str, Any]:
    """Start ``record``'s function again with the changes of a ``POST /runs/{uid}/rerun`` body (``params``,
    ``inputs``, ``labels``, ``handler``; each checked as ``POST /runs`` checks it) in the background; with
    ``validate_only`` only check them."""
    changes = _object(body, "the request body", CHANGES) if body not in (None, b"", "") else {}
    params, inputs, labels, handler = None, None, None, None
    if changes:
        source = (record.spec.get("source") or {}).get("filename") or ""
        info = inspect_source(Path(source)) if source and Path(source).is_file() else None
        handler = _text(changes, "handler") or None
        recorded = record.spec.get("handler_path") or ""
        if info is not None:
            check_handler(info, handler if handler is not None else recorded, Path(source).name)
        elif handler is not None:
            raise JobRequestError("handler", f"run {record.uid}'s source file is gone, so its handler cannot change")
        inputs = check_inputs(changes.get("inputs"), root)
        labels = check_labels(changes.get("labels"))
        params = _params_dict(changes.get("params"))
        if info is not None:
            check_params(info, handler if handler is not None else recorded,
                         {**(record.spec.get("parameters") or {}), **params},
                         {**(record.spec.get("inputs") or {}), **inputs})
        labels.pop("rerun-of", None)  # the new run's is its own
        if changes.get("validate_only") is True:
            return {"valid": True, "function": str(record.spec.get("function") or "").rpartition("/")[2]}
    try:
        new = relaunch(record, store, params=params, inputs=inputs, labels=labels, handler=handler, watch=False,
                       background=True)  # the server never runs user code in its own process
    except RunError as exc:
        new = exc.run
    except JobRequestError:
        raise
    except ValidationError as exc:  # the file changed since the run: its handler, or a param it now requires
        field = "handler" if isinstance(exc, HandlerNotFoundError) else \
            "params" if isinstance(exc, MissingParameterError) else ""
        raise JobRequestError(field, f"cannot rerun {record.uid}: {exc}") from None
    return {"uid": new.uid(), "state": new.state(), "project": record.project}


# -- the checks ----------------------------------------------------------------------------------------


def check_handler(info: dict[str, Any], handler: str, filename: str) -> None:
    """A notebook has no handler; a Python file's must be one of its top-level functions ('' runs it as a script)."""
    if info["kind"] == "notebook":
        if handler:
            raise JobRequestError("handler", f"{filename} is a notebook, which runs whole: leave the handler empty")
        return
    names = [f["name"] for f in info["functions"]]
    if handler and handler not in names:
        raise JobRequestError("handler", f"{filename} has no top-level function {handler!r} (functions: "
                                         f"{', '.join(names) or 'none'}): pick one of them")


def check_params(info: dict[str, Any], handler: str, params: Any, inputs: dict[str, str]) -> dict[str, Any]:
    """Params that the handler (or the notebook's parameters cell) takes, each fitting its type, every
    required one given (as a param or an input)."""
    params = _params_dict(params)
    if info["kind"] == "notebook":
        declared, open_ended, owner = info["parameters"], True, "the notebook's parameters cell"
    elif handler:
        function = next(f for f in info["functions"] if f["name"] == handler)
        declared, open_ended, owner = function["params"], function["kwargs"], f"handler {handler!r}"
    else:
        declared, open_ended, owner = [], True, "the script"
    by_name = {p["name"]: p for p in declared}
    for key, value in params.items():
        spec = by_name.get(key)
        if spec is None:
            if not open_ended:
                raise JobRequestError(f"params.{key}", f"{owner} takes no param {key!r} (it takes: "
                                                       f"{', '.join(by_name) or 'none'}): remove it")
            continue
        if not fits(spec["type"], value):
            default = f", default {spec['default_text']}" if spec["default_text"] else ""
            wanted = _a(spec["type"])
            raise JobRequestError(f"params.{key}", f"param {key!r} of {owner} is {wanted}{default}; "
                                                   f"{json_text(value)} is {_a(_kind_of(value))}: give {wanted}")
    for spec in declared:
        if spec["required"] and spec["name"] not in params and spec["name"] not in inputs:
            raise JobRequestError(f"params.{spec['name']}", f"{owner} needs a value for {spec['name']!r} "
                                                            "(it has no default): give it as a param or an input")
    return params


def check_inputs(inputs: Any, root: str) -> dict[str, str]:
    """Inputs as key → path (relative to the server's root folder, made absolute; it must exist) or URL."""
    if inputs is None:
        return {}
    if not isinstance(inputs, dict):
        raise JobRequestError("inputs", f"inputs must be an object of name → path, not {_kind_of(inputs)}")
    checked = {}
    for key, url in inputs.items():
        where = f"inputs.{key}"
        _key(key, where, "input")
        if not isinstance(url, str) or not url.strip():
            raise JobRequestError(where, f"input {key!r} needs a path (relative to the Jupyter root) or a URL")
        if "://" in url:
            checked[key] = url
            continue
        try:
            checked[key] = str(resolve_under(root, url, f"input {key!r}"))
        except (PathOutsideRootError, SourceNotFoundError) as exc:
            raise JobRequestError(where, str(exc)) from None
    return checked


def check_labels(labels: Any) -> dict[str, str]:
    """Labels as key → text."""
    if labels is None:
        return {}
    if not isinstance(labels, dict):
        raise JobRequestError("labels", f"labels must be an object of key → value, not {_kind_of(labels)}")
    checked = {}
    for key, value in labels.items():
        _key(key, f"labels.{key}", "label")
        if not isinstance(value, (str, int, float, bool)):
            raise JobRequestError(f"labels.{key}", f"label {key!r} must be text, not {_kind_of(value)}")
        checked[key] = str(value)
    return checked


def check_schedule(schedule: Any) -> dict[str, str] | None:
    """None, or a cron expression with its time zone and concurrency policy."""
    if schedule is None:
        return None
    data = _object(schedule, "schedule", {"cron", "timezone", "concurrency"})
    expression = _text(data, "cron", required=True, where="schedule.cron")
    timezone = _text(data, "timezone", where="schedule.timezone")
    concurrency = _text(data, "concurrency", where="schedule.concurrency") or "forbid"
    try:
        cron.zone(timezone or None)
    except RunlabError as exc:
        raise JobRequestError("schedule.timezone", str(exc)) from None
    try:
        expression = cron.normalize(expression)
        cron.shortest_interval(expression, timezone or None, time.time())
    except RunlabError as exc:
        raise JobRequestError("schedule.cron", str(exc)) from None
    if concurrency not in CONCURRENCY:
        raise JobRequestError("schedule.concurrency", f"concurrency must be one of {', '.join(CONCURRENCY)}, "
                                                      f"not {concurrency!r}")
    return {"cron": expression, "timezone": timezone, "concurrency": concurrency}


def _params_dict(params: Any) -> dict[str, Any]:
    if params is None:
        return {}
    if not isinstance(params, dict):
        raise JobRequestError("params", f"params must be an object of name → value, not {_kind_of(params)}")
    for key, value in params.items():
        try:
            check_storable(f"param {key!r}", value)
        except ValidationError as exc:
            raise JobRequestError(f"params.{key}", str(exc)) from None
    return dict(params)


def _object(value: Any, what: str, known: set[str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise JobRequestError("", f"{what} must be a JSON object, not {_kind_of(value)}")
    unknown = sorted(set(value) - known)
    if unknown:
        raise JobRequestError(unknown[0], f"{what} has an unknown field {unknown[0]!r} (fields: "
                                          f"{', '.join(sorted(known))})")
    return value


def _text(data: dict[str, Any], key: str, required: bool = False, where: str = "") -> str:
    value = data.get(key)
    if value is None or value == "":
        if required:
            raise JobRequestError(where or key, f"{where or key} is required")
        return ""
    if not isinstance(value, str):
        raise JobRequestError(where or key, f"{where or key} must be text, not {_kind_of(value)}")
    return value.strip()


def _name(value: str, where: str, what: str) -> None:
    try:
        validate_name(value, what)
    except ValidationError as exc:
        raise JobRequestError(where, str(exc)) from None


def _key(key: str, where: str, what: str) -> None:
    try:
        check_key(what, key)
    except ValidationError as exc:
        raise JobRequestError(where, str(exc)) from None


def _a(kind: str) -> str:
    return f"an {kind}" if kind[:1] in "aeiou" else f"a {kind}"


def _kind_of(value: Any) -> str:
    return {bool: "bool", int: "int", float: "float", str: "str", list: "list", dict: "dict",
            type(None): "null"}.get(type(value), type(value).__name__)


def json_text(value: Any) -> str:
    """A value as the dialog shows it (cut when long)."""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."
