"""``get_or_create_ctx``: a run context for code that was not started by ``run_function``.

Inside a run it returns that run's context. In a script or notebook run by hand it records a run of its
own (state ``running``), which ends ``completed`` on ``context.commit(completed=True)`` or when the
process exits, and ``error`` if the process dies of an uncaught exception.
"""

from __future__ import annotations

import atexit
import os
import sys
import traceback
from typing import Any

from . import process, projectref
from .artifactfiles import expand_artifact_path
from .context import RunContext, active_context
from .errors import RunNotFoundError
from .names import normalize_name, validate_name
from .record import RunState, new_run
from .runlog import RunLog
from .store import get_store
from .values import check_key, storable_params

_by_name: dict[str, RunContext] = {}


def get_or_create_ctx(name: str, project: str = "", labels: dict[str, str] | None = None,
                      params: dict[str, Any] | None = None) -> RunContext:
    """The current run's context, or a new recorded run named ``name``."""
    context = active_context()
    if context is not None:
        return context
    uid = os.environ.get("RUNLAB_RUN_UID")
    if uid:
        return _attach(uid, int(os.environ.get("RUNLAB_RUN_ITERATION", "0")))
    if name in _by_name:
        return _by_name[name]
    context = _by_name[name] = _create(name, project, labels or {}, params or {})
    return context


def _attach(uid: str, iteration: int) -> RunContext:
    """The context of a run started elsewhere that handed its uid down through the environment."""
    store = get_store()
    record = store.get_run(uid, iteration)
    if record is None:
        raise RunNotFoundError(f"RUNLAB_RUN_UID={uid} names no run in {store.url}")
    log = RunLog(lambda offset, text, stamps: store.append_log(uid, iteration, offset, text, stamps))
    context = RunContext(record, store, log)
    context._commit_interval = 0.0  # the owner ends the run; everything logged here must be stored at once
    return context


def _create(name: str, project_name: str, labels: dict[str, str], params: dict[str, Any]) -> RunContext:
    project = projectref.resolve(project_name)
    run_name = validate_name(normalize_name(name) or "run")
    spec = {"function": "", "handler": "", "inputs": {}, "outputs": [], "returns": [],
            "parameters": storable_params(params)}
    record = new_run(project.name, run_name, "local", RunState.RUNNING,
                     {check_key("label", k): str(v) for k, v in labels.items()},
                     spec, runtime="local", pid=os.getpid())
    spec["output_path"] = expand_artifact_path(project.artifact_path, record.uid, run_name, project.name)
    store = project.store
    store.create_run(record)
    uid = record.uid
    log = RunLog(lambda offset, text, stamps: store.append_log(uid, 0, offset, text, stamps))
    context = RunContext(record, store, log)
    _finish_at_exit(context)
    return context


def _finish_at_exit(context: RunContext) -> None:
    previous_hook = sys.excepthook

    def on_uncaught(exc_type, exc, tb):
        if not context.finished:
            text = "".join(traceback.format_exception(exc_type, exc, tb))
            context.end(RunState.ERROR, error=f"{exc_type.__name__}: {exc}", status={"traceback": text})
        previous_hook(exc_type, exc, tb)

    def on_exit() -> None:
        if not context.finished:
            context.end(RunState.COMPLETED)

    sys.excepthook = on_uncaught
    atexit.register(on_exit)


process.on_reset("adhoc", "runs made by get_or_create_ctx, by name", _by_name.clear)
