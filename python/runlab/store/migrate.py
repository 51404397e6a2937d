"""Bring a store's schema to the newest revision with Alembic, once, even with many processes racing.

Opening a store that is already current costs one small query: Alembic is imported only to upgrade.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError, ProgrammingError

from ..config import sqlite_url
from ..errors import StoreError
from ..filelock import file_lock
from .failures import store_name

HEAD_REVISION = "0014"
MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def current_revision(engine: Engine) -> str | None:
    """The revision stamped in the store, or None for an empty database (a store that cannot be read
    raises)."""
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except (OperationalError, ProgrammingError) as exc:
        if "no such table" in str(exc) or "does not exist" in str(exc):
            return None
        raise


def ensure_schema(engine: Engine, writable: bool = True) -> None:
    """Create or upgrade the schema to ``HEAD_REVISION`` unless it is already there.

    A current store is only read (no lock, no write): a read-only store is fine as long as it needs no
    migration; one that does is a StoreError saying so.
    """
    revision = current_revision(engine)
    if revision == HEAD_REVISION:
        return
    if not writable:  # only a SQLite file in a read-only folder is opened so
        raise StoreError(
            f"{store_name(sqlite_url(engine.url.database))} is at schema revision "
            f"{revision or '(none)'} and needs upgrading to {HEAD_REVISION}, but its folder is read-only: open it "
            "once with write access to RUNLAB_HOME (this runlab upgrades it), or use the runlab version that "
            "wrote it"
        )
    with _migration_lock(engine):
        if current_revision(engine) == HEAD_REVISION:  # another process migrated while we waited
            return
        upgrade(engine)


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run Alembic's upgrade to ``revision`` on ``engine``."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA journal_mode=WAL")
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
        if conn.in_transaction():
            conn.commit()


@contextlib.contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    """Serialise migrations across processes: a lock file beside SQLite, an advisory lock on PostgreSQL."""
    if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
        with file_lock(Path(engine.url.database).with_suffix(".migrate.lock")):
            yield
    elif engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(74201)"))
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(74201)"))
                conn.commit()
    else:
        yield
