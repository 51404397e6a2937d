"""``mlrun.datastore``: ``DataItem``, in-memory items (``memory://``), ``store_manager`` and ``get_object``.

``memory://<key>`` items live in this process (fsspec's memory filesystem): ``set_in_memory_item("k",
b"...")`` and then ``get_dataitem("memory://k")`` or an input ``inputs={"data": "memory://k"}`` of an
in-process run.
"""

from __future__ import annotations

import json
from typing import Any

from ..artifactfiles import is_dataframe
from ..data import DataItem, get_dataitem
from ..errors import ValidationError


def get_object(url: str, secrets: dict[str, str] | None = None, size: int | None = None, offset: int = 0,
               db: Any = None) -> bytes:
    """The content at ``url`` (a path, any fsspec URL or a ``store://`` URI) as bytes."""
    return get_dataitem(url).get(size=size, offset=offset)


def set_in_memory_item(key: str, value: Any) -> DataItem:
    """Keep ``value`` at ``memory://<key>``: bytes and str as they are, dicts and lists as JSON, DataFrames
    as CSV (``as_df()`` reads them back)."""
    if is_dataframe(value):
        value = value.to_csv(index=False)
    elif isinstance(value, (dict, list)):
        value = json.dumps(value)
    if not isinstance(value, (bytes, str)):
        raise ValidationError(
            f"set_in_memory_item takes bytes, str, a dict/list or a DataFrame, not {type(value).__name__}"
        )
    item = get_dataitem(f"memory://{key}", key=key)
    item.put(value)
    return item


def get_in_memory_items() -> dict[str, bytes]:
    """Every ``memory://`` item: key → content."""
    import fsspec

    fs = fsspec.filesystem("memory")
    return {path.lstrip("/"): bytes(f.getvalue()) for path, f in fs.store.items()}


class StoreManager:
    """MLRun's ``store_manager``: DataItems by URL."""

    def object(self, url: str, key: str = "", project: str = "", secrets: dict[str, str] | None = None,
               **kwargs: Any) -> DataItem:
        """A DataItem for ``url`` (a path, any fsspec URL or a ``store://`` URI)."""
        return get_dataitem(url, key=key or None)

    def set(self, secrets: dict[str, str] | None = None, db: Any = None) -> StoreManager:
        """This manager (runlab reads credentials from the environment, as fsspec does)."""
        return self


store_manager = StoreManager()
get_store_resource = StoreManager().object

__all__ = ["DataItem", "StoreManager", "get_in_memory_items", "get_object", "get_store_resource",
           "set_in_memory_item", "store_manager"]
