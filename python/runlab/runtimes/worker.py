"""The worker side every runtime shares: bind the handler, call it in a ``RunContext``, record the end.

Whatever the runtime (in-process, a subprocess, a notebook kernel, a Dask worker), this is the code that
runs a handler, so a handler behaves the same everywhere.
"""

from __future__ import annotations

import contextlib
import os
import re
import runpy
import sys
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .. import binding
from ..bounds import RunBounds, timed_out
from ..config import get_config
from ..context import RunAborted, RunContext, RunTimedOut, activate
from ..errors import NotebookCellError
from ..outputs import HANDLER_OPTIONS, HandlerOptions, log_returns
from ..record import RunState
from ..runlog import RunLog, capture_output
from .base import wait_until
from .notebook import run_notebook
from .stopper import timeout_stopper

if TYPE_CHECKING:
    from ..handlers import HandlerRef
    from ..record import RunRecord
    from ..store.runstore import RunStore


@dataclass
class Outcome:
    state: RunState
    exception: BaseException | None = None
    results: dict[str, Any] | None = None
    """The results the run recorded, as stored (None when a notebook's kernel recorded them: read them back)."""


def execute(record: RunRecord, handler: HandlerRef, store: RunStore, live: bool = False,
            echo: bool = True, stop: str = "commit") -> Outcome:
    """Run ``handler`` for the stored run ``record`` and record how it ended.

    ``live`` (background runs): every result is committed at once and the log is flushed within 0.2 s,
    so others follow the run as it goes. Without ``echo`` the output goes to the run's log only.

    The run's bounds (``runlab.bounds``): an attempt that fails (an error or its timeout) is tried again while
    retries remain, after a delay the run waits as ``pending`` (``status.retry``); each attempt is listed in
    ``status.attempts`` and its log starts with an ``attempt N of M`` line. ``stop`` says how a timeout stops
    the handler: at its next commit (``commit``: the handler shares this process), by a signal to this
    process's main thread (``signal``: a process of its own), or by an exception sent to its thread
    (``thread``: a Dask worker); the processes it started meanwhile are killed.
    """
    bounds = RunBounds.from_spec(record.spec)
    attempts: list[dict[str, Any]] = []
    uid, iteration = record.uid, record.iteration
    interval = get_config().log_flush_interval
    if live:
        interval = min(0.2, interval)
    log = RunLog(lambda offset, text, stamps: store.append_log(uid, iteration, offset, text, stamps), interval)
    for number in range(1, bounds.attempts + 1):
        if number > 1:
            delay = bounds.delay_before(number)
            if not _wait_for_attempt(record, store, number, bounds.attempts, delay, attempts):
                return _end_aborted_between(record, store, attempts)
        outcome = _attempt(record, handler, store, log, live, echo, stop, bounds, number, attempts)
        if outcome is not None:
            return outcome
    raise AssertionError("the last attempt always ends the run")  # pragma: no cover


def _attempt(record: RunRecord, handler: HandlerRef, store: RunStore, log: RunLog, live: bool, echo: bool,
             stop: str, bounds: RunBounds, number: int, attempts: list[dict[str, Any]]) -> Outcome | None:
    """One attempt of the run (its log goes on in ``log``): its outcome once the run ended, None when the run
    goes on to its next attempt."""
    uid = record.uid
    context = RunContext(record, store, log)
    if live:
        context._commit_interval = 0.0
    total = bounds.attempts
    last = number == total
    started = time.time()
    with activate(context), capture_output(log, echo=echo):
        try:
            if total > 1:
                print(f"--- attempt {number} of {total} ---", file=sys.stderr)
            if bounds.timeout is None:  # nothing to stop: no timer, no look at this process's children
                _call(record, handler, context, echo)
            else:
                with timeout_stopper(bounds.timeout, context, stop, store):
                    _call(record, handler, context, echo)
        except RunAborted:
            print(f"run {uid} aborted", file=sys.stderr)
            context.end(RunState.ABORTED, error="aborted by request", status=_attempts_status(
                attempts, started, RunState.ABORTED, "aborted by request", bounds))
            return Outcome(RunState.ABORTED, results=None if handler.notebook else context.results)
        except KeyboardInterrupt:
            context.end(RunState.ABORTED, error="interrupted (KeyboardInterrupt)")
            raise  # the user interrupted the cell: the run is recorded, the interrupt goes on
        except BaseException as exc:  # noqa: BLE001 - the run records any failure
            if isinstance(exc, RunTimedOut):  # raised in a thread, it carries no message: the bound says it
                message = timed_out(bounds.timeout or 0)
                text, details = f"run {uid} {message}\n", {}
            else:
                text, message, details = _describe_failure(exc)
            sys.stderr.write(text)
            trace = {} if isinstance(exc, RunTimedOut) else {"traceback": text}  # the error says it all
            status = {**trace, **details, **_attempts_status(attempts, started, RunState.ERROR, message, bounds)}
            if last:
                context.end(RunState.ERROR, error=message, status=status)
                return Outcome(RunState.ERROR, exc, None if handler.notebook else context.results)
            context._write({"status": {**context._run_record.status, **status}})
            return None
    context.end(RunState.COMPLETED, status=_attempts_status(attempts, started, RunState.COMPLETED, None, bounds))
    return Outcome(RunState.COMPLETED, results=None if handler.notebook else context.results)


