"""Compared runs as HTML and text: the table (runs as columns, fields as rows) and artifacts side by side.

Works without JavaScript (a saved notebook on GitHub, nbconvert): the full table sits in a ``<details>``.
Every user string is escaped; colours come from JupyterLab's theme variables (with fallbacks that read on
a light and a dark background alike), and the CSS is scoped under ``.runlab-compare``.
"""

from __future__ import annotations

import html
import json
import math
from typing import Any

from .static import _STATE_COLOURS

CELL_CHARS = 48
"""A value longer than this is cut in its cell (the whole of it is in the cell's ``title``)."""
ARTIFACT_ROWS = 10
"""A dataset shows this many of its first rows side by side."""

_CSS = """<style>
.runlab-compare table{border-collapse:collapse;font-size:12px;margin:4px 0}
.runlab-compare th,.runlab-compare td{border:1px solid var(--jp-border-color2,rgba(128,128,128,.35));
 padding:2px 6px;text-align:left;vertical-align:top;white-space:nowrap}
.runlab-compare th.field{font-weight:normal;font-family:var(--jp-code-font-family,monospace)}
.runlab-compare td.diff{background:var(--jp-warn-color3,rgba(255,193,7,.25))}
.runlab-compare .best{color:var(--jp-success-color1,#2e7d32);font-weight:bold}
.runlab-compare .muted{opacity:.6}
.runlab-compare .state{font-weight:bold}
.runlab-compare summary{cursor:pointer;margin:4px 0}
.runlab-compare .grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(280px,1fr));gap:8px}
.runlab-compare .grid>div{border:1px solid var(--jp-border-color2,rgba(128,128,128,.35));padding:4px;overflow:auto}
.runlab-compare .grid img{max-width:100%}
.runlab-compare .grid iframe{width:100%;height:320px;border:0;background:var(--jp-layout-color0,transparent)}
</style>"""


def comparison_html(comparison: Any, all: bool = False) -> str:
    """The table of a ``RunComparison``: the rows it shows (the differing ones unless ``all``), then every
    field in a ``<details>`` ("All N fields")."""
    fields = comparison.shown_fields(all)
    total = len(comparison.fields)
    runs = len(comparison.runs)
    rows: dict[str, str] = {}  # a row is drawn once, whichever tables hold it
    head = _head(comparison)
    if fields:
        shown = _table(comparison, head, fields, rows)
        what = "every field" if len(fields) == total else f"the {len(fields)} of {total} fields that differ"
        lead = f"<p>{runs} runs compared: {what}.</p>"
    else:
        shown, lead = "", f"<p>{runs} runs compared: all {total} fields are the same.</p>"
    full = "" if len(fields) == total else (
        f"<details><summary>All {total} fields</summary>{_table(comparison, head, comparison.fields, rows)}"
        "</details>")
    return f'<div class="runlab-compare">{_CSS}{lead}{shown}{full}</div>'


