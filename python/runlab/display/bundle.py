"""The runs table as data saved in a notebook output (``application/vnd.runlab.runs+json``).

JupyterLab's runlab extension draws the table from it without a kernel: the columns, the first page of
rows and the total, and what it needs to page and refresh through the server's REST API: the listing's
filters (a whole ``list_runs`` result) or the runs' keys, and an id of the store (a hash of its URL without
the password, so nothing a notebook's reader could test passwords against) that tells whether the server
reads the same store.
"""

from __future__ import annotations

import hashlib
from typing import Any

from ..store.url import redact

MIME = "application/vnd.runlab.runs+json"
VERSION = 1
KEYS_LIMIT = 1000
"""A table of more runs than this saves the listing's filters, or else only its first ``KEYS_LIMIT`` keys."""


def store_id(url: str) -> str:
    """An id of the store at ``url``: a hash of the URL without its password (the same store whatever
    password reaches it), which shows nothing of the URL."""
    return hashlib.sha256(redact(url).encode("utf-8")).hexdigest()[:24]


def runs_bundle(*, columns: list[str], rows: list[dict[str, Any]], total: int, page_size: int, short: bool,
                store_url: str, keys: list[tuple[str, int]] | None, query: dict[str, Any] | None,
                iterations: dict[str, Any] | None, plot: str) -> dict[str, Any]:
    """The saved table: what the extension needs to draw it and, with the same store, to page and refresh it."""
    data: dict[str, Any] = {"version": VERSION, "columns": columns, "rows": rows, "total": total,
                            "page_size": page_size, "short": short, "store": store_id(store_url)}
    if query is not None:
        data["query"] = query
    elif keys is not None:
        data["keys"] = [[uid, iteration] for uid, iteration in keys[:KEYS_LIMIT]]
    if iterations:
        data["iterations"] = iterations
    if plot:
        data["plot"] = plot
    return data
