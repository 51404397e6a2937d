"""Database URLs in messages: never with their password."""

from __future__ import annotations

import re


def redact(url: str) -> str:
    """A database URL without its password (``postgresql://user:***@host/db``), fit for messages."""
    return re.sub(r"(://[^/:@]*:)[^@/]*@", r"\1***@", url)
