"""Turning (function, task) into a run: ``prepare`` checks everything and builds the record, nothing
recorded; ``start`` records it and hands it to its runtime (or drives a sweep).

Every check happens in ``prepare``, before the run record exists, so bad input never leaves a half-made
run; a schedule calls ``prepare`` alone when it is created, to refuse what a firing would refuse.
"""

from __future__ import annotations

import dataclasses
import os
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import capture, process, projectref
from . import run as run_module
from .artifactfiles import expand_artifact_path
from .binding import check_binding, check_required
from .bounds import RunBounds, check_bounds
from .config import get_config
from .data import check_input
from .display import auto_show as show_in_notebook
from .errors import (
    CodeChangedWarning,
    InvalidInputError,
    ProjectNotFoundError,
    RunError,
    RunlabError,
    RunStateError,
    ValidationError,
)
from .handlers import FunctionSpec, HandlerRef, handler_label
from .names import fix_name, normalize_name
from .outputs import check_log_hints
from .projectref import check_artifact_path
from .pysource import static_handler
from .record import RunState, new_run
from .run import RunObject
from .runcache import CACHED_FROM, cache_keys, cached_copy, wants_cache
from .runtimes import get_runtime, runtime_for
from .runtimes.base import PreparedRun
from .secrets import check_reachable as check_secrets_reachable
from .sweep import Sweep
from .sweep import prepare as prepare_sweep
from .task import Task
from .values import check_key, storable_params

if TYPE_CHECKING:
    from .projectref import ProjectRef
    from .record import RunRecord
    from .runtimes.base import Runtime
    from .store.runstore import RunStore
    from .task import Task


@dataclass
class Launch:
    """A checked run, not recorded yet: its record, the runtime that will run it, the handler, and the
    sweep it drives (None for a single run)."""

    record: RunRecord
    runtime: Runtime
    handler: HandlerRef
    store: RunStore
    sweep: Sweep | None


def launch(function: FunctionSpec, project: ProjectRef, task: Task, handler: str | Callable | None = None,
           local: bool | None = None, watch: bool = True, selector: str | None = None,
           static: bool = False) -> RunObject:
    """Check and start one run (or a sweep: a parent and one child per parameter set); with ``watch``
    wait for it. Raises ``RunError`` if it failed. ``static``: see :func:`prepare`."""
    prepared = prepare(function, project, task, handler=handler, local=local, selector=selector, static=static)
    if not function.filename and prepared.handler.func is not None:  # only this process can run it again
        _callables[_callable_key(prepared.record)] = (function, prepared.handler.func)
    return start(prepared, watch)


_callables: dict[tuple[str, str, str], tuple[FunctionSpec, Callable]] = {}
"""Functions defined in this process (a notebook cell's handler) by project, function and handler label: what
``run.rerun()`` calls again, since no other process can load them."""
process.on_reset("launch", "the callables of functions defined in this process, for reruns", _callables.clear)

AUTOMATIC_LABELS = ("kind", "owner", "host")
"""Labels runlab sets on every run: a rerun gets its own."""


def _callable_key(record: RunRecord) -> tuple[str, str, str]:
    return record.project, str(record.spec.get("function") or ""), str(record.spec.get("handler") or "")


