"""MLRun's ``compare_run_objects`` (``mlrun.frameworks.parallel_coordinates``) over runlab's comparison."""

from __future__ import annotations

from typing import Any

from ..compare import RunComparison
from ..run import compare_runs


def compare_run_objects(runs_list: Any, hide_identical: bool = True, exclude: list[str] | None = None,
                        show: bool | None = None, extend_iterations: bool = True, filename: str | None = None,
                        colorscale: str | None = None) -> RunComparison:
    """Compare runs, or a sweep's iterations (one parent run), as MLRun's ``compare_run_objects`` does:
    same arguments and meaning (see ``runlab.compare_runs``), shown in a notebook unless ``show=False``.

    Returns the comparison where MLRun returns the plot's HTML when it is not shown (``.html()`` gives the
    table's HTML)."""
    return compare_runs(runs_list, hide_identical=hide_identical, exclude=exclude, show=show,
                        extend_iterations=extend_iterations, filename=filename, colorscale=colorscale)
