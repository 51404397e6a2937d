"""What the notebook table's routes answer: rows of a saved table, read again from the store.

A table saved in a notebook (``display.bundle``) names its runs by keys (``uid:iteration``) or by the
filters of the ``list_runs`` call that listed them; these functions build the same rows the kernel's widget
shows (``display.table``), so a reopened notebook pages and refreshes its tables without a kernel.
"""

from __future__ import annotations

import json
import os
from typing import Any

from ..display.bundle import store_id
from ..display.table import iteration_table, run_row, widget_row
from ..errors import RunNotFoundError, ValidationError
from ..preview import preview_url
from ..runtimes.processes import reap
from ..store import runfilter
from ..store.runstore import RunStore

MAX_ROWS = 100
_FILTERS = {"project": str, "name": str, "uid": str, "labels": dict, "state": str, "iterations": bool,
            "since": (int, float), "until": (int, float), "last": int, "filter": str, "order_by": list}


def parse_keys(values: list[str]) -> list[tuple[str, int]]:
    """``uid:iteration`` strings as keys; a bad one is a ``ValidationError`` that shows the form."""
    keys = []
    for value in values:
        uid, sep, iteration = value.rpartition(":")
        if not sep or not uid or not iteration.isdigit():
            raise ValidationError(f"key {value!r} must be 'uid:iteration', such as 'a1b2c3:0'")
        keys.append((uid, int(iteration)))
    if len(keys) > MAX_ROWS:
        raise ValidationError(f"ask for at most {MAX_ROWS} keys at a time, not {len(keys)}")
    return keys


def parse_query(text: str) -> dict[str, Any]:
    """A saved table's listing filters (JSON), checked name by name."""
    try:
        query = json.loads(text)
    except ValueError as exc:
        raise ValidationError(f"query must be the JSON object a saved table holds: {exc}") from None
    if not isinstance(query, dict):
        raise ValidationError("query must be a JSON object of list_runs filters")
    for name, value in query.items():
        if name not in _FILTERS:
            raise ValidationError(f"query filter {name!r} is not one of {', '.join(sorted(_FILTERS))}")
        if value is not None and ((isinstance(value, bool) and _FILTERS[name] is not bool)
                                  or not isinstance(value, _FILTERS[name])):
            raise ValidationError(f"query filter {name!r} has a value of the wrong type: {value!r}")
    runfilter.check(query.get("filter"), query.get("order_by"))
    return query


def table_rows(store: RunStore, keys: list[tuple[str, int]] | None = None, query: dict[str, Any] | None = None,
               offset: int = 0, limit: int = 20, short: bool = False, sweep: bool = False) -> dict[str, Any]:
    """The rows of the runs named by ``keys`` (in that order; the missing ones listed apart), or of
    ``limit`` runs from ``offset`` of the listing ``query`` names; with ``sweep``, also the one run's
    iteration table. ``store`` is the store's id, for the client to check it reads the store it saved from."""
    if not 1 <= limit <= MAX_ROWS:
        raise ValidationError(f"limit must be between 1 and {MAX_ROWS}, not {limit}")
    if offset < 0:
        raise ValidationError(f"offset must be 0 or more, not {offset}")
    reap(store)
    data: list[dict[str, Any]] = []
    missing: list[list[Any]] = []
    if keys is not None:
        for uid, iteration in keys:
            record = store.get_run(uid, iteration)
            if record is None:
                missing.append([uid, iteration])
            else:
                data.append(record.to_dict())
    elif query is not None:
        q = dict(query)
        last = q.pop("last", None)
        if last is not None:
            limit = max(0, min(limit, last - offset))
        records = store.list_runs(project=q.get("project"), name=q.get("name"), state=q.get("state"),
                                  labels=q.get("labels"), uid=q.get("uid"), since=q.get("since"),
                                  until=q.get("until"), iterations=bool(q.get("iterations")),
                                  filter=q.get("filter"), order_by=q.get("order_by"),
                                  last=limit, offset=offset) if limit else []
        data = [record.to_dict() for record in records]
    else:
        raise ValidationError("name the runs: 'key' (uid:iteration, repeated) or 'query' (a saved table's filters)")
    answer: dict[str, Any] = {"store": store_id(store.url), "missing": missing,
                              "rows": [widget_row(run, run_row(run, short)) for run in data]}
    if sweep and len(data) == 1:
        answer["iterations"] = iteration_table(data[0])
    return answer


def input_preview(store: RunStore, uid: str, iteration: int, key: str, root: str) -> dict[str, Any]:
    """A preview of a run's input ``key``, for a file under the server's ``root`` folder or a ``store://``
    artifact (what the notebook table previews; the server reads no other file)."""
    record = store.get_run(uid, iteration)
    if record is None:
        raise RunNotFoundError(f"run {uid} (iteration {iteration}) is not in the store")
    inputs = record.to_dict()["spec"].get("inputs") or {}
    if key not in inputs:
        raise RunNotFoundError(f"run {uid} has no input {key!r} (inputs: {', '.join(inputs) or 'none'})")
    url = str(inputs[key])
    base = {"title": url, "path": url, "kind": "error"}
    if url.startswith("store://"):
        return preview_url(url)
    local = url.removeprefix("file://")
    if "://" in local or ":" in local.split("/", 1)[0]:
        return {**base, "text": f"cannot preview {url} here: only files under the server's folder are previewed"}
    real, top = os.path.realpath(local), os.path.realpath(os.path.expanduser(root or "/"))
    if not real.startswith(top.rstrip(os.sep) + os.sep):
        return {**base, "text": f"cannot preview {url} here: it is not under the server's folder"}
    return preview_url(url)
