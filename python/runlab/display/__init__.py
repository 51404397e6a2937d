"""Showing runs: an HTML table in a notebook (every user string escaped), plain text elsewhere."""

from __future__ import annotations

import html
from typing import Any

from .table import Cell, columns, run_row

_STATE_COLOURS = {"completed": "#2e7d32", "error": "#c62828", "running": "#1565c0", "aborted": "#6d4c41"}


def runs_html(runs: list[Any], short: bool = False) -> str:
    """An HTML table of ``RunObject``s."""
    head = "".join(f"<th>{c}</th>" for c in columns(short))
    body = []
    for run in runs:
        cells = run_row(run.to_dict(), short)
        body.append("<tr>" + "".join(f"<td>{_cell_html(name, cell)}</td>" for name, cell in cells.items()) + "</tr>")
    return (
        '<table class="runlab-runs" style="font-size:12px"><thead><tr>' + head + "</tr></thead><tbody>"
        + "".join(body) + "</tbody></table>"
    )


def iterations_html(run: Any) -> str:
    """A sweep parent's iteration table (params and outputs per child), the best iteration starred."""
    status = run.to_dict()["status"]
    rows, best = status.get("iterations") or [], status.get("best_iteration")
    if not rows:
        return ""
    columns = list(dict.fromkeys(c for row in rows for c in row))
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in columns)
    body = "".join(
        "<tr" + (' style="font-weight:bold" title="best iteration"' if row.get("iter") == best else "") + ">"
        + "".join(f"<td>{html.escape(str(row.get(c, '')))}{' ★' if c == 'iter' and row.get(c) == best else ''}</td>"
                  for c in columns) + "</tr>"
        for row in rows
    )
    return (f'<table class="runlab-iterations" style="font-size:12px"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>")


def runs_text(runs: list[Any], short: bool = False) -> str:
    """A plain-text table of ``RunObject``s."""
    names = columns(short)
    rows = [[_cell_text(cell) for cell in run_row(run.to_dict(), short).values()] for run in runs]
    widths = [min(40, max([len(n)] + [len(r[i]) for r in rows])) for i, n in enumerate(names)]
    lines = ["  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True))]
    lines += ["  ".join(v[:w].ljust(w) for v, w in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(lines)


def show_runs(runs: list[Any], short: bool = False) -> None:
    """Display runs: rich HTML where IPython can show it, text otherwise."""
    try:
        from IPython import get_ipython
        from IPython.display import HTML, display
    except ImportError:
        print(runs_text(runs, short))
        return
    if get_ipython() is None:
        print(runs_text(runs, short))
    else:
        display(HTML(runs_html(runs, short) + "".join(iterations_html(r) for r in runs[:1] if len(runs) == 1)))


def _cell_html(name: str, cell: Cell) -> str:
    esc = html.escape
    if cell.chips:
        return " ".join(
            f'<span style="background:#eee;border-radius:3px;padding:0 4px;margin:1px;display:inline-block">'
            f"{esc(c)}</span>" for c in cell.chips
        )
    if cell.links:
        return "<br>".join(f'<a href="{esc(href)}" title="{esc(href)}" target="_blank">{esc(label)}</a>'
                           for label, href in cell.links)
    text = esc(cell.text)
    if name == "state":
        colour = _STATE_COLOURS.get(cell.text, "#555")
        text = f'<span style="color:{colour};font-weight:bold">{text}</span>'
    return f'<span title="{esc(cell.title)}">{text}</span>' if cell.title else text


def _cell_text(cell: Cell) -> str:
    if cell.chips:
        return ", ".join(cell.chips)
    if cell.links:
        return ", ".join(label for label, _ in cell.links)
    return cell.text
