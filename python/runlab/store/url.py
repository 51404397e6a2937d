"""Database URLs: in messages never with their password; a SQLite file in a read-only folder opened read-only."""

from __future__ import annotations

import os
import re
from pathlib import Path

from ..config import sqlite_url, url_escaped


def redact(url: str) -> str:
    """A database URL without its password (``postgresql://user:***@host/db``), fit for messages.

    The password runs to the last ``@`` of the URL (a password may itself hold ``@`` or ``/`` when its
    owner did not percent-encode it); a URL ends at white space."""
    return re.sub(r"(://[^/:@\s]*:)\S*@", r"\1***@", url)


def read_only_url(database: str) -> str | None:
    """A read-only SQLite URL for the file ``database`` when its folder cannot be written (a read-only
    RUNLAB_HOME), else None.

    SQLite in WAL mode writes its ``-shm`` index beside the file even to read; in a read-only folder with
    no ``-wal``/``-shm`` left there (the last writer closed cleanly, so the file holds everything) the file
    is opened as immutable, which needs neither. With them there, it is read through them.
    """
    path = Path(database)
    if not path.is_file() or os.access(path.parent, os.W_OK):
        return None
    wal_left = Path(f"{database}-wal").exists() or Path(f"{database}-shm").exists()
    # escaped twice: SQLAlchemy decodes its URL once, and SQLite decodes the file URI it is handed
    return f"{sqlite_url('file:' + url_escaped(str(path)))}?mode=ro&uri=true" + ("" if wal_left else "&immutable=1")
