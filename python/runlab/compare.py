"""Comparing runs side by side: ``RunComparison`` holds one row per field (state, duration, ``param.*``,
``result.*``, ``label.*``, ``input.*``, ``artifact.*``) and one column per run, says which rows differ and
which run has the best value of each result, and shows it (an HTML table, Vega-Lite charts, artifacts side
by side). ``runlab.compare_runs`` (in ``run``) reads the runs and builds it.

Which result is better lower: see :func:`direction`.
"""

from __future__ import annotations

import json
import math
import os
import re
from datetime import datetime
from typing import Any

from .charts import VEGA_LITE_MIME, compare_parallel_chart, compare_scatter_chart
from .display import kernel_shell
from .display.compare import artifacts_html, comparison_html, comparison_text
from .errors import ValidationError

GROUPS = ("param", "result", "label", "input", "artifact")
"""The field groups after ``state`` and ``duration``, in the order of the rows."""
DURATION_SLACK = (1.0, 0.1)
"""Two durations count as different when they are more than 1 s and more than 10 % apart."""
_LOWER_PARTS = ("loss", "error", "mse", "mae", "latency", "perplexity")
_LOWER_WORDS = {"err", "errors", "time", "seconds", "secs", "duration", "wer", "cer"}
_WORD = re.compile(r"[a-z0-9]+")


def direction(key: str) -> str:
    """``"min"`` when a lower value of the result ``key`` is better, else ``"max"``.

    Lower is better when the key (any case) contains ``loss``, ``error``, ``mse`` (so also ``rmse``),
    ``mae``, ``latency`` or ``perplexity``, or when one of its words (split at anything but letters and
    digits: ``val_time``, ``step.err``) is ``err``, ``errors``, ``time``, ``seconds``, ``secs``, ``duration``,
    ``wer`` or ``cer``. Everything else (accuracy, f1, auc, score, ...) is better higher. Whole words for the
    short names keep ``timestamp``-like or ``mae``-free keys such as ``merit`` on the ``max`` side.
    """
    lowered = key.lower()
    if any(part in lowered for part in _LOWER_PARTS):
        return "min"
    return "min" if _LOWER_WORDS.intersection(_WORD.findall(lowered)) else "max"


