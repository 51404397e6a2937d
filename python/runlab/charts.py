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
    if type(value) is int:  # most values: checked first
        return True
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _numeric(rows: list[dict[str, Any]], column: str) -> bool:
    """Every value present is a number (NaN counts: it is drawn as a gap), and at least one is finite."""
    present = [row[column] for row in rows if row.get(column) is not None]
    return (all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present)
            and any(_is_number(v) for v in present))


def _plain(value: Any) -> Any:
    """A value JSON and Vega-Lite take as it is: NaN and infinities become null, lists and dicts text."""
    kind = type(value)
    if kind is str or kind is int or kind is bool:  # most values: checked first
        return value
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


# -- comparing runs ---------------------------------------------------------------------------------------

MAX_CATEGORIES = 30
"""A text field with more distinct values than this gets no axis in the parallel coordinates."""
LEGEND_RUNS = 20
"""More runs than this: no colour legend (the tooltip names each line's run)."""
MAX_PARALLEL_AXES = 20
"""The most axes the parallel coordinates draw (every result first, then the first params): at the chart's widest
each axis keeps 60 px, and a comparison of 200 params would otherwise send and draw 200 unreadable axes."""
_SCHEME_NAMES = (
    "accent category10 category20 category20b category20c dark2 paired pastel1 pastel2 set1 set2 set3 tableau10 "
    "tableau20 blues tealblues teals greens browns oranges reds purples warmgreys greys viridis magma inferno "
    "plasma cividis turbo bluegreen bluepurple goldgreen goldorange goldred greenblue orangered purplebluegreen "
    "purpleblue purplered redpurple yellowgreenblue yellowgreen yelloworangebrown yelloworangered darkblue "
    "darkgold darkgreen darkmulti darkred lightgreyred lightgreyteal lightmulti lightorange lighttealblue "
    "blueorange brownbluegreen purplegreen pinkyellowgreen purpleorange redblue redgrey redyellowblue "
    "redyellowgreen spectral rainbow sinebow"
)
VEGA_SCHEMES = frozenset(_SCHEME_NAMES.split())
"""Vega's named colour schemes (what ``colorscale`` may name)."""
_PLOTLY_SCHEMES = {"rdbu": "redblue", "rdylbu": "redyellowblue", "rdylgn": "redyellowgreen", "ylgnbu":
                   "yellowgreenblue", "ylgn": "yellowgreen", "ylorbr": "yelloworangebrown", "ylorrd":
                   "yelloworangered", "bugn": "bluegreen", "bupu": "bluepurple", "gnbu": "greenblue", "orrd":
                   "orangered", "pubugn": "purplebluegreen", "pubu": "purpleblue", "purd": "purplered", "rdpu":
                   "redpurple", "brbg": "brownbluegreen", "prgn": "purplegreen", "piyg": "pinkyellowgreen",
                   "puor": "purpleorange", "rdgy": "redgrey", "greys": "greys", "gray": "greys", "grays": "greys"}
"""MLRun passes plotly's colour scale names: the ones Vega has under another name."""


def vega_scheme(colorscale: str | None) -> str | None:
    """The Vega scheme a colour scale name means (plotly's ``"Blues"``, ``"RdBu"``, or Vega's own), or None
    when Vega has no such scheme (plotly's ``"Jet"``, ``"Picnic"``, ...: then the default colours are used)."""
    if not colorscale or not isinstance(colorscale, str):
        return None
    name = colorscale.lower().replace("_", "").replace("-", "")
    name = _PLOTLY_SCHEMES.get(name, name)
    return name if name in VEGA_SCHEMES else None


def compare_parallel_chart(runs: list[dict[str, Any]], axes: list[str],
                           colorscale: str | None = None) -> dict[str, Any] | None:
    """Parallel coordinates of compared runs: one line per run across ``axes`` (params, then results), each
    axis scaled to 0..1 (text values evenly spaced, sorted); None with fewer than 2 axes to draw. At most
    ``MAX_PARALLEL_AXES`` axes: every result, then the first params (the title says how many were left out).

    ``runs`` are rows holding ``run`` (its label), ``uid``, ``state`` and the fields' values. The data
    travel in long form (one row per run and axis: ``run``, ``uid``, ``axis``, ``value``, ``position``), so
    the spec needs no field escaping and no transform.
    """
    params = [a for a in axes if a.startswith("param.")]
    placed: dict[str, list[float | None]] = {}
    # every result has its axis, then params fill the room left, in their order
    for axis in [a for a in axes if not a.startswith("param.")] + params:
        if len(placed) >= MAX_PARALLEL_AXES:
            break
        positions = _positions([row.get(axis) for row in runs])
        if positions is not None:
            placed[axis] = positions
    values: list[dict[str, Any]] = []
    drawn: list[str] = []
    for axis in [a for a in axes if a in placed]:  # drawn in the given order: params, then results
        drawn.append(_name_of(axis))
        values.extend({"run": row["run"], "uid": row["uid"], "axis": _name_of(axis), "value": _shown(row.get(axis)),
                       "position": position} for row, position in zip(runs, placed[axis], strict=True)
                      if position is not None)
    if len(drawn) < 2:
        return None
    shown_params = sum(1 for a in placed if a.startswith("param."))
    cut = f" (the first {shown_params} of {len(params)} params)" if len(placed) >= MAX_PARALLEL_AXES and \
        shown_params < len(params) else ""
    scheme = vega_scheme(colorscale) or ("tableau10" if len(runs) <= 10 else "tableau20")
    colour: dict[str, Any] = {"field": "run", "type": "nominal", "title": "run", "scale": {"scheme": scheme}}
    if len(runs) > LEGEND_RUNS:
        colour["legend"] = None
    x = {"field": "axis", "type": "nominal", "sort": drawn, "title": None, "axis": {"labelAngle": -30}}
    y = {"field": "position", "type": "quantitative", "title": "low → high (each axis scaled to its range)",
         "scale": {"domain": [0, 1]}, "axis": {"labels": False, "ticks": False}}
    tooltip = [{"field": "run", "type": "nominal", "title": "run"}, {"field": "uid", "type": "nominal"},
               {"field": "axis", "type": "nominal", "title": "field"}, {"field": "value", "type": "nominal"}]
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "description": f"Parallel coordinates of {len(runs)} runs over {len(drawn)} params and results",
        "title": f"{len(runs)} runs: params → results{cut}",
        "width": max(300, min(60 * len(drawn), 1200)),
        "height": 260,
        "data": {"values": values},
        "encoding": {"x": x, "y": y},
        "layer": [
            {"mark": {"type": "line", "opacity": 0.7}, "encoding": {"color": colour, "detail": {
                "field": "uid", "type": "nominal"}, "tooltip": tooltip}},
            {"mark": {"type": "point", "filled": True, "size": 40}, "encoding": {"color": colour, "tooltip": tooltip}},
        ],
    }


