"""The run store: where every run, artifact record, log and project lives.

``get_store()`` returns the store named by the settings (SQLite under ``RUNLAB_HOME`` by default,
PostgreSQL when ``RUNLAB_DB_URL`` names one). Stores are cached per URL for the life of the process.
SQLAlchemy is imported on first use, not when runlab is imported.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from .. import process
from ..config import get_config

if TYPE_CHECKING:
    from .runstore import RunStore

_stores: dict[str, RunStore] = {}
_lock = threading.Lock()


def get_store(url: str | None = None) -> RunStore:
    """The store at ``url`` (default: the configured one), opened and migrated on first use."""
    config = get_config()
    url = url or config.db_url
    store = _stores.get(url)
    if store is None:
        with _lock:
            store = _stores.get(url)
            if store is None:
                from .runstore import RunStore  # SQLAlchemy, on first use

                store = _stores[url] = RunStore(url, busy_timeout_ms=config.busy_timeout_ms)
    return store


def close_stores() -> None:
    """Close every cached store (their connections are released)."""
    with _lock:
        for store in _stores.values():
            store.close()
        _stores.clear()


process.on_reset("store", "open stores and their connection pools", close_stores)
