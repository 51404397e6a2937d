"""The picture of a sweep: a PNG parallel-coordinates plot of params and the selected result (the saved
``sweep_plot`` artifact; the run view draws the interactive chart from ``charts``)."""

from __future__ import annotations

from typing import Any

from .record import RunState


def sweep_plot(table: Any, selector: str, best: int | None) -> Any:
    """A matplotlib figure of the completed iterations (None if there is nothing numeric to draw).

    Each iteration is a line across its numeric params and outputs, scaled to 0..1 per column (each
    column's axis labelled with its real lowest and highest value) and coloured by the selected result (a
    colour bar names it); the best iteration is drawn thick, its legend under the plot.
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
    figure = Figure(figsize=(max(5, 1.5 * len(columns) + 1.5), 4.2), layout="constrained")
    axes = figure.subplots()
    from matplotlib.cm import ScalarMappable
    from matplotlib.collections import LineCollection
    from matplotlib.colors import Normalize

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
    axes.set_xlim(-0.3, len(columns) - 0.7)
    axes.set_ylim(-0.18, 1.18)
    # Each column is its own axis: a vertical line labelled with that column's real lowest and highest value.
    for x, column in enumerate(columns):
        axes.axvline(x, color="grey", linewidth=0.8, zorder=1)
        low, high = values[column].min(), values[column].max()
        axes.text(x, -0.09, f"{low:.4g}", ha="center", va="top", fontsize="small")
        axes.text(x, 1.09, f"{high:.4g}", ha="center", va="bottom", fontsize="small")
    axes.set_xticks(range(len(columns)), [c.split(".", 1)[1] for c in columns], rotation=20)
    axes.set_yticks([])
    axes.set_xlabel("each axis: its lowest value (bottom) to its highest (top)")
    axes.set_title(f"{len(done)} iterations" + (f", selector {selector}" if selector else ""))
    colour_name = key.split(".", 1)[1] if key in scaled else columns[-1].split(".", 1)[1]
    low, high = values[key if key in scaled else columns[-1]].agg(["min", "max"])
    bar = figure.colorbar(ScalarMappable(norm=Normalize(low, high), cmap=cmap), ax=axes, pad=0.02)
    bar.set_label(f"line colour: {colour_name}")
    if best is not None and not others.all():  # under the plot, never over a line
        axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.3), fontsize="small", frameon=False)
    return figure


def _numeric(column: Any) -> bool:
    import pandas as pd

    return pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)
