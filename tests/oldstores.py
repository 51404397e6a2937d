"""Stores left at an older schema revision, with runs in them: what a migration test upgrades."""

from __future__ import annotations

from typing import Any

from sqlalchemy import create_engine, insert, inspect

from runlab.config import get_config
from runlab.store import schema
from runlab.store.migrate import upgrade


def store_at_revision(revision: str, rows: list[dict[str, Any]]) -> None:
    """Migrate the configured store only up to ``revision`` and insert ``rows`` (``RunRecord.to_row()``
    dicts) into its runs table; opening the store afterwards upgrades it to the newest revision."""
    engine = create_engine(get_config().db_url)
    try:
        upgrade(engine, revision)
        with engine.begin() as conn:
            present = {column["name"] for column in inspect(conn).get_columns("runs")}  # later revisions add some
            conn.execute(insert(schema.runs), [{k: v for k, v in row.items() if k in present} for row in rows])
    finally:
        engine.dispose()
