"""The picture of a sweep: a PNG parallel-coordinates plot of params and the selected result."""

from __future__ import annotations

from typing import Any

from .record import RunState


def sweep_plot(table: Any, selector: str, best: int | None) -> Any:
    """A matplotlib figure of the completed iterations (None if there is nothing numeric to draw).

    Each iteration is a line across its numeric params and outputs, scaled to 0..1 per column and
    coloured by the selected result; the best iteration is drawn thick.
    """
    done = table[table["state"] == RunState.COMPLETED.value]
    columns = [c for c in done.columns if c.startswith(("param.", "output.")) and _numeric(done[c])]
    if done.empty or not columns:
        return None  # before importing matplotlib: an aborted sweep records its end without waiting for it
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    values = done[columns].astype(float)
    span = (values.max() - values.min()).replace(0, 1)
    scaled = (values - values.min()) / span
    key = f"output.{selector.partition('.')[2] or selector}" if selector else columns[-1]
    colour_by = scaled[key] if key in scaled else scaled[columns[-1]]
    figure = Figure(figsize=(max(4, 1.4 * len(columns)), 3.6))
    axes = figure.subplots()
    from matplotlib.collections import LineCollection

    cmap = matplotlib.colormaps["viridis"]
    xs = list(range(len(columns)))
    iterations = done["iter"].astype(int).to_numpy()
    others = iterations != best
    # One collection for every line but the best: a thousand separate artists take seconds to draw.
    lines = [list(zip(xs, row, strict=True)) for row in scaled.to_numpy()[others]]
    axes.add_collection(LineCollection(lines, colors=cmap(colour_by.to_numpy()[others]), linewidths=1, alpha=0.7,
                                       zorder=2))
    if not others.all():
        best_row = scaled.to_numpy()[~others][0]
        axes.plot(xs, best_row, color="crimson", linewidth=3, zorder=3, label=f"best (iteration {best})")
    axes.set_xlim(-0.1, len(columns) - 0.9)
    axes.set_ylim(-0.05, 1.05)
    axes.set_xticks(range(len(columns)), [c.split(".", 1)[1] for c in columns], rotation=20)
    axes.set_yticks([0, 1], ["min", "max"])
    axes.set_title(f"{len(done)} iterations" + (f", selector {selector}" if selector else ""))
    if best is not None and not others.all():
        axes.legend(loc="best", fontsize="small")
    figure.tight_layout()
    return figure


def _numeric(column: Any) -> bool:
    import pandas as pd

    return pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)
