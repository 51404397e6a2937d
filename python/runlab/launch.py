"""Turning (function, task, call arguments) into a run: validate, name, enrich, record, hand to a runtime.

Every check happens here, before the run record exists, so bad input never leaves a half-made run.
"""

from __future__ import annotations

import getpass
import os
import re
import socket
import sys
import time
import uuid
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .binding import check_binding
from .errors import InvalidInputError, InvalidNameError, RunError, ValidationError
from .runtimes import get_runtime
from .runtimes.base import PreparedRun
from .task import Task
from .values import check_storable

if TYPE_CHECKING:
    from .functions import Function, HandlerRef
    from .project import Project
    from .run import RunObject

_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")


def validate_name(name: str, what: str = "run name") -> str:
    """A DNS-label-like name: lowercase letters, digits and '-', at most 63 characters."""
    if not isinstance(name, str) or not _NAME.match(name):
        hint = normalize_name(name) if isinstance(name, str) else ""
        suggestion = f" (e.g. {hint!r})" if hint else ""
        raise InvalidNameError(
            f"invalid {what} {name!r}: use lowercase letters, digits and '-', start and end with a letter or "
            f"digit, at most 63 characters{suggestion}"
        )
    return name


def normalize_name(text: str) -> str:
    """Make a valid name out of free text: ``"Train_Model"`` → ``"train-model"``."""
    name = re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-")
    return re.sub(r"-{2,}", "-", name)[:63].strip("-")


def launch(
    function: Function,
    project: Project,
    base_task: Task | None = None,
    handler: str | Callable | None = None,
    name: str = "",
    params: dict[str, Any] | None = None,
    inputs: dict[str, str] | None = None,
    labels: dict[str, str] | None = None,
    artifact_path: str | None = None,
    local: bool | None = None,
    watch: bool = True,
    returns: list[str] | None = None,
    hyperparams: dict[str, list[Any]] | None = None,
    hyper_param_options: Any = None,
    selector: str | None = None,
    check_only: bool = False,
) -> RunObject | None:
    """Validate and start one run (or a sweep: a parent and one child per parameter set); with ``watch``
    wait for it. Raises ``RunError`` if it failed. ``check_only`` stops after every check, before anything
    is recorded (what a schedule does when it is created)."""
    from .run import RunObject

    if base_task is not None and not isinstance(base_task, Task):
        raise ValidationError(f"base_task must be a Task from runlab.new_task(), not {type(base_task).__name__}")
    options = hyper_param_options.to_dict() if hasattr(hyper_param_options, "to_dict") else hyper_param_options
    task = (base_task or Task()).merged(
        name=name, params=params, inputs=inputs, labels=labels, returns=returns, artifact_path=artifact_path,
        hyperparams=hyperparams, hyper_param_options=options,
    )
    handler = handler if handler is not None else task.handler
    sweep = None
    if task.hyperparams or task.param_file or selector or task.hyper_param_options:
        from .sweep import prepare

        sweep = prepare(task.hyperparams, task.param_file, task.hyper_param_options, selector)
    runtime = get_runtime(_runtime_name(function, local, sweep))
    ref = function.resolve(handler)
    _check_handler_kind(function, ref)
    handler_path = _handler_path(ref, in_process=runtime.in_process, function=function)
    run_params = {key: check_storable(f"param {key!r}", value) for key, value in _as_dict(task.params).items()}
    run_inputs = _checked_inputs(task.inputs, project.context)
    target = ref.signature_target()
    if target is not None:
        swept = dict.fromkeys(sweep.space) if sweep is not None else {}
        check_binding(target, {**run_params, **swept}, run_inputs, ref.label)
    run_name = validate_name(task.name) if task.name else _default_run_name(function, ref)
    run_labels = {k: str(v) for k, v in _as_dict(task.labels, "labels").items()}

    uid = uuid.uuid4().hex
    output_path = _artifact_root(task.artifact_path or project.artifact_path, uid, run_name, project.name)
    now = time.time()
    in_process = runtime.in_process
    row = {
        "uid": uid,
        "iteration": 0,
        "project": project.name,
        "name": run_name,
        "kind": function.kind,
        "state": runtime.initial_state,
        "labels": {**_default_labels(function.kind), **run_labels},
        "spec": {
            "function": f"{project.name}/{function.name}",
            "handler": ref.label,
            "handler_path": handler_path,
            "workdir": project.context,
            "parameters": run_params,
            "inputs": run_inputs,
            "outputs": list(task.outputs),
            "returns": list(task.returns),
            "output_path": output_path,
            "args": list(function.args),
            "source": function.to_dict(),
        },
        "results": {},
        "status": {"runtime": runtime.name},
        "error": None,
        "start_time": now,
        "last_update": now,
        "end_time": None,
        "pid": os.getpid() if in_process else None,  # a queued run has no process yet
        "host": _hostname(),
    }
    validate = getattr(runtime, "validate", None)  # a runtime's own checks, before anything is recorded
    if validate is not None:
        validate(row)
    if check_only:
        return None
    if sweep is not None and sweep.options.strategy == "custom":
        row["spec"].update(hyperparams=sweep.space, hyper_param_options=sweep.options.to_dict())
        sweep = None  # the handler makes its children itself (context.get_child_context)
    if sweep is not None:
        sweep.start(row, runtime, function, ref, project, watch)
        run = RunObject(uid, 0, project.store.url).refresh()
        auto_show(run)
        if run.state() == "error":
            raise RunError(f"run {run_name} ({uid[:8]}) failed: {run.error}", run=run)
        return run
    project.store.create_run(row)
    handle = runtime.submit(PreparedRun(row=row, function=function, handler=ref, store_url=project.store.url))
    run = RunObject(uid, 0, project.store.url)
    state = None
    if watch:
        if not in_process:
            run.logs(watch=True, poll=0.1)  # an in-process run already printed into the cell
        state = handle.wait()
    auto_show(run)
    if state == "error":
        run.refresh()
        raise RunError(f"run {run_name} ({uid[:8]}) failed: {run.error}", run=run) from getattr(
            handle, "exception", None
        )
    return run


