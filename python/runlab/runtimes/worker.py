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
from ..record import RunState
from ..runlog import RunLog, capture_output
from ..values import to_storable
from .notebook import run_notebook

if TYPE_CHECKING:
    from ..handlers import HandlerRef
    from ..record import RunRecord
    from ..store.runstore import RunStore


@dataclass
class Outcome:
    state: RunState
    exception: BaseException | None = None


def execute(record: RunRecord, handler: HandlerRef, store: RunStore, live: bool = False,
            echo: bool = True) -> Outcome:
    """Run ``handler`` for the stored run ``record`` and record how it ended.

    ``live`` (background runs): every result is committed at once and the log is flushed within 0.2 s,
    so others follow the run as it goes. Without ``echo`` the output goes to the run's log only.
    """
    uid, iteration = record.uid, record.iteration
    config = get_config()
    interval = min(0.2, config.log_flush_interval) if live else config.log_flush_interval
    log = RunLog(lambda offset, text: store.append_log(uid, iteration, offset, text), interval)
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
                args, kwargs = binding.bind(func, context, context.parameters, context.inputs)
                value = func(*args, **kwargs)
                record_returns(context, value, record.spec.get("returns") or [])
        except RunAborted:
            print(f"run {uid} aborted", file=sys.stderr)
            context.end(RunState.ABORTED, error="aborted by request")
            return Outcome(RunState.ABORTED)
        except KeyboardInterrupt:
            context.end(RunState.ABORTED, error="interrupted (KeyboardInterrupt)")
            raise  # the user interrupted the cell: the run is recorded, the interrupt goes on
        except BaseException as exc:  # noqa: BLE001 - the run records any failure
            text, message, details = _describe_failure(exc)
            sys.stderr.write(text)
            context.end(RunState.ERROR, error=message, status={"traceback": text, **details})
            return Outcome(RunState.ERROR, exc)
    context.end(RunState.COMPLETED)
    return Outcome(RunState.COMPLETED)


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


def record_returns(context: RunContext, value: Any, returns: list[str]) -> None:
    """Log a handler's return value: results for plain values, artifacts for DataFrames and figures."""
    if value is None:
        return
    if returns:
        values = value if isinstance(value, (tuple, list)) and len(returns) > 1 else (value,)
        if len(values) != len(returns):
            raise ValueError(
                f"the handler returned {len(values)} values but returns= names {len(returns)}: {returns}"
            )
        pairs = list(zip((r.split(":")[0] for r in returns), values, strict=True))
    else:
        pairs = [("return", value)]
    for key, item in pairs:
        _log_one_return(context, key, item)


def _log_one_return(context: RunContext, key: str, value: Any) -> None:
    kind = type(value).__module__.split(".")[0], type(value).__name__
    if kind == ("pandas", "DataFrame"):
        context.log_dataset(key, value)
    elif kind == ("pandas", "Series"):
        context.log_dataset(key, value.to_frame())
    elif kind[0] == "matplotlib" and hasattr(value, "savefig"):
        context.log_artifact(key, body=value)
    else:
        try:
            context.log_result(key, to_storable(f"return value {key!r}", value))
        except ValueError:  # not JSON: keep the object itself, pickled, as an artifact
            import pickle

            context.log_artifact(key, body=pickle.dumps(value), format="pkl")


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