def rerun(record: RunRecord, store: RunStore, params: dict[str, Any] | None = None,
          inputs: dict[str, str] | None = None, labels: dict[str, str] | None = None, handler: str | None = None,
          watch: bool = True, background: bool = False) -> RunObject:
    """Start ``record``'s function again as a new run: the same function, handler and kind, the recorded params,
    inputs and labels with the given ones merged over them, labelled ``rerun-of=<uid>``. ``handler`` replaces
    the recorded handler; ``background`` runs a ``local`` function as a ``job`` (what the server and schedulers
    do: they never run user code in their own process, so its handler is checked statically, see :func:`prepare`).
    A function defined in a notebook cell reruns here
    when this process still knows it, else ``RunStateError`` says what to do. When the code or the Python
    environment changed since ``record`` ran, a ``CodeChangedWarning`` says how (not for ``background``)."""
    spec = record.spec
    local = None
    known = None if background or handler is not None else _callables.get(_callable_key(record))
    if known is not None:
        function, chosen = known
    else:
        function = FunctionSpec.from_dict(spec.get("source") or {})
        if not function.filename:
            raise RunStateError(f"run {record.uid}'s function was defined in a notebook cell, so only that kernel can "
                                "run it: rerun it there, or put the handler in a .py file and set_function that file")
        if not os.path.exists(function.filename):
            raise RunStateError(f"run {record.uid}'s source {function.filename} no longer exists")
        chosen = handler if handler is not None else spec.get("handler_path") or None
    if background and function.kind == "local":
        function = dataclasses.replace(function, kind="job")
    elif record.kind == "local" and function.kind != "local":
        local = True  # it ran with local=True: so does its rerun
    project = projectref.load(record.project, store=store)
    if project is None:
        raise ProjectNotFoundError(f"run {record.uid}'s project {record.project!r} is no longer in the store")
    if not background:  # the server and schedulers say it their own way (the dialog's warning, /drift)
        _warn_of_drift(record, store, function, chosen)
    kept = {k: v for k, v in record.labels.items() if k not in AUTOMATIC_LABELS and k != CACHED_FROM}  # it runs
    task = Task(name=record.name, params={**(spec.get("parameters") or {}), **_as_dict(params)},
                inputs={**(spec.get("inputs") or {}), **_as_dict(inputs, "inputs")},
                labels={**kept, **_as_dict(labels, "labels"), "rerun-of": record.uid},
                hyperparams=dict(spec.get("hyperparams") or {}),
                hyper_param_options=dict(spec.get("hyper_param_options") or {}),
                **_recorded_bounds(spec))
    return launch(function, project, task, handler=chosen, local=local, watch=watch, static=background)


def _warn_of_drift(record: RunRecord, store: RunStore, function: FunctionSpec, handler: Any) -> None:
    """A ``CodeChangedWarning`` when the code or environment ``record`` ran with is not what runs now."""
    if not get_config().capture:
        return
    ref = HandlerRef(label="", func=handler) if callable(handler) else None
    found = capture.drift(record, store, function, ref)
    message = capture.drift_message(record.uid, found)
    if message is not None:
        warnings.warn(CodeChangedWarning(message, found), stacklevel=4)  # at the user's run.rerun()


run_module.set_rerun(rerun)


def _recorded_bounds(spec: dict[str, Any]) -> dict[str, Any]:
    """A recorded run's timeout and retries, as a task's fields: its rerun keeps them."""
    bounds = RunBounds.from_spec(spec)
    return {"timeout": bounds.timeout, "retry": bounds.retry or None,
            "retry_delay": bounds.retry_delay if bounds.retry else None}