def comparison_text(comparison: Any, all: bool = False) -> str:
    """The same table as plain text (a terminal): one line per field, one column per run."""
    fields = comparison.shown_fields(all)
    labels = comparison.labels()
    rows = [["field", *labels]]
    for name in fields:
        best = set(comparison.best(name))
        rows.append([name, *(_text(v) + (" *" if i in best else "") for i, v in enumerate(comparison.values(name)))])
    widths = [min(40, max(len(row[i]) for row in rows)) for i in range(len(rows[0]))]
    lines = ["  ".join(cell[:w].ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    hidden = len(comparison.fields) - len(fields)
    if hidden:
        lines.append(f"({hidden} fields are the same in every run: show(all=True) lists them)")
    return "\n".join(lines)


def artifacts_html(key: str, labels: list[str], previews: list[dict[str, Any] | None]) -> str:
    """The artifact ``key`` of each run (its preview, or None: "not logged") side by side in a grid."""
    cells = []
    for label, preview in zip(labels, previews, strict=True):
        body = '<p class="muted">not logged</p>' if preview is None else _preview_html(preview)
        cells.append(f"<div><b>{html.escape(label)}</b>{body}</div>")
    return (f'<div class="runlab-compare">{_CSS}<p>artifact <code>{html.escape(key)}</code> of '
            f'{len(labels)} runs</p><div class="grid">{"".join(cells)}</div></div>')


def _head(comparison: Any) -> str:
    """The header row: one column per run (name, short uid and iteration, state)."""
    esc = html.escape
    head = ['<th class="field">field</th>']
    for i in range(len(comparison.runs)):
        meta = comparison.meta(i)
        colour = _STATE_COLOURS.get(meta["state"], "inherit")
        iteration = f" #{meta['iteration']}" if meta["iteration"] else ""
        head.append(f'<th title="{esc(meta["project"])}/{esc(meta["name"])} {esc(meta["uid"])}{iteration}">'
                    f'{esc(meta["name"])}<br><code>{esc(meta["uid"][:8])}{iteration}</code><br>'
                    f'<span class="state" style="color:{colour}">{esc(meta["state"])}</span></th>')
    return "<thead><tr>" + "".join(head) + "</tr></thead>"


def _table(comparison: Any, head: str, fields: list[str], rows: dict[str, str]) -> str:
    body = []
    for name in fields:
        if name not in rows:
            rows[name] = _row(comparison, name)
        body.append(rows[name])
    return "<table>" + head + "<tbody>" + "".join(body) + "</tbody></table>"


def _row(comparison: Any, name: str) -> str:
    esc = html.escape
    changed = comparison.differs_from_first(name)
    best = set(comparison.best(name))
    order = comparison.direction(name)
    hint = f' <span class="muted">{"↓" if order == "min" else "↑"}</span>' if order else ""
    cells = [f'<tr><th class="field" title="{esc(name)}">{esc(name)}{hint}</th>']
    for i, value in enumerate(comparison.values(name)):
        text, title = _cell(value)
        mark = ""
        if i in best:
            what = "lowest" if order == "min" else "highest"
            mark = f' <span class="best" title="best {esc(name)}: the {what} of the compared runs">★</span>'
        css = ' class="diff"' if changed[i] else ""
        shown = esc(text)
        cells.append(f'<td{css} title="{shown if title == text else esc(title)}">{shown}{mark}</td>')
    cells.append("</tr>")
    return "".join(cells)


def _cell(value: Any) -> tuple[str, str]:
    """A value's cell text (numbers rounded, long text cut) and its whole value (the cell's title)."""
    if value is None:
        return "—", "not set"
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value), str(value)
        return f"{value:.4g}", repr(value)
    if isinstance(value, (bool, int)):
        return str(value), str(value)
    whole = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    short = whole if len(whole) <= CELL_CHARS else whole[:CELL_CHARS - 1] + "…"
    return short, whole


def _text(value: Any) -> str:
    return _cell(value)[0]


def _preview_html(preview: dict[str, Any]) -> str:
    """One artifact preview (``preview.preview_artifact``) as HTML."""
    esc = html.escape
    kind = preview.get("kind")
    if kind == "image":
        return f'<img src="{esc(preview["src"])}" alt="{esc(str(preview.get("title", "")))}">'
    if kind == "html":
        # a sandbox without allow-scripts: the page's scripts never run in the notebook's origin
        return f'<iframe sandbox="" srcdoc="{esc(preview["html"])}"></iframe>'
    if kind == "table":
        shape = preview.get("shape") or [None, len(preview["columns"])]
        head = "".join(f"<th>{esc(str(c))}</th>" for c in preview["columns"])
        rows = "".join("<tr>" + "".join(f"<td>{esc(_text(v))}</td>" for v in row) + "</tr>"
                       for row in preview["rows"][:ARTIFACT_ROWS])
        size = " x ".join("?" if n is None else f"{n:,}" for n in shape)
        return f'<p class="muted">{size}</p><table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'
    text = str(preview.get("text", ""))
    return f'<pre style="white-space:pre-wrap;max-height:320px">{esc(text[:20000])}</pre>'