class RunComparison:
    """Runs compared field by field; built by ``runlab.compare_runs`` (also ``RunList.compare()`` and
    ``RunObject.compare()`` for a sweep's iterations).

    ``fields`` are ordered ``state``, ``duration``, then ``param.*``, ``result.*``, ``label.*``,
    ``input.*``, ``artifact.*`` (alphabetical within a group). A value a run does not have is ``None``.
    An artifact's value is its ``store://`` URI; it *differs* when the content (hash, else the file's path)
    differs.
    """

    def __init__(self, runs: list[Any], hide_identical: bool = True, exclude: list[str] | None = None,
                 colorscale: str | None = None) -> None:
        if len(runs) < 2:
            raise ValidationError(f"a comparison needs at least 2 runs, got {len(runs)}: give more runs, or a "
                                  "sweep's parent run to compare its iterations")
        self.runs = list(runs)
        self.hide_identical = hide_identical
        self.colorscale = colorscale
        records = [run._record() for run in self.runs]
        self._meta = [_run_meta(record) for record in records]
        columns = [_flatten(record) for record in records]
        names = sorted({name for column in columns for name in column if name not in ("state", "duration")},
                       key=lambda name: (GROUPS.index(name.split(".", 1)[0]), name))
        left_out = _excluded(exclude)
        self.fields = [name for name in ["state", "duration", *names] if name not in left_out]
        self._values = {name: [column.get(name) for column in columns] for name in self.fields}
        contents = [_artifact_contents(record) for record in records]
        pairs = list(zip(columns, contents, strict=True))
        self._same_as = {name: [_identity(name, column, content) for column, content in pairs] for name in self.fields}
        self._differs: dict[str, bool] = {}
        self._shown_in: int | None = None  # the notebook cell that showed it (it is not shown twice there)

    # -- what differs, what is best ---------------------------------------------------------------

    def values(self, field: str) -> list[Any]:
        """The values of ``field``, one per run (``None`` where a run has none)."""
        return list(self._values[self._known(field)])

    def differs(self, field: str) -> bool:
        """True when not every run has the same value of ``field`` (having none counts as a value).

        Durations are measured, never exactly equal: two count as the same within ``DURATION_SLACK``."""
        found = self._differs.get(self._known(field))
        if found is None:
            found = self._differs[field] = self._compute_differs(field)
        return found

    def _compute_differs(self, field: str) -> bool:
        if field == "duration":
            times = self._values["duration"]
            if any(t is None for t in times):
                return any(t is not None for t in times)
            return _apart(min(times), max(times))
        same = self._same_as[field]
        return any(value != same[0] for value in same[1:])

    def differs_from_first(self, field: str) -> list[bool]:
        """For each run, whether its value of ``field`` differs from the first run's (as :meth:`differs`)."""
        if self._known(field) == "duration":
            first, *_ = times = self._values["duration"]
            return [(t is None) != (first is None) or (t is not None and first is not None and _apart(first, t))
                    for t in times]
        same = self._same_as[field]
        return [value != same[0] for value in same]

    def direction(self, field: str) -> str | None:
        """``"min"`` or ``"max"`` for a result (see :func:`direction`), None for any other field."""
        self._known(field)
        return direction(field.partition(".")[2]) if field.startswith("result.") else None

    def best(self, field: str) -> list[int]:
        """The indexes (into ``runs``) of the runs with the best value of the result ``field``: the highest,
        or the lowest for a lower-is-better key (:func:`direction`); every run on a tie. ``[]`` when the
        field is not a result, or no run has a finite number for it, or some value is not a number."""
        order = self.direction(field)
        values = self._values[field]
        present = [value for value in values if value is not None]
        if order is None or not present or not all(_is_number(v) or _is_nan(v) for v in present):
            return []
        numbers = [(i, v) for i, v in enumerate(values) if _is_number(v)]
        if not numbers:
            return []
        goal = (min if order == "min" else max)(v for _, v in numbers)
        return [i for i, v in numbers if v == goal]

    def shown_fields(self, all: bool = False) -> list[str]:
        """The fields a view shows: all of them, or only those that differ (unless ``hide_identical`` is off)."""
        if all or not self.hide_identical:
            return list(self.fields)
        return [name for name in self.fields if self.differs(name)]

    # -- data views -------------------------------------------------------------------------------

    def labels(self) -> list[str]:
        """One label per run: ``name@uid8``, plus ``#iteration`` for a sweep's child."""
        return [meta["label"] for meta in self._meta]

    def to_df(self, only_differences: bool = False):
        """A pandas DataFrame: index = field, one column per run (labelled as :meth:`labels`), the values as
        stored."""
        import pandas as pd  # only for this view: `import runlab` stays light

        names = [n for n in self.fields if self.differs(n)] if only_differences else self.fields
        frame = pd.DataFrame({label: [self._values[n][i] for n in names] for i, label in enumerate(self.labels())},
                             index=pd.Index(names, name="field"), dtype=object)
        return frame

    def to_dict(self) -> dict[str, Any]:
        """The comparison as JSON-ready data: ``runs`` (uid, iteration, name, project, state, label) and
        ``rows`` (``field``, ``values``, ``differs``, ``best``, ``direction``)."""
        return {
            "runs": [{k: meta[k] for k in ("uid", "iteration", "name", "project", "state", "label")}
                     for meta in self._meta],
            "rows": [{"field": name, "values": [_json_ready(v) for v in self._values[name]],
                      "differs": self.differs(name), "best": self.best(name), "direction": self.direction(name)}
                     for name in self.fields],
        }

    # -- presenting -------------------------------------------------------------------------------

    def charts(self) -> list[dict[str, Any]]:
        """The Vega-Lite specs: parallel coordinates (params → results) and a scatter with x/y pickers (each
        only when there is something to draw)."""
        specs = []
        drawn = [n for n in self.fields if n == "duration" or n.startswith(("param.", "result."))]
        varying = [n for n in drawn if self.differs(n)]
        if self.hide_identical:  # the charts draw what the table shows: the varying fields
            drawn = varying
        table = self._chart_rows(drawn)
        parallel = compare_parallel_chart(table, [n for n in drawn if n != "duration"], self.colorscale)
        if parallel is not None:
            specs.append(parallel)
        scatter = compare_scatter_chart(table, drawn, varying)
        if scatter is not None:
            specs.append(scatter)
        return specs

    def html(self, all: bool = False) -> str:
        """The comparison table as HTML (only the differing rows unless ``all``; the full one in a
        ``<details>``)."""
        return comparison_html(self, all=all)

    def bundles(self, all: bool = False) -> list[dict[str, Any]]:
        """What ``show()`` displays: the table (HTML and text), then one bundle per chart."""
        out = [{"text/html": self.html(all), "text/plain": comparison_text(self, all)}]
        for spec in self.charts():
            out.append({VEGA_LITE_MIME: spec, "text/plain": f"<Vega-Lite chart: {spec.get('title', '')}>"})
        return out

    def show(self, all: bool = False) -> None:
        """Display the comparison: in a notebook the HTML table (the differing rows, unless ``all``; every
        field in a "All N fields" section) and the charts, rendered by JupyterLab; text elsewhere."""
        shell = kernel_shell()
        if shell is None:
            print(comparison_text(self, all))
            return
        from IPython.display import display  # only in a kernel

        for bundle in self.bundles(all):
            display(bundle, raw=True)
        self._shown_in = getattr(shell, "execution_count", None)

    def write_html(self, filename: str, all: bool = False) -> None:
        """Write the table and the charts as one HTML file (its folder made when missing). The table needs
        nothing; the charts are drawn by vega-embed, loaded from a CDN when the page is opened (as MLRun's
        file loads plotly), and stay in the page as their Vega-Lite JSON."""
        if not isinstance(filename, (str, os.PathLike)) or not str(filename):
            raise ValidationError(f"filename must be a file path (a str), not {filename!r}")
        charts = []
        for n, spec in enumerate(self.charts()):
            data = json.dumps(spec).replace("</", "<\\/")  # no "</script>" inside the script
            charts.append(f'<div id="runlab-chart-{n}"></div><script>vegaEmbed("#runlab-chart-{n}", {data});'
                          "</script>")
        page = ("<!doctype html><html><head><meta charset=\"utf-8\"><title>runlab: compared runs</title>"
                + "".join(f'<script src="https://cdn.jsdelivr.net/npm/{lib}"></script>'
                          for lib in ("vega@5", "vega-lite@5", "vega-embed@6"))
                + "</head><body>" + self.html(all) + "".join(charts) + "</body></html>")
        folder = os.path.dirname(os.fspath(filename))
        if folder:
            os.makedirs(folder, exist_ok=True)
        with open(filename, "w", encoding="utf-8") as handle:
            handle.write(page)

    def show_artifact(self, key: str) -> None:
        """The artifact ``key`` of every compared run side by side: images in a grid, datasets' first rows,
        HTML (and executed notebooks) in sandboxed frames; "not logged" where a run has none."""
        if not isinstance(key, str) or not key:
            raise ValidationError(f"key must be an artifact key (a non-empty str), not {key!r}")
        text = self.artifact_html(key)
        if kernel_shell() is None:
            for label, meta in zip(self.labels(), self._meta, strict=True):
                found = meta["artifacts"].get(key)
                print(f"{label}: {found['target_path'] if found else 'not logged'}")
            return
        from IPython.display import HTML, display  # only in a kernel

        display(HTML(text))

    def artifact_html(self, key: str) -> str:
        """The HTML ``show_artifact`` displays."""
        from .preview import preview_artifact  # pandas/fsspec, only when an artifact is shown

        known = {a for meta in self._meta for a in meta["artifacts"]}
        if key not in known:
            logged = ", ".join(sorted(known)) or "none"
            raise ValidationError(f"no compared run logged an artifact {key!r}; the keys logged are: {logged}")
        previews = [preview_artifact(meta["artifacts"][key]) if key in meta["artifacts"] else None
                    for meta in self._meta]
        return artifacts_html(key, self.labels(), previews)

    def _repr_html_(self) -> str:
        return self.html()

    def _ipython_display_(self) -> None:
        shell = kernel_shell()
        if shell is not None and getattr(self, "_shown_in", None) == getattr(shell, "execution_count", None):
            return  # `runs.compare()` showed it in this cell already (show=None in a notebook)
        self.show()

    def __repr__(self) -> str:
        differing = sum(self.differs(n) for n in self.fields)
        return f"<RunComparison of {len(self.runs)} runs: {differing} of {len(self.fields)} fields differ>"

    # -- helpers ----------------------------------------------------------------------------------

    def meta(self, index: int) -> dict[str, Any]:
        """What the views show of the ``index``-th run: uid, iteration, name, project, state, label."""
        return self._meta[index]

    def _known(self, field: str) -> str:
        if field not in self._values:
            raise ValidationError(f"no field {field!r} in this comparison; its fields are state, duration and "
                                  "param.*, result.*, label.*, input.*, artifact.* names (see .fields)")
        return field

    def _chart_rows(self, fields: list[str]) -> list[dict[str, Any]]:
        rows = []
        for i, meta in enumerate(self._meta):
            row = {"run": meta["label"], "uid": meta["uid"], "state": meta["state"]}
            row.update((name, self._values[name][i]) for name in fields)
            rows.append(row)
        return rows


