"""The runs table as data: one row per run, each cell reduced to display text, chips and links.

The widget, the static HTML table and the text table all draw from this model, so they show the same
thing. Nothing here is escaped: each renderer escapes for its medium (the widget through the DOM's
``textContent``, the HTML table with ``html.escape``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..record import is_terminal

COLUMNS = ("project", "uid", "iter", "start", "state", "kind", "name", "labels", "inputs", "parameters",
           "results", "artifacts")
SHORT_DROP = {"project", "kind", "labels", "inputs"}
NOTES_SHOWN = 60  # characters of a run's notes shown under its name
AUTO_LABELS = ("kind", "owner", "host")  # every run gets them (``record.default_labels``): hidden until asked for


@dataclass
class Link:
    """A link to an artifact (``ref`` = uid, iteration, key) or an input (``ref`` = url)."""

    label: str
    href: str
    ref: dict[str, Any]


@dataclass
class Cell:
    """Display text of a cell: plain ``text`` (with a hover ``title`` and a second line ``sub``), or
    ``chips`` (key=value), or ``links``."""

    text: str = ""
    title: str = ""
    sub: str = ""
    chips: list[str] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    full: list[str] = field(default_factory=list)  # each chip's full text where it was shortened (else "")
    extra: list[str] = field(default_factory=list)  # chips shown on request (the automatic labels)


def columns(short: bool = False) -> list[str]:
    return [c for c in COLUMNS if not (short and c in SHORT_DROP)]


def run_row(run: dict[str, Any], short: bool = False) -> dict[str, Cell]:
    """One run dict (``RunObject.to_dict()`` shape) as table cells."""
    meta, spec, status = run["metadata"], run["spec"], run["status"]
    progress = status.get("progress") or {}
    state_sub = f"{progress['done']}/{progress['total']} {progress.get('unit', '')}s".rstrip() \
        if progress.get("total") and not is_terminal(status["state"]) else ""
    cells = {
        "project": Cell(meta["project"]),
        "uid": Cell(meta["uid"][:8], title=meta["uid"]),
        "iter": Cell(str(meta["iteration"])),
        "start": Cell((status.get("start_time") or "")[:19].replace("T", " "), sub=duration_text(status)),
        "state": Cell(status["state"], title=status.get("error") or "", sub=state_sub),
        "kind": Cell(meta["labels"].get("kind", "")),
        "name": name_cell(meta),
        "labels": Cell(chips=[f"{k}={v}" for k, v in meta["labels"].items() if k not in AUTO_LABELS],
                       extra=[f"{k}={v}" for k, v in meta["labels"].items() if k in AUTO_LABELS]),
        "inputs": Cell(links=[Link(k, str(v), {"url": str(v)}) for k, v in (spec.get("inputs") or {}).items()]),
        "parameters": value_chips(spec.get("parameters") or {}),
        "results": value_chips(status.get("results") or {}),
        "artifacts": Cell(links=[
            Link(a["key"], a["target_path"], {"uid": meta["uid"], "iteration": meta["iteration"], "key": a["key"]})
            for a in status.get("artifacts") or []
        ]),
    }
    return {c: cells[c] for c in columns(short)}


def name_cell(meta: dict[str, Any]) -> Cell:
    """A run's name, with the first line of its notes under it and the whole notes on hover."""
    notes = meta.get("notes") or ""
    return Cell(meta["name"], title=notes, sub=short_value(notes.split("\n", 1)[0], NOTES_SHOWN) if notes else "")


def widget_row(run: dict[str, Any], cells: dict[str, Cell]) -> dict[str, Any]:
    """A run and its cells as the widget's JSON row: identity, state and the cells (empty fields left out,
    so a thousand rows stay small)."""
    meta, status = run["metadata"], run["status"]
    return {
        "uid": meta["uid"],
        "iteration": meta["iteration"],
        "state": status["state"],
        "terminal": is_terminal(status["state"]),
        "cells": {name: cell_json(cell) for name, cell in cells.items()},
    }


def value_chips(values: dict[str, Any]) -> Cell:
    """Params or results as ``key=value`` chips, numbers rounded for display (``full`` keeps each value whole,
    for the hover title and for copying)."""
    chips, full = [], []
    for key, value in values.items():
        whole = f"{key}={value}"
        chips.append(f"{key}={display_value(value)}")
        full.append(whole if whole != chips[-1] else "")
    return Cell(chips=chips, full=full if any(full) else [])


def display_value(value: Any) -> str:
    """A value as the table shows it: floats to 4 significant digits (0.1235, 1.235e-05), the rest cut at 40
    characters."""
    if isinstance(value, float):
        return f"{value:.4g}"
    return short_value(value)


def cell_json(cell: Cell) -> dict[str, Any]:
    data: dict[str, Any] = {"text": cell.text}
    if cell.title:
        data["title"] = cell.title
    if cell.sub:
        data["sub"] = cell.sub
    if cell.chips:
        data["chips"] = cell.chips
    if cell.full:
        data["full"] = cell.full
    if cell.extra:
        data["extra"] = cell.extra
    if cell.links:
        data["links"] = [{"label": link.label, "href": link.href, "ref": link.ref} for link in cell.links]
    return data


def iteration_table(run: dict[str, Any]) -> dict[str, Any] | None:
    """A sweep parent's iterations (params and outputs per child) and its best iteration, or None."""
    status = run["status"]
    rows = status.get("iterations") or []
    if not rows:
        return None
    names = list(dict.fromkeys(c for row in rows for c in row))
    return {"columns": names, "rows": [[row.get(c, "") for c in names] for row in rows],
            "best": status.get("best_iteration")}


def duration_text(status: dict[str, Any]) -> str:
    """How long the run took (or has been running), as "850 ms", "12 s", "3 min 4 s", "2 h 5 min"."""
    start = status.get("start_time")
    if not start:
        return ""
    end = status.get("end_time") if is_terminal(status["state"]) else None
    finish = datetime.fromisoformat(end) if end else datetime.now(datetime.fromisoformat(start).tzinfo)
    seconds = max(0.0, (finish - datetime.fromisoformat(start)).total_seconds())
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 60:
        return f"{seconds:.0f} s" if seconds >= 10 else f"{seconds:.1f} s"
    minutes, secs = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {secs} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


def short_value(value: Any, limit: int = 40) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
