"""The params, results and labels seen in a project's runs, with the kind of their values: what the Runs
view offers as columns and as names in its filter box.

Reading every run of a large project to list a few dozen names would make the view slow to open, so the
answer comes from the newest ``SAMPLE`` runs (iteration 0, the runs a user lists) and says so (``sampled``).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from ..record import RunRecord
from ..store.runstore import RunStore

SAMPLE = 2000
"""How many of the newest runs the field list is computed from."""

KINDS = ("number", "string", "boolean", "json")
"""A value's kind; a field whose runs hold more than one kind is ``mixed``."""


def value_kind(value: Any) -> str | None:
    """The kind of one value (None for a missing one: it says nothing about the field)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "json"


class _Section:
    """How often each key of one section (params, results or labels) occurs, and its values' kinds."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.kinds: dict[str, set[str]] = {}

    def add(self, values: dict[str, Any]) -> None:
        for key, value in values.items():
            self.counts[key] += 1
            kind = value_kind(value)
            if kind:
                self.kinds.setdefault(key, set()).add(kind)

    def listed(self) -> list[dict[str, Any]]:
        """Each key with its kind and in how many runs it occurs, the most common first."""
        def kind(key: str) -> str:
            kinds = self.kinds.get(key, set())
            return next(iter(kinds)) if len(kinds) == 1 else ("mixed" if kinds else "string")

        return [{"key": key, "kind": kind(key), "runs": count}
                for key, count in sorted(self.counts.items(), key=lambda item: (-item[1], item[0]))]


def project_fields(store: RunStore, project: str, sample: int = SAMPLE) -> dict[str, Any]:
    """The project's param, result and label keys (most common first), from its newest ``sample`` runs;
    ``sampled`` is true when the project has more runs than were read."""
    rows: list[RunRecord] = store.list_runs(project=project, last=sample + 1)
    sampled = len(rows) > sample
    sections = {"params": _Section(), "results": _Section(), "labels": _Section()}
    for row in rows[:sample]:
        sections["params"].add(row.spec.get("parameters") or {})
        sections["results"].add(row.results or {})
        sections["labels"].add(row.labels or {})
    return {"project": project, "runs": min(len(rows), sample), "sampled": sampled,
            **{name: section.listed() for name, section in sections.items()}}