def compare_scatter_chart(runs: list[dict[str, Any]], fields: list[str],
                          varying: list[str] | None = None) -> dict[str, Any] | None:
    """A scatter of compared runs with x and y chosen in two drop-downs (Vega-Lite params bound to
    ``select`` inputs listing the numeric ``fields``); None with fewer than 2 numeric fields.

    x starts on the first varying param, y on the first varying result (else the first numeric fields);
    each point's tooltip names its run.
    """
    numeric = [f for f in fields if _numeric(runs, f)]
    if len(numeric) < 2:
        return None
    varying = [f for f in varying or [] if f in numeric]
    params = [f for f in varying if f.startswith("param.")] or [f for f in numeric if f.startswith("param.")]
    results = [f for f in varying if f.startswith("result.")] or [f for f in numeric if f.startswith("result.")]
    x_default = (params or numeric)[0]
    y_default = next((f for f in results if f != x_default), None) or next(f for f in numeric if f != x_default)
    values = [{"run": row["run"], "uid": row["uid"], "state": row.get("state"),
               **{f: _plain(row.get(f)) for f in numeric}} for row in runs]
    picker = [{"name": name, "value": default, "bind": {"input": "select", "options": numeric, "name": f"{axis} "}}
              for name, axis, default in (("x_field", "x", x_default), ("y_field", "y", y_default))]
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "description": f"{len(runs)} runs: one numeric field against another, chosen below the chart",
        "title": f"{len(runs)} runs: x and y chosen below",
        "width": 420,
        "height": 280,
        "params": picker,
        "data": {"values": values},
        # the chosen fields' values as x and y: a field name from a param cannot be an encoding's field itself
        "transform": [{"calculate": "datum[x_field]", "as": "x"}, {"calculate": "datum[y_field]", "as": "y"}],
        "mark": {"type": "point", "filled": True, "size": 80, "opacity": 0.85},
        "encoding": {
            "x": {"field": "x", "type": "quantitative", "title": "x", "scale": {"zero": False}},
            "y": {"field": "y", "type": "quantitative", "title": "y", "scale": {"zero": False}},
            "color": {"field": "state", "type": "nominal", "title": "state", "scale": {"scheme": "tableau10"}},
            "tooltip": [{"field": "run", "type": "nominal", "title": "run"}, {"field": "uid", "type": "nominal"},
                        {"field": "x", "type": "quantitative"}, {"field": "y", "type": "quantitative"}],
        },
    }


def _positions(values: list[Any]) -> list[float | None] | None:
    """Each value's place on a 0..1 axis (None: no value), or None when the values make no axis."""
    present = [v for v in values if v is not None]
    if not present or any(isinstance(v, (dict, list)) for v in present):
        return None  # no axis for nested values: there is no order to draw them in
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
        finite = [v for v in present if _is_number(v)]
        if not finite:
            return None
        low, high = min(finite), max(finite)
        span = high - low
        return [None if not _is_number(v) else (0.5 if span == 0 else (v - low) / span) for v in values]
    distinct = sorted({_shown(v) for v in present}, key=str)
    if len(distinct) > MAX_CATEGORIES:
        return None
    step = 1 / (len(distinct) - 1) if len(distinct) > 1 else 0
    place = {v: (i * step if len(distinct) > 1 else 0.5) for i, v in enumerate(distinct)}
    return [None if v is None else place[_shown(v)] for v in values]


def _shown(value: Any) -> Any:
    """A value as a tooltip shows it: numbers and text as they are, booleans as text."""
    plain = _plain(value)
    return str(plain) if isinstance(plain, bool) else plain


def _name_of(field: str) -> str:
    """``param.lr`` → ``lr``, ``result.loss`` → ``loss ▸`` (results marked, so a param and a result of one
    name stay two axes)."""
    group, _, name = field.partition(".")
    return f"{name} ▸" if group == "result" else name
