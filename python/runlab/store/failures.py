"""Database failures as :class:`~runlab.errors.StoreError`: which store, what went wrong, what to do.

A message names the store (the SQLite file, or the URL with its password masked), says in one line what
the database reported (never SQLAlchemy's SQL text or its links) and the fix for that kind of failure.
"""

from __future__ import annotations

from urllib.parse import quote, unquote

from ..errors import StoreError
from .url import redact

# (words in the database's message, what to do) - the first match wins
_ADVICE: tuple[tuple[tuple[str, ...], str], ...] = (
    (("not a database", "malformed", "corrupt", "file is encrypted"),
     "restore the file from a backup, or move it aside and runlab will create a new one"),
    (("disk is full", "no space left"), "free some disk space, then try again"),
    (("readonly database", "read-only", "permission denied", "unable to open database file"),
     "check that RUNLAB_HOME and the store file are readable and writable by this user"),
    (("database is locked",), "another process holds the store's write lock: let it finish, or give writers "
                              "longer (the busy_timeout_ms setting)"),
    (("disk i/o error",), "check the disk that holds the store (dmesg), then restore the file from a backup "
                          "if it is damaged"),
    (("connection refused", "could not connect", "connection failed", "timeout expired", "could not translate",
      "name or service not known", "server closed the connection"),
     "check that the database server is running and reachable, and that RUNLAB_DB_URL names it"),
    (("authentication failed", "no password supplied"), "check the user and password in RUNLAB_DB_URL"),
)
_DEFAULT_ADVICE = "check the store (RUNLAB_DB_URL, or the SQLite file under RUNLAB_HOME) and try again"


def store_name(url: str) -> str:
    """The store as a message names it: the SQLite file's path, else the URL without its password."""
    if url.startswith("sqlite"):
        database = unquote(url.split("///", 1)[-1].split("?", 1)[0])  # as SQLAlchemy decodes it
        if database.startswith("file:"):  # a SQLite file URI, escaped once more
            database = unquote(database[len("file:"):].split("?", 1)[0])
        if database and database != ":memory:":
            return f"the run store {database}"
    return f"the run store at {redact(url)}"


def reason(exc: BaseException) -> str:
    """What the database said, in one line, without SQLAlchemy's decoration (SQL text, parameters, links)."""
    cause = getattr(exc, "orig", None) or exc  # a DBAPIError wraps the driver's own exception
    lines = [line.strip() for line in str(cause).splitlines() if line.strip()]
    text = lines[0] if lines else type(cause).__name__
    if text.startswith("(") and ") " in text:  # "(sqlite3.DatabaseError) file is not a database"
        text = text.split(") ", 1)[1]
    return text


def _password(url: str) -> str:
    """The password in a database URL (as written, up to its last ``@``), or "" when it has none."""
    rest = url.partition("://")[2]
    return rest.rpartition("@")[0].partition(":")[2]


def scrub(text: str, url: str) -> str:
    """``text`` with every database URL's password masked and the password of ``url`` nowhere in it, as
    written, percent-encoded or decoded (a driver may quote its connection string in its own words)."""
    text = redact(text)
    password = _password(url)
    for form in {password, unquote(password), quote(password, safe="")} - {""}:
        text = text.replace(form, "***")
    return text


def store_error(url: str, exc: BaseException, action: str = "use") -> StoreError:
    """A StoreError for ``exc``, raised when trying to ``action`` (open, use, write) the store at ``url``."""
    if "@" in _password(url):  # the driver splits at the first '@': its message would quote the rest as a host
        return StoreError(f"cannot {action} {store_name(url)}: the password in RUNLAB_DB_URL holds an '@' that "
                          "is not percent-encoded. To fix it: write each '@' of the password as %40")
    said = scrub(reason(exc), url)
    lowered = said.lower()
    advice = next((fix for words, fix in _ADVICE if any(word in lowered for word in words)), _DEFAULT_ADVICE)
    return StoreError(f"cannot {action} {store_name(url)}: {said}. To fix it: {advice}")