def _call(record: RunRecord, handler: HandlerRef, context: RunContext, echo: bool) -> None:
    """Call the handler (or run the notebook or script) once."""
    if handler.import_error is not None:
        raise handler.import_error
    if handler.notebook:
        run_notebook(handler.notebook, handler.kernel, context, show_progress=echo)
    elif handler.script:
        _run_script(handler.script, record.spec.get("args", []), context)
    else:
        func = handler.build(context, context.parameters)
        returns = record.spec.get("returns") or []
        hints, convert = context.input_hints, True  # read, never changed, by bind
        decorated = getattr(func, HANDLER_OPTIONS, None)
        if isinstance(decorated, HandlerOptions):  # @runlab.handler: labels, input hints, outputs
            func, returns = decorated.prepare(context, returns, called=func)
            hints, convert = {**decorated.input_hints, **hints}, decorated.parse_inputs
        args, kwargs = binding.bind(func, context, context.parameters, context.inputs, hints=hints,
                                    convert=convert)
        value = func(*args, **kwargs)
        record_returns(context, value, returns)


def _attempts_status(attempts: list[dict[str, Any]], started: float, state: RunState, error: str | None,
                     bounds: RunBounds) -> dict[str, Any]:
    """Add this attempt to ``attempts``; the status fields that list them (none for a run of one attempt)."""
    if bounds.attempts == 1:  # nothing lists a single attempt
        return {}
    attempts.append({"attempt": len(attempts) + 1, "start_time": started, "end_time": time.time(),
                     "state": state.value, "error": error})
    return {"attempts": list(attempts)}


def _wait_for_attempt(record: RunRecord, store: RunStore, number: int, total: int, delay: float,
                      attempts: list[dict[str, Any]]) -> bool:
    """Wait ``delay`` seconds as ``pending`` (``status.retry`` says which attempt comes when), then take the
    run back to ``running``; False when an abort was asked meanwhile."""
    uid, iteration = record.uid, record.iteration
    stored = store.get_run_fields(uid, iteration, "status") or {}
    status = {**(stored.get("status") or {}), "attempts": list(attempts),
              "retry": {"attempt": number, "of": total, "at": time.time() + delay}}
    if not store.update_run_if(uid, iteration, {"state": RunState.PENDING, "status": status,
                                                "last_update": time.time()}, (RunState.RUNNING,)):
        return False  # an abort was asked as the attempt ended
    try:
        if wait_until(lambda: store.get_run_state(uid, iteration) == RunState.ABORTING, delay):
            return False
    except RunAborted:  # SIGTERM to a job waiting for its next attempt
        return False
    status.pop("retry")
    return store.update_run_if(uid, iteration, {"state": RunState.RUNNING, "status": status, "error": None,
                                                 "last_update": time.time()}, (RunState.PENDING,))


def _end_aborted_between(record: RunRecord, store: RunStore, attempts: list[dict[str, Any]]) -> Outcome:
    """An abort asked while the run waited for its next attempt: it ends ``aborted``."""
    now = time.time()
    stored = store.get_run_fields(record.uid, record.iteration, "status") or {}
    status = {k: v for k, v in (stored.get("status") or {}).items() if k != "retry"}
    store.update_run(record.uid, record.iteration, {
        "state": RunState.ABORTED, "error": "aborted by request", "end_time": now, "last_update": now,
        "status": {**status, "attempts": list(attempts)}})
    return Outcome(RunState.ABORTED)


def _describe_failure(exc: BaseException) -> tuple[str, str, dict[str, Any]]:
    """Traceback text, error message and extra status fields of a failed handler (or notebook cell)."""
    if isinstance(exc, NotebookCellError):
        text = re.sub(r"\x1b\[[0-9;]*m", "", exc.notebook_traceback) + "\n"
        details = {"cell_index": exc.cell_index, "exec_count": exc.exec_count, "ename": exc.ename,
                   "evalue": exc.evalue}
        return text, str(exc), details
    return _user_traceback(exc), f"{type(exc).__name__}: {exc}", {}


def _user_traceback(exc: BaseException) -> str:
    """The exception's traceback without the frames of runlab's own worker code above the handler."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(exc), exc, tb))


def record_returns(context: RunContext, value: Any, returns: list[Any]) -> None:
    """Log a handler's return value by its log hints (``returns``; see :mod:`runlab.outputs`)."""
    log_returns(context, value, returns)


def _run_script(path: str, args: list[str], context: RunContext) -> None:
    """Run a file as ``__main__`` with ``{param}`` placeholders in its arguments filled from params."""
    argv = [path, *(arg.format(**context.parameters) for arg in args)]
    with _script_environment(path, argv):
        try:
            runpy.run_path(path, run_name="__main__")
        except SystemExit as exit_:
            if exit_.code not in (None, 0):
                raise RuntimeError(f"script {os.path.basename(path)} exited with code {exit_.code}") from None


@contextlib.contextmanager
def _script_environment(path: str, argv: list[str]) -> Iterator[None]:
    saved_argv, saved_path = sys.argv, list(sys.path)
    sys.argv = argv
    sys.path.insert(0, os.path.dirname(path))
    try:
        yield
    finally:
        sys.argv = saved_argv
        sys.path[:] = saved_path