def prepare(function: FunctionSpec, project: ProjectRef, task: Task, handler: str | Callable | None = None,
            local: bool | None = None, selector: str | None = None, static: bool = False) -> Launch:
    """Every check a run needs (handler, params, inputs, names, the runtime's own), and its record;
    nothing is recorded.

    ``static=True`` is for callers that must never run user code (the Jupyter server, schedulers): the
    function's file is read with ``ast`` instead of imported (its handler must be defined there, the params
    it requires given), and the run's own process imports it, recording a failure to import as the run's error.
    Only a run in another process can be prepared so. By default the file is imported here, as MLRun does:
    its handler's errors are raised at call time."""
    handler = handler if handler is not None else task.handler
    if local is not None and not isinstance(local, bool):
        raise ValidationError(f"local must be True, False or None, not {local!r}")
    bounds = check_bounds(task.timeout, task.retry, task.retry_delay)
    use_cache = wants_cache(task.cache, getattr(project, "cache", False))
    sweep = None
    if task.hyperparams or task.param_file or selector or task.hyper_param_options:
        sweep = prepare_sweep(task.hyperparams, task.param_file, task.hyper_param_options, selector)
    side_by_side = sweep is not None and (sweep.options.parallel_runs or 1) > 1
    runtime = runtime_for(function.kind, in_process=bool(local), side_by_side=side_by_side)
    ref = _resolve_statically(function, handler) if static else _resolve(function, handler)
    if static and runtime.in_process:
        raise ValidationError(f"function {function.name!r} would run in this process, which runs no user code: "
                              "run it as a background 'job' (or 'dask') function")
    if ref.import_error is not None:  # recorded as a failed run in this process, as MLRun records it
        runtime, sweep = get_runtime("local"), None
    function.check_handler(ref)
    handler_path = _handler_path(ref, in_process=runtime.in_process, function=function,
                                 parallel=side_by_side and function.kind == "local")
    run_params = storable_params(_as_dict(task.params))
    run_inputs = _checked_inputs(task.inputs, project)
    check_log_hints(task.returns)
    target = ref.signature_target()
    if target is not None or ref.required is not None:
        given = run_params if sweep is None else {**run_params, **dict.fromkeys(sweep.space)}
        if target is not None:
            check_binding(target, given, run_inputs, ref.label)
        else:
            check_required(ref.required, given, run_inputs, ref.label)
    run_name = fix_name(task.name) if task.name else _default_run_name(function, ref)
    run_labels = {check_key("label", k): str(v) for k, v in _as_dict(task.labels, "labels").items()}
    spec = {
        "function": f"{project.name}/{function.name}",
        "handler": ref.label,
        "handler_path": handler_path,
        "workdir": project.context,
        "parameters": run_params,
        "inputs": run_inputs,
        "outputs": list(task.outputs),
        "returns": list(task.returns),
        "output_path": "",
        "args": list(function.args),
        "source": function.to_dict(),
        "secret_sources": list(task.secrets),  # where secrets come from; values are never recorded
        **bounds.to_spec(),
    }
    code = capture.capture(function, ref)
    if code is not None:
        spec["code"] = code
    kind = "local" if local else function.kind  # the kind the run ran as: local=True runs in this process
    record = new_run(project.name, run_name, kind, runtime.initial_state, run_labels, spec,
                     runtime=runtime.name,
                     pid=os.getpid() if runtime.in_process else None)  # a queued run has no process yet
    check_artifact_path(task.artifact_path or "")
    record.spec["output_path"] = expand_artifact_path(task.artifact_path or project.artifact_path, record.uid,
                                                      run_name, project.name)
    runtime.validate(record)
    check_secrets_reachable(task.secrets, runtime.in_process and not ref.notebook, runtime.name)
    if sweep is not None and sweep.options.strategy == "custom":
        record.spec.update(hyperparams=sweep.space, hyper_param_options=sweep.options.to_dict())
        sweep = None  # the handler makes its children itself (context.get_child_context)
    if use_cache and ref.import_error is None:  # a file that fails to import fails: never a cache source
        keys = cache_keys(project.name, function, ref, record.spec, project.store)
        if sweep is None:
            record.cache_key = keys.key(record.spec["parameters"])
        else:
            sweep.cache = keys  # each child's key is its own params'; the parent has none
    return Launch(record=record, runtime=runtime, handler=ref, store=project.store, sweep=sweep)


def start(launch: Launch, watch: bool = True) -> RunObject:
    """Record a prepared run and start it; with ``watch`` follow its log and wait for its end. A run that
    failed raises ``RunError`` (the run is recorded: ``err.run``)."""
    if not isinstance(watch, bool):
        raise ValidationError(f"watch must be True or False, not {watch!r}")
    record, store = launch.record, launch.store
    capture.keep_environment(store, record.spec.get("code"))
    run = RunObject(record.uid, 0, store.url)
    exception = None
    if launch.sweep is None and cached_copy(record, store) is not None:  # nothing to run
        auto_show(run)
        return run
    if launch.sweep is not None:
        launch.sweep.start(record, launch.runtime, launch.handler, store, watch)
        state = run.refresh().state()
    else:
        launch.runtime.claim(record)
        store.create_run(record)
        handle = launch.runtime.submit(PreparedRun(record=record, handler=launch.handler, store_url=store.url))
        state = None
        if watch:
            if not launch.runtime.in_process:
                run.logs(watch=True, poll=0.1)  # an in-process run already printed into the cell
            state = handle.wait()
        exception = handle.exception
    auto_show(run)
    if state == RunState.ERROR:
        run.refresh()
        raise RunError(f"run {record.name} ({record.uid[:8]}) failed: {run.error}", run=run) from exception
    return run


