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
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .. import binding
from ..config import get_config
from ..context import RunAborted, RunContext, activate
from ..errors import NotebookCellError
from ..outputs import HANDLER_OPTIONS, HandlerOptions, log_returns
from ..record import RunState
from ..runlog import RunLog, capture_output
from .notebook import run_notebook

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
            echo: bool = True) -> Outcome:
    """Run ``handler`` for the stored run ``record`` and record how it ended.

    ``live`` (background runs): every result is committed at once and the log is flushed within 0.2 s,
    so others follow the run as it goes. Without ``echo`` the output goes to the run's log only.
    """
    uid, iteration = record.uid, record.iteration
    config = get_config()
    interval = min(0.2, config.log_flush_interval) if live else config.log_flush_interval
    log = RunLog(lambda offset, text, stamps: store.append_log(uid, iteration, offset, text, stamps), interval)
    context = RunContext(record, store, log)
    if live:
        context._commit_interval = 0.0
    with activate(context), capture_output(log, echo=echo):
        try:
            if handler.import_error is not None:
                raise handler.import_error
            if handler.notebook:
                run_notebook(handler.notebook, handler.kernel, context, show_progress=echo)
            elif handler.script:
                _run_script(handler.script, record.spec.get("args", []), context)
            else:
                func = handler.build(context, context.parameters)
                returns = record.spec.get("returns") or []
                hints, convert = dict(context.input_hints), True
                decorated = getattr(func, HANDLER_OPTIONS, None)
                if isinstance(decorated, HandlerOptions):  # @runlab.handler: labels, input hints, outputs
                    func, returns = decorated.prepare(context, returns, called=func)
                    hints, convert = {**decorated.input_hints, **hints}, decorated.parse_inputs
                args, kwargs = binding.bind(func, context, context.parameters, context.inputs, hints=hints,
                                            convert=convert)
                value = func(*args, **kwargs)
                record_returns(context, value, returns)
        except RunAborted:
            print(f"run {uid} aborted", file=sys.stderr)
            context.end(RunState.ABORTED, error="aborted by request")
            return Outcome(RunState.ABORTED, results=None if handler.notebook else context.results)
        except KeyboardInterrupt:
            context.end(RunState.ABORTED, error="interrupted (KeyboardInterrupt)")
            raise  # the user interrupted the cell: the run is recorded, the interrupt goes on
        except BaseException as exc:  # noqa: BLE001 - the run records any failure
            text, message, details = _describe_failure(exc)
            sys.stderr.write(text)
            context.end(RunState.ERROR, error=message, status={"traceback": text, **details})
            return Outcome(RunState.ERROR, exc, None if handler.notebook else context.results)
    context.end(RunState.COMPLETED)
    return Outcome(RunState.COMPLETED, results=None if handler.notebook else context.results)


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
