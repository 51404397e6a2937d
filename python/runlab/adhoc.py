"""``get_or_create_ctx``: a run context for code that was not started by ``run_function``.

Inside a run it returns that run's context. In a script or notebook run by hand it records a run of its
own (state ``running``), which ends ``completed`` on ``context.commit(completed=True)`` or when the
process exits, and ``error`` if the process dies of an uncaught exception.
"""

from __future__ import annotations

import atexit
import os
import sys
import time
import traceback
import uuid
from typing import Any

from .context import RunContext
from .runlog import RunLog

_by_name: dict[str, RunContext] = {}


def get_or_create_ctx(name: str, project: str = "", labels: dict[str, str] | None = None,
                      params: dict[str, Any] | None = None) -> RunContext:
    """The current run's context, or a new recorded run named ``name``."""
    from .runtimes.worker import active_context

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
    from .errors import RunNotFoundError
    from .store import get_store

    store = get_store()
    row = store.get_run(uid, iteration)
    if row is None:
        raise RunNotFoundError(f"RUNLAB_RUN_UID={uid} names no run in {store.url}")
    context = RunContext(row, store, RunLog(lambda offset, text: store.append_log(uid, iteration, offset, text)))
    context._commit_interval = 0.0  # the owner ends the run; everything logged here must be stored at once
    return context


def _create(name: str, project_name: str, labels: dict[str, str], params: dict[str, Any]) -> RunContext:
    from .artifacts import expand_artifact_path
    from .launch import _default_labels, _hostname, normalize_name, validate_name
    from .project import resolve_project
    from .values import check_storable

    project = resolve_project(project_name)
    run_name = validate_name(normalize_name(name) or "run")
    uid = uuid.uuid4().hex
    now = time.time()
    row = {
        "uid": uid, "iteration": 0, "project": project.name, "name": run_name, "kind": "local",
        "state": "running", "labels": {**_default_labels("local"), **{k: str(v) for k, v in labels.items()}},
        "spec": {
            "function": "", "handler": "", "inputs": {}, "outputs": [], "returns": [],
            "parameters": {k: check_storable(f"param {k!r}", v) for k, v in params.items()},
            "output_path": expand_artifact_path(project.artifact_path, uid, run_name, project.name),
        },
        "results": {}, "status": {}, "error": None, "start_time": now, "last_update": now,
        "end_time": None, "pid": os.getpid(), "host": _hostname(),
    }
    store = project.store
    store.create_run(row)
    context = RunContext(row, store, RunLog(lambda offset, text: store.append_log(uid, 0, offset, text)))
    _finish_at_exit(context)
    return context


def _finish_at_exit(context: RunContext) -> None:
    previous_hook = sys.excepthook

    def on_uncaught(exc_type, exc, tb):
        if not context.finished:
            text = "".join(traceback.format_exception(exc_type, exc, tb))
            context.end("error", error=f"{exc_type.__name__}: {exc}", status={"traceback": text})
        previous_hook(exc_type, exc, tb)

    def on_exit() -> None:
        if not context.finished:
            context.end("completed")

    sys.excepthook = on_uncaught
    atexit.register(on_exit)