def auto_show(run: RunObject) -> None:
    """In a notebook, show the run's table as run_function returns (the ``auto_show`` setting)."""
    if "IPython" in sys.modules:  # no notebook without it: skip the import
        from .display import auto_show as show

        show(run)


def _runtime_name(function: Function, local: bool | None, sweep: Any) -> str:
    """In-process for ``local`` functions and ``local=True``, else the function's kind. Children of a
    sweep with ``parallel_runs`` run side by side, so in-process functions then run them as jobs."""
    parallel = sweep is not None and (sweep.options.parallel_runs or 1) > 1
    if function.kind == "local" or local:
        return "job" if parallel else "local"
    return "job" if function.kind == "notebook" else function.kind  # a notebook runs in a process of its own


def _handler_path(ref: HandlerRef, in_process: bool, function: Function) -> str | None:
    """How another process finds the handler (None: the file runs as a script)."""
    if ref.script or ref.notebook:
        return None
    if not ref.path and not in_process:
        raise ValidationError(
            f"handler {ref.label!r} is defined in this notebook or script, so a background {function.kind!r} run "
            "cannot load it: put it in a .py file and set_function that file, or pass local=True to run it here"
        )
    return ref.path or None


def _check_handler_kind(function: Function, ref: HandlerRef) -> None:
    if function.kind == "job" and ref.func is not None:
        qualname = getattr(ref.func, "__qualname__", "")
        if "<lambda>" in qualname or "<locals>" in qualname:
            raise ValidationError(
                f"a {'lambda' if '<lambda>' in qualname else 'nested function'} cannot be the handler of job "
                f"{function.name!r}: a job must be able to load its handler by name; define it with def at the "
                "top level of a file, or use kind='local'"
            )


def _as_dict(value: Any, what: str = "params") -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValidationError(f"{what} must be a dict, not {type(value).__name__}")
    return value


def _checked_inputs(inputs: Any, context: str) -> dict[str, str]:
    """Inputs validated; relative local paths made absolute against the project's context folder."""
    if not isinstance(inputs, dict):
        raise InvalidInputError(
            f"inputs must be a dict of name → URL, not {type(inputs).__name__} (e.g. inputs={{'data': 'iris.csv'}})"
        )
    checked: dict[str, str] = {}
    for key, url in inputs.items():
        if not isinstance(key, str) or not isinstance(url, str):
            raise InvalidInputError(
                f"inputs must map names (str) to URLs (str); got {key!r}: {url!r} ({type(url).__name__})"
            )
        if url.startswith("store://"):
            from .artifacts import resolve_store_uri

            try:
                resolve_store_uri(url)
            except Exception as exc:
                raise InvalidInputError(f"input {key!r}: {exc}") from exc
        else:
            from .data import check_exists

            if "://" not in url:
                url = os.path.join(context, os.path.expanduser(url))
            check_exists(url, key)
        checked[key] = url
    return checked


def _default_run_name(function: Function, ref: HandlerRef) -> str:
    base = function.name
    if ref.script or ref.notebook or not ref.label:
        return normalize_name(base) or "run"
    handler = ref.label.split("::")[-1].split(".")[-1]
    name = normalize_name(base if handler == base else f"{base}-{handler}")
    return name or "run"


def _artifact_root(path: str, uid: str, run_name: str, project: str) -> str:
    from .artifacts import expand_artifact_path

    return expand_artifact_path(path, uid, run_name, project)


@lru_cache(maxsize=1)
def _hostname() -> str:
    return socket.gethostname()


@lru_cache(maxsize=4)
def _default_labels(kind: str) -> dict[str, str]:
    try:
        owner = getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name in some containers
        owner = str(os.getuid())
    return {"kind": kind, "owner": owner, "host": _hostname()}
