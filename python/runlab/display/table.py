"""The runs table as data: one row per run, each cell already reduced to display text and links."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

COLUMNS = ("project", "uid", "iter", "start", "state", "kind", "name", "labels", "inputs", "parameters",
           "results", "artifacts")
SHORT_DROP = {"project", "kind", "labels", "inputs"}


@dataclass
class Cell:
    """Display text of a cell: plain ``text``, or ``chips`` (key=value), or ``links`` (label, href)."""

    text: str = ""
    title: str = ""
    chips: list[str] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)


def columns(short: bool = False) -> list[str]:
    return [c for c in COLUMNS if not (short and c in SHORT_DROP)]


def run_row(run: dict[str, Any], short: bool = False) -> dict[str, Cell]:
    """One run dict (``RunObject.to_dict()`` shape) as table cells."""
    meta, spec, status = run["metadata"], run["spec"], run["status"]
    start = (status.get("start_time") or "")[:19].replace("T", " ")
    cells = {
        "project": Cell(meta["project"]),
        "uid": Cell(meta["uid"][:8], title=meta["uid"]),
        "iter": Cell(str(meta["iteration"])),
        "start": Cell(start),
        "state": Cell(status["state"], title=status.get("error") or ""),
        "kind": Cell(meta["labels"].get("kind", "")),
        "name": Cell(meta["name"]),
        "labels": Cell(chips=[f"{k}={v}" for k, v in meta["labels"].items()]),
        "inputs": Cell(links=[(k, v) for k, v in spec.get("inputs", {}).items()]),
        "parameters": Cell(chips=[f"{k}={_short(v)}" for k, v in spec.get("parameters", {}).items()]),
        "results": Cell(chips=[f"{k}={_short(v)}" for k, v in status.get("results", {}).items()]),
        "artifacts": Cell(links=[(a["key"], a["target_path"]) for a in status.get("artifacts", [])]),
    }
    return {c: cells[c] for c in columns(short)}


def _short(value: Any, limit: int = 40) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
