"""Showing runs: an interactive widget in a notebook, with static HTML and text copies of the same table
(``static``) for wherever widgets do not render."""

from __future__ import annotations

import sys
from typing import Any

from ..config import get_config
from .static import iterations_html, runs_html, runs_text, table_html, table_text

__all__ = ["auto_show", "iterations_html", "kernel_shell", "runs_html", "runs_text", "show_runs", "table_html",
           "table_text"]


def show_runs(runs: list[Any], short: bool = False) -> Any:
    """Display runs: the widget in a notebook kernel (with its static copies), text elsewhere. Returns the
    widget, or None."""
    shell = kernel_shell()
    if shell is None:
        print(runs_text(runs, short))
        return None
    if len(runs) == 1 and getattr(runs[0], "_shown_in", None) == shell.execution_count:
        return None  # this cell already shows this run (run_function's table): one table per run per cell
    return _display(runs, short)


def _display(runs: list[Any], short: bool) -> Any:
    from IPython.display import display

    from .widget import RunsWidget  # ipywidgets and anywidget, only when a table is shown in a kernel

    widget = RunsWidget(runs, short=short)
    display(widget)
    return widget


def auto_show(run: Any) -> None:
    """What ``run_function`` does in a notebook: show the run's table (unless ``auto_show`` is off)."""
    shell = kernel_shell()
    if shell is None or not get_config().auto_show:
        return
    _display([run], short=False)
    run._shown_in = shell.execution_count  # the cell's own display of the same run is then skipped


def kernel_shell() -> Any:
    """The IPython shell of a notebook kernel (a frontend that can show widgets), else None."""
    if "IPython" not in sys.modules:
        return None
    from IPython import get_ipython

    shell = get_ipython()
    return shell if shell is not None and hasattr(shell, "kernel") else None
