"""Previews of artifacts and inputs, as JSON-safe dicts that the notebook widget and the server's API draw.

A preview never reads more than it shows: datasets use the shape and first rows recorded when they were
logged (or read only their first rows), text and HTML are cut at ``MAX_BYTES``, images above it are not
inlined. Every preview carries ``kind`` (``table``, ``image``, ``html``, ``text``, ``model``, ``none`` or
``error``), ``title`` and ``path`` (where the file is, for "open" and "download" links).
"""

from __future__ import annotations

import base64
import json
from pathlib import PurePosixPath
from typing import Any

from .artifactfiles import json_safe, resolve_store_uri
from .data import get_dataitem
from .record import artifact_to_dict

MAX_BYTES = 2 * 1024 * 1024
ROWS = 20
_IMAGES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
           ".svg": "image/svg+xml", ".webp": "image/webp"}
_TABLES = {".csv", ".tsv", ".parquet", ".pq", ".json", ".jsonl", ".feather"}
_TEXT = {".txt", ".log", ".json", ".yaml", ".yml", ".md", ".py", ".toml", ".cfg", ".ini", ".sql", ".r", ".sh",
         ".xml", ".ipynb"}


def preview_artifact(record: dict[str, Any], max_bytes: int = MAX_BYTES) -> dict[str, Any]:
    """A preview of an artifact record (``status.artifacts`` shape)."""
    path = record["target_path"]
    base = {"title": record["key"], "path": path, "size": record.get("size"), "artifact_kind": record["kind"]}
    try:
        return {**base, **_preview(path, record["kind"], record.get("meta") or {}, max_bytes)}
    except Exception as exc:  # noqa: BLE001 - a preview that fails says why, in the preview
        return {**base, "kind": "error", "text": f"cannot preview {path}: {type(exc).__name__}: {exc}"}


def preview_url(url: str, max_bytes: int = MAX_BYTES) -> dict[str, Any]:
    """A preview of an input given by URL (a file, or a ``store://`` artifact URI)."""
    if url.startswith("store://"):
        ref = resolve_store_uri(url)
        return {**preview_artifact(artifact_to_dict(ref.record), max_bytes), "title": url}
    base = {"title": url, "path": url, "size": None, "artifact_kind": "input"}
    try:
        return {**base, **_preview(url, "file", {}, max_bytes)}
    except Exception as exc:  # noqa: BLE001 - a preview that fails says why, in the preview
        return {**base, "kind": "error", "text": f"cannot preview {url}: {type(exc).__name__}: {exc}"}


def _preview(path: str, kind: str, meta: dict[str, Any], max_bytes: int) -> dict[str, Any]:
    suffix = _suffix(path)
    if kind == "model":
        return {"kind": "model", "meta": meta, "text": json.dumps(meta, indent=2, default=str)}
    if meta.get("header") is not None and meta.get("columns") is not None:
        shape = meta.get("shape") or [None, len(meta["columns"])]
        return {"kind": "table", "columns": meta["columns"], "rows": meta["header"][:ROWS], "shape": shape}
    item = get_dataitem(path)
    size = item.stat().size
    if suffix in _IMAGES:
        if size > max_bytes:
            return {"kind": "none", "text": f"image of {size:,} bytes: too large to show here, open or download it"}
        data = base64.b64encode(item.get()).decode()
        return {"kind": "image", "src": f"data:{_IMAGES[suffix]};base64,{data}"}
    if suffix in (".html", ".htm"):
        if size > max_bytes:
            return {"kind": "none", "text": f"HTML of {size:,} bytes: too large to show here, open or download it"}
        return {"kind": "html", "html": item.get(encoding="utf-8")}
    if kind == "dataset" or suffix in _TABLES - {".json"}:
        return _table(item, suffix, size)
    if suffix in _TEXT or (kind in ("file", "input") and _looks_textual(item)):
        data = item.get(size=max_bytes)
        text = data.decode("utf-8", errors="replace")
        note = f"first {max_bytes:,} of {size:,} bytes" if size > max_bytes else ""
        return {"kind": "text", "text": text, "note": note}
    return {"kind": "none", "text": f"{size:,} bytes of {suffix or 'binary'} data: no preview; open or download it"}


def _table(item: Any, suffix: str, size: int) -> dict[str, Any]:
    """The first rows of a dataset (and its shape, when reading it all is cheap)."""
    import pandas as pd  # only for a table preview

    if suffix in (".csv", ".tsv"):
        with item.open("rb") as handle:
            df = pd.read_csv(handle, nrows=ROWS, sep="\t" if suffix == ".tsv" else ",")
        rows = None
        if size <= MAX_BYTES:
            with item.open("rb") as handle:
                rows = sum(1 for _ in handle) - 1
        shape = [rows, int(df.shape[1])]
    else:
        full = item.as_df()
        df, shape = full.head(ROWS), [int(full.shape[0]), int(full.shape[1])]
    return {"kind": "table", "columns": [str(c) for c in df.columns],
            "rows": [[json_safe(v) for v in row] for row in df.itertuples(index=False, name=None)], "shape": shape}


def _looks_textual(item: Any) -> bool:
    head = item.get(size=4096)
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return b"\x00" not in head


def _suffix(path: str) -> str:
    return PurePosixPath(path.split("?", 1)[0]).suffix.lower()