def auto_show(run: RunObject) -> None:
    """In a notebook, show the run's table as run_function returns (the ``auto_show`` setting)."""
    if "IPython" in sys.modules:  # no notebook without it
        show_in_notebook(run)


def _resolve(function: FunctionSpec, handler: str | Callable | None) -> HandlerRef:
    """The handler to call; when the function's file fails to import, a handler that raises that failure
    (the run is recorded as failed, with the traceback), and a missing handler name is refused as ever."""
    try:
        return function.resolve(handler)
    except RunlabError:
        raise
    except Exception as exc:  # the file's own code failed while it was imported
        if not function.filename:
            raise
        tb = exc.__traceback__
        while tb is not None and tb.tb_frame.f_code.co_filename != function.filename:
            tb = tb.tb_next  # the recorded traceback starts in the user's file, not in runlab's loader
        if tb is not None:
            exc = exc.with_traceback(tb)
        handler = handler if handler is not None else function.handler
        if not handler:
            return HandlerRef(label=f"script {os.path.basename(function.filename)}", script=function.filename,
                              import_error=exc)
        label = handler_label(handler)
        return HandlerRef(label=label, path=label if isinstance(handler, str) else "", import_error=exc)


def _resolve_statically(function: FunctionSpec, handler: str | Callable | None) -> HandlerRef:
    """The handler named in the function's file, found without importing the file (a notebook, a script or a
    callable needs no import: ``resolve`` makes those as ever)."""
    handler = handler if handler is not None else function.handler
    if not isinstance(handler, str) or not handler or function.filename.endswith(".ipynb"):
        return function.resolve(handler)
    if not function.filename:  # an installed module's function: the run's own process imports the module
        if "." not in handler.split("::")[0]:
            return function.resolve(handler)  # refused: it names no file or module
        return HandlerRef(label=handler, path=handler)
    return HandlerRef(label=handler, path=handler,
                      required=static_handler(function.filename, handler, function.name))


def _handler_path(ref: HandlerRef, in_process: bool, function: FunctionSpec, parallel: bool = False) -> str | None:
    """How another process finds the handler (None: the file runs as a script, or the notebook whole).
    ``parallel``: an in-process function's sweep with ``parallel_runs``, whose children run as processes."""
    if ref.script or ref.notebook:
        return None
    if not ref.path and not in_process:
        raise ValidationError(_not_loadable(ref, function, parallel))
    return ref.path or None


def _not_loadable(ref: HandlerRef, function: FunctionSpec, parallel: bool = False) -> str:
    """Why a run in another process cannot load this handler, and what to do."""
    qualname = getattr(ref.func, "__qualname__", "")
    if parallel:
        what = ("a lambda" if "<lambda>" in qualname else "a nested function" if "<locals>" in qualname
                else f"handler {ref.label!r} (defined in this notebook or script)")
        return (f"parallel_runs runs each child of the sweep in a process of its own, which loads the handler by "
                f"name; {what} cannot be loaded so: put it in a .py file (code_to_function or set_function that "
                "file), or leave parallel_runs out to run the children here one after another")
    fix = "put it in a .py file and set_function that file, or pass local=True to run it here"
    if "<lambda>" in qualname or "<locals>" in qualname:
        what = "a lambda" if "<lambda>" in qualname else "a nested function"
        return (f"{what} cannot be the handler of a background {function.kind!r} run of {function.name!r}: "
                f"another process loads its handler by name; define it with def at the top level and {fix}")
    return (f"handler {ref.label!r} is defined in this notebook or script, so a background {function.kind!r} run "
            f"cannot load it: {fix}")


def _as_dict(value: Any, what: str = "params") -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValidationError(f"{what} must be a dict, not {type(value).__name__}")
    return value


def _checked_inputs(inputs: Any, project: ProjectRef) -> dict[str, str]:
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
        if "://" not in url:
            url = os.path.join(project.context, os.path.expanduser(url))
        check_input(url, key, project.store)
        checked[key] = url
    return checked


def _default_run_name(function: FunctionSpec, ref: HandlerRef) -> str:
    base = function.name
    if ref.script or ref.notebook or not ref.label:
        return normalize_name(base) or "run"
    handler = ref.label.split("::")[-1].split(".")[-1]
    name = normalize_name(base if handler == base else f"{base}-{handler}")
    return name or "run"