def _run_meta(record: dict[str, Any]) -> dict[str, Any]:
    meta = record["metadata"]
    iteration = meta.get("iteration") or 0
    label = f"{meta['name']}@{meta['uid'][:8]}" + (f"#{iteration}" if iteration else "")
    return {"uid": meta["uid"], "iteration": iteration, "name": meta["name"], "project": meta["project"],
            "state": record["status"]["state"], "label": label,
            "artifacts": {a["key"]: a for a in record["status"].get("artifacts") or []}}


def _flatten(record: dict[str, Any]) -> dict[str, Any]:
    """A run's fields as ``{name: value}``."""
    spec, status = record["spec"], record["status"]
    out: dict[str, Any] = {"state": status["state"], "duration": _duration(status)}
    for group, values in (("param", spec.get("parameters")), ("result", status.get("results")),
                          ("label", record["metadata"].get("labels")), ("input", spec.get("inputs"))):
        out.update((f"{group}.{key}", value) for key, value in (values or {}).items())
    for artifact in status.get("artifacts") or []:
        out[f"artifact.{artifact['key']}"] = artifact["uri"]
    return out


def _identity(name: str, column: dict[str, Any], contents: dict[str, str]) -> Any:
    """What decides whether two runs' values of ``name`` are the same: the value (as canonical JSON), an
    artifact's content (its URI names its run, so it always differs), or a mark for "no value"."""
    if name not in column:
        return "\0missing"
    if name in contents:
        return contents[name]
    value = column[name]
    kind = type(value)
    if value is None or ((kind in _PLAIN or isinstance(value, (str, bool, int, float))) and not _is_nan(value)):
        return (kind.__name__, value)  # 1, 1.0 and True stay three values, as in JSON
    return json.dumps(value, sort_keys=True, default=str)


