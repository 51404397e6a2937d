"""The static copies of the runs table: HTML (every user string escaped) and plain text, for wherever
widgets do not render (a saved notebook on GitHub, nbconvert, a terminal)."""

from __future__ import annotations

import html
import os
from typing import Any

from ..record import RunState
from .links import is_safe_link
from .table import Cell, Link, columns, iteration_table, run_row

HTML_ROWS = 200  # a RunList's HTML table, and the widget's static copies, stop here (the widget pages through all)

# A state's colour edges its badge; the text keeps the page's own colour, so it has the page's contrast in a
# light or a dark theme (coloured or white text on a coloured fill falls below 4.5:1 in one of them).
_STATE_COLOURS = {RunState.COMPLETED: "#2e7d32", RunState.ERROR: "#c62828", RunState.RUNNING: "#1565c0",
                  RunState.PENDING: "#ef6c00", RunState.CREATED: "#ef6c00", RunState.ABORTING: "#ef6c00",
                  RunState.ABORTED: "#757575"}


def runs_html(runs: list[Any], short: bool = False) -> str:
    """An HTML table of ``RunObject``s."""
    return table_html([run_row(run.to_dict(), short) for run in runs[:HTML_ROWS]], len(runs), short)


def table_html(rows: list[dict[str, Cell]], total: int, short: bool = False) -> str:
    """The HTML table of rows of cells (at most ``HTML_ROWS``): the first runs of ``total``."""
    head = "".join(f"<th>{c}</th>" for c in columns(short))
    body = []
    shown = rows[:HTML_ROWS]
    for cells in shown:
        body.append("<tr>" + "".join(f"<td>{_cell_html(name, cell)}</td>" for name, cell in cells.items()) + "</tr>")
    more = (f"<p>… and {total - len(shown)} more runs (<code>to_df()</code> has them all)</p>"
            if total > len(shown) else "")
    return (
        '<table class="runlab-runs" style="font-size:12px"><thead><tr>' + head + "</tr></thead><tbody>"
        + "".join(body) + "</tbody></table>" + more
    )


def iterations_html(run: Any) -> str:
    """A sweep parent's iteration table (params and outputs per child), the best iteration starred."""
    table = iteration_table(run.to_dict())
    if table is None:
        return ""
    names, best = table["columns"], table["best"]
    at = names.index("iter") if "iter" in names else -1
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in names)
    body = "".join(
        "<tr" + (' style="font-weight:bold" title="best iteration"' if at >= 0 and row[at] == best else "") + ">"
        + "".join(f"<td>{html.escape(str(value))}{' ★' if i == at and value == best else ''}</td>"
                  for i, value in enumerate(row)) + "</tr>"
        for row in table["rows"]
    )
    return (f'<table class="runlab-iterations" style="font-size:12px"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>")


def runs_text(runs: list[Any], short: bool = False) -> str:
    """A plain-text table of ``RunObject``s."""
    return table_text([run_row(run.to_dict(), short) for run in runs], short)


def table_text(cell_rows: list[dict[str, Cell]], short: bool = False, total: int | None = None) -> str:
    """The plain-text table of rows of cells; with ``total`` (the runs the rows were taken from) a last
    line says how many more runs there are."""
    names = columns(short)
    rows = [[_cell_text(cell) for cell in cells.values()] for cells in cell_rows]
    widths = [min(40, max([len(n)] + [len(r[i]) for r in rows])) for i, n in enumerate(names)]
    lines = ["  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True))]
    lines += ["  ".join(v[:w].ljust(w) for v, w in zip(row, widths, strict=True)) for row in rows]
    if total is not None and total > len(rows):
        lines.append(f"… and {total - len(rows)} more runs (to_df() has them all)")
    return "\n".join(lines)


def _cell_html(name: str, cell: Cell) -> str:
    esc = html.escape
    if cell.chips or cell.extra:
        full = cell.full or [""] * len(cell.chips)
        return " ".join(
            '<span style="background:#eee;border-radius:3px;padding:0 4px;margin:1px;display:inline-block"'
            + (f' title="{esc(whole)}"' if whole else "") + f">{esc(chip)}</span>"
            for chip, whole in [*zip(cell.chips, full, strict=True), *((c, "") for c in cell.extra)]
        )
    if cell.links:
        return "<br>".join(_link_html(link) for link in cell.links)
    text = esc(cell.text)
    if name == "state":
        colour = _STATE_COLOURS.get(cell.text, "#757575")
        text = (f'<span style="border:1px solid {colour};border-radius:8px;padding:0 6px;'
                f'font-weight:bold">{text}</span>')
    text = f'<span title="{esc(cell.title)}">{text}</span>' if cell.title else text
    return text + (f'<br><small style="color:#777">{esc(cell.sub)}</small>' if cell.sub else "")


def _link_html(link: Link) -> str:
    """A link, or its label as text when its target may not be an ``href`` (see ``links.is_safe_link``)."""
    esc = html.escape
    href = _static_href(link.href)
    if not is_safe_link(href):
        return f'<span title="{esc(link.href)}">{esc(link.label)}</span>'
    return f'<a href="{esc(href)}" title="{esc(link.href)}" target="_blank">{esc(link.label)}</a>'


def _static_href(target: str) -> str:
    """A link that works from a saved notebook: relative to the working folder (where the notebook is)
    when the file is under it, else a file:// URL for other local files, else the URL itself (only the
    relative and http(s) ones become links: ``links.is_safe_link``)."""
    if "://" in target:
        return target
    path = os.path.abspath(target)
    here = os.getcwd()
    if path.startswith(here + os.sep):
        relative = os.path.relpath(path, here).replace(os.sep, "/")
        # a first part with ":" ("a:b.csv") would read as a URL scheme; "./" keeps it a path
        return "./" + relative if ":" in relative.split("/", 1)[0] else relative
    return "file://" + path


def _cell_text(cell: Cell) -> str:
    if cell.chips or cell.extra:
        return ", ".join(cell.chips + cell.extra)
    if cell.links:
        return ", ".join(link.label for link in cell.links)
    return cell.text
