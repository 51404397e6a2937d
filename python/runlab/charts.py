"""Vega-Lite charts of runs: a sweep's iterations as a spec JupyterLab renders itself
(``application/vnd.vegalite.v5+json``: themed, interactive tooltips, no network).

A spec is plain JSON built from a sweep's iteration table (the rows ``sweepsummary.iteration_row`` makes:
``state``, ``iter``, ``param.<name>``, ``output.<name>``); the data travel inside it.
"""

from __future__ import annotations

import math
from typing import Any

from .errors import ValidationError
from .hyper import parse_selector

VEGA_LITE_MIME = "application/vnd.vegalite.v5+json"
VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
"""Only a name Vega-Lite reads the version from: the renderer never fetches it."""
BEST_COLOUR = "#e45756"
"""The best point's ring and label: a red readable on the light and the dark theme alike."""
MAX_COLOUR_GROUPS = 10
"""A colour param with more distinct values than this is drawn on a continuous scale (no lines)."""


def sweep_chart(table: list[dict[str, Any]], selector: str = "", best: int | None = None,
                swept: list[str] | None = None) -> dict[str, Any] | None:
    """A Vega-Lite spec of a sweep's completed iterations, or None when none has a numeric result to draw.

    x is the first swept param (the iteration when no param varies), y the selector's result (the first
    numeric result without a selector), colour the second swept param when there is one; iterations that
    share a colour are joined by a line along x. The best iteration is ringed and labelled; every point's
    tooltip lists its iteration, params and results. ``swept`` gives the order of the swept params (the
    sweep's hyperparams); without it, the params whose value varies, in table order.
    """
    rows = [row for row in table if row.get("state") == "completed"]
    params = _columns(rows, "param.")
    outputs = [c for c in _columns(rows, "output.") if c != "output.best_iteration"]
    y = _result_column(rows, outputs, selector)
    if y is None:
        return None
    varying = [c for c in params if len({_key(row.get(c)) for row in rows}) > 1]
    order = [f"param.{name}" for name in swept or []]
    varying = [c for c in order if c in varying] + [c for c in varying if c not in order]
    x = varying[0] if varying else "iter"
    colour = varying[1] if len(varying) > 1 else None
    values = [{column: _plain(row.get(column)) for column in ["iter", *params, *outputs]} for row in rows]
    x_type = "quantitative" if _numeric(rows, x) else "ordinal"
    x_encoding = {"field": _field(x), "type": x_type, "title": _name(x) if x != "iter" else "iteration"}
    if x_type == "quantitative":
        x_encoding["scale"] = {"zero": False}
    y_title = _name(y) + (f" ({parse_selector(selector)[0]})" if _valid(selector) else "")
    encoding: dict[str, Any] = {
        "x": x_encoding,
        "y": {"field": _field(y), "type": "quantitative", "title": y_title, "scale": {"zero": False}},
        "tooltip": [{"field": "iter", "type": "ordinal", "title": "iteration"}]
        + [{"field": _field(c), "type": "quantitative" if _numeric(rows, c) else "nominal", "title": _name(c)}
           for c in [*params, *outputs]],
    }
    lines = x != "iter"
    if colour is not None:
        groups = len({_key(row.get(colour)) for row in rows})
        continuous = _numeric(rows, colour) and groups > MAX_COLOUR_GROUPS
        encoding["color"] = {"field": _field(colour), "title": _name(colour),
                             "type": "quantitative" if continuous else ("ordinal" if _numeric(rows, colour)
                                                                        else "nominal")}
        if not continuous:  # distinct hues, in the values' order: a sequential ramp's light end is unreadable
            encoding["color"]["scale"] = {"scheme": "tableau10"}
        lines = lines and not continuous
    layers: list[dict[str, Any]] = []
    if lines:
        layers.append({"mark": {"type": "line", "opacity": 0.6}, "encoding": {
            k: v for k, v in encoding.items() if k != "tooltip"}})
    layers.append({"mark": {"type": "point", "filled": True, "size": 70, "opacity": 0.9}, "encoding": encoding})
    if best is not None and any(row.get("iter") == best for row in rows):
        only_best = {"filter": f"datum.iter === {int(best)}"}
        layers.append({"transform": [only_best], "mark": {"type": "point", "size": 260, "strokeWidth": 2.5,
                                                           "color": BEST_COLOUR, "filled": False},
                       "encoding": {"x": encoding["x"], "y": encoding["y"], "tooltip": encoding["tooltip"]}})
        label = {"type": "text", "align": "right", "dx": -10, "dy": -10, "fontWeight": "bold", "color": BEST_COLOUR}
        layers.append({"transform": [only_best], "mark": label,
                       "encoding": {"x": encoding["x"], "y": encoding["y"],
                                    "text": {"value": f"best #{int(best)}"}}})
    subject = f"{y_title} by {encoding['x']['title']}" + (f" and {_name(colour)}" if colour else "")
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "description": f"A sweep of {len(rows)} completed iterations: {subject}",
        "title": f"{len(rows)} iterations: {subject}",
        "width": 420,
        "height": 260,
        # the notebook's or panel's own background shows through: Vega's dark theme would paint a grey box
        "background": "transparent",
        "data": {"values": values},
        "layer": layers,
    }


def _columns(rows: list[dict[str, Any]], prefix: str) -> list[str]:
    seen: dict[str, None] = {}
    for row in rows:
        seen.update((k, None) for k in row if k.startswith(prefix))
    return list(seen)


def _result_column(rows: list[dict[str, Any]], outputs: list[str], selector: str) -> str | None:
    """The selector's result column, or the first numeric result when there is no valid selector."""
    if _valid(selector):
        wanted = f"output.{parse_selector(selector)[1]}"
        return wanted if wanted in outputs and _numeric(rows, wanted) else None
    return next((c for c in outputs if _numeric(rows, c)), None)


def _valid(selector: str) -> bool:
    try:
        parse_selector(selector)
    except ValidationError:
        return False
    return True


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _numeric(rows: list[dict[str, Any]], column: str) -> bool:
    """Every value present is a number (NaN counts: it is drawn as a gap), and at least one is finite."""
    present = [row[column] for row in rows if row.get(column) is not None]
    return (all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present)
            and any(_is_number(v) for v in present))


def _plain(value: Any) -> Any:
    """A value JSON and Vega-Lite take as it is: NaN and infinities become null, lists and dicts text."""
    if value is None or isinstance(value, (bool, str)) or _is_number(value):
        return value
    if isinstance(value, (int, float)):
        return None
    return str(value)


def _key(value: Any) -> str:
    return repr(value)


def _name(column: str) -> str:
    """``param.lr`` → ``lr``: the name the user gave."""
    return column.partition(".")[2] if column.startswith(("param.", "output.")) else column


def _field(column: str) -> str:
    """A column name as a Vega-Lite field: dots and brackets would read as nested access, so they are escaped."""
    return "".join("\\" + ch if ch in ".[]\\" else ch for ch in column)