def _artifact_contents(record: dict[str, Any]) -> dict[str, str]:
    """``artifact.<key>`` → the artifact's content hash (its file's path when it has no hash)."""
    return {f"artifact.{a['key']}": a.get("hash") or a.get("target_path") or a["uri"]
            for a in record["status"].get("artifacts") or []}


def _duration(status: dict[str, Any]) -> float | None:
    start, end = status.get("start_time"), status.get("end_time")
    if not start or not end:
        return None
    return round((datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds(), 6)


def _excluded(exclude: list[str] | None) -> set[str]:
    """The fields ``exclude`` leaves out: field names (``label.owner``, ``duration``) and, as in MLRun, bare
    param names (``lr`` is ``param.lr``)."""
    if exclude is None:
        return set()
    if isinstance(exclude, str) or not all(isinstance(name, str) for name in exclude):
        raise ValidationError(f"exclude must be a list of field or param names (['lr', 'label.owner']), "
                              f"not {exclude!r}")
    return set(exclude) | {f"param.{name}" for name in exclude}


def _apart(one: float, other: float) -> bool:
    seconds, share = DURATION_SLACK
    gap = abs(one - other)
    return gap > seconds and gap > share * max(abs(one), abs(other))


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _is_nan(value: Any) -> bool:
    return isinstance(value, float) and not math.isfinite(value)


_PLAIN = frozenset({str, bool, int, float})
"""Exact types most values have: checked first, since a comparison of 100 runs looks at tens of thousands."""


def _json_ready(value: Any) -> Any:
    """NaN and infinities as None (JSON has neither); everything else JSON holds as it is."""
    kind = type(value)
    if kind in _PLAIN:
        return value if kind is not float or math.isfinite(value) else None
    if _is_nan(value):
        return None
    if isinstance(value, dict):
        return {str(k): _json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_ready(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)
