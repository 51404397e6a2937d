"""A sweep's outcome, recorded on its parent run: the iteration table, the best child, the
``iteration_results`` dataset and the sweep plot (for sweeps runlab drives and for ``custom`` ones, where
the handler makes its children through ``context.get_child_context``)."""

from __future__ import annotations

from typing import Any

from .errors import ValidationError
from .hyper import HyperParamOptions, select_best
from .sweepplot import sweep_plot


def iteration_row(state: str, iteration: int, params: dict[str, Any], results: dict[str, Any]) -> dict[str, Any]:
    """One row of a sweep's iteration table."""
    return {"state": str(state), "iter": iteration, **{f"param.{k}": v for k, v in params.items()},
            **{f"output.{k}": v for k, v in results.items()}}


def summarize(parent: Any, table: list[dict[str, Any]], finished: list[tuple[int, dict[str, Any]]],
              options: HyperParamOptions, best: int | None = None) -> tuple[str | None, dict[str, Any]]:
    """Record a sweep's outcome on the parent's context: the best child's results (by ``best``, else the
    selector), the ``iteration_results`` dataset and a plot; returns (error or None, status fields)."""
    error = None
    if best is None and finished:
        try:
            best = select_best(finished, options.selector)
        except ValidationError as exc:
            error = str(exc)
    if best is not None:
        parent.log_results({"best_iteration": best, **dict(finished).get(best, {})})
    if table:
        import pandas as pd  # only when there is a table to log

        frame = pd.DataFrame(table)
        parent.log_dataset("iteration_results", frame)
        try:
            figure = sweep_plot(frame, options.selector, best)
        except ImportError:
            parent.logger.info("matplotlib is not installed: no sweep_plot (pip install matplotlib)")
            figure = None
        if figure is not None:
            parent.log_artifact("sweep_plot", body=figure)
    return error, {"iterations": table, "best_iteration": best}
