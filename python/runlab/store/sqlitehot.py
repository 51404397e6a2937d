"""The statements every run makes on a SQLite store, through ``sqlite3`` directly.

A trivial in-process run writes twice (its start and its end) and a sweep reads its parent's state
before each child; a run on Dask adds its conditional end write, the look-up of the artifacts already
recorded under its artifact path, and its waiter's read of the ended run. Through SQLAlchemy each costs
ten times the database's own work (connection checkout, statement compilation and caching, result
set-up); here each is one prepared statement on a pooled ``sqlite3`` connection, in the same transaction
discipline as ``RunStore._write`` (``BEGIN IMMEDIATE``, retried while another process holds the write
lock) and with the same column encoding (JSON columns as ``json.dumps`` of the value, as SQLAlchemy's
``JSON`` type writes and reads them), so readers cannot tell which path wrote a row.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import JSON

from . import jobsummary, schema

LOCK_RETRIES = 20  # tries of a write transaction while another process holds SQLite's write lock


def is_lock_busy(exc: BaseException) -> bool:
    """True for SQLite's "database is locked" / "busy": another process holds the write lock (retry)."""
    return "locked" in str(exc) or "busy" in str(exc)


def lock_backoff(attempt: int) -> None:
    """Wait before try ``attempt + 2`` of a write transaction (a little longer each time)."""
    time.sleep(0.05 * (attempt + 1))


def _quoted(name: str) -> str:
    """A column name as an SQL identifier (``key`` and ``offset`` are SQL words)."""
    return f'"{name}"'


_RUN_COLUMNS = tuple(column.name for column in schema.runs.columns)
_JSON_COLUMNS = frozenset(column.name for column in schema.runs.columns if isinstance(column.type, JSON))
_INSERT_RUN = (f"INSERT INTO runs ({', '.join(_RUN_COLUMNS)}) "
               f"VALUES ({', '.join('?' for _ in _RUN_COLUMNS)})")
_INSERT_LOG = 'INSERT INTO logs (uid, iteration, "offset", data) VALUES (?, ?, ?, ?)'
_RUN_STATE = "SELECT state FROM runs WHERE uid = ? AND iteration = ?"
_SELECT_RUN = f"SELECT {', '.join(map(_quoted, _RUN_COLUMNS))} FROM runs WHERE uid = ? AND iteration = ?"
_ARTIFACT_COLUMNS = tuple(column.name for column in schema.artifacts.columns)
_ARTIFACT_JSON = tuple(column.name for column in schema.artifacts.columns if isinstance(column.type, JSON))
_SELECT_ARTIFACTS = (f"SELECT {', '.join(map(_quoted, _ARTIFACT_COLUMNS))} FROM artifacts "
                     "WHERE run_uid = ? ORDER BY id")
# what SQLAlchemy's ``target.startswith(prefix)`` says on SQLite (LIKE: ASCII case folded, ``_`` and ``%`` wild)
_TARGETS_UNDER = "SELECT target FROM artifacts WHERE target LIKE (? || '%')"


class SqliteHotPath:
    """Pooled ``sqlite3`` connections to one database file for the per-run writes and reads.

    A connection serves one thread at a time (taken from the pool, given back); a forked child drops the
    pool it inherited, as the SQLAlchemy engine does.
    """

    def __init__(self, database: str, busy_timeout_ms: int) -> None:
        self._database = database
        self._busy_ms = int(busy_timeout_ms)
        self._idle: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._updates: dict[tuple[str, ...], str] = {}
        self._conditional: dict[tuple[tuple[str, ...], int], str] = {}  # (columns, number of states) -> SQL
        os.register_at_fork(after_in_child=self._forget)

    @staticmethod
    def handles(changes: dict[str, Any]) -> bool:
        """True when every key of ``changes`` is a column of ``runs`` (else the caller's path reports it)."""
        return all(key in _JSON_COLUMNS or key in _RUN_COLUMNS for key in changes)

    def insert_run(self, row: dict[str, Any], summary: dict[str, Any]) -> None:
        """Insert the run and count it in the jobs summary (``jobsummary.upsert_values``), in one transaction."""
        values = tuple(_encode(name, row.get(name)) for name in _RUN_COLUMNS)
        with self._transaction() as conn:
            conn.execute(_INSERT_RUN, values)
            conn.execute(jobsummary.UPSERT_SQL, summary)

    def update_run(self, uid: str, iteration: int, changes: dict[str, Any], log: tuple[int, str] | None) -> None:
        """Set ``changes`` (already plain column values) and append a log chunk, in one transaction."""
        names = tuple(changes)
        sql = self._updates.get(names)
        if sql is None:
            sets = ", ".join(f'"{name}" = ?' for name in names)
            sql = self._updates[names] = f"UPDATE runs SET {sets} WHERE uid = ? AND iteration = ?"
        values = (*(_encode(name, changes[name]) for name in names), uid, iteration)
        with self._transaction() as conn:
            if names:
                conn.execute(sql, values)
            if log is not None and log[1]:
                conn.execute(_INSERT_LOG, (uid, iteration, log[0], log[1]))

    def update_run_if(self, uid: str, iteration: int, changes: dict[str, Any], states: tuple[str, ...],
                      logs: Sequence[tuple[int, str]] = ()) -> bool:
        """Set ``changes`` (plain column values, at least one) while the run's state is one of ``states``
        (at least one), and append the log chunks ``logs`` either way, in one transaction; True if the run
        was updated."""
        names = tuple(changes)
        sql = self._conditional.get((names, len(states)))
        if sql is None:
            sets = ", ".join(f'"{name}" = ?' for name in names)
            sql = self._conditional[(names, len(states))] = (
                f"UPDATE runs SET {sets} WHERE uid = ? AND iteration = ? "
                f"AND state IN ({', '.join('?' for _ in states)})")
        values = (*(_encode(name, changes[name]) for name in names), uid, iteration, *states)
        with self._transaction() as conn:
            for offset, text in logs:
                if text:
                    conn.execute(_INSERT_LOG, (uid, iteration, offset, text))
            return conn.execute(sql, values).rowcount > 0

    def run_row(self, uid: str, iteration: int) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
        """The run's ``runs`` row (JSON columns as their text, which ``RunRecord.from_row`` decodes) and the
        ``artifacts`` rows of its uid in logging order (JSON columns decoded); ``(None, [])`` if there is none."""
        with self._connection() as conn:
            row = conn.execute(_SELECT_RUN, (uid, iteration)).fetchone()
            if row is None:
                return None, []
            artifacts = conn.execute(_SELECT_ARTIFACTS, (uid,)).fetchall()
        records = []
        for values in artifacts:
            record = dict(zip(_ARTIFACT_COLUMNS, values, strict=True))
            for name in _ARTIFACT_JSON:
                record[name] = _decode(record[name])
            records.append(record)
        return dict(zip(_RUN_COLUMNS, row, strict=True)), records

    def artifact_targets_under(self, prefix: str) -> list[str]:
        """Targets of recorded artifacts that start with ``prefix``."""
        with self._connection() as conn:
            return [row[0] for row in conn.execute(_TARGETS_UNDER, (prefix,))]

    def run_state(self, uid: str, iteration: int) -> str | None:
        with self._connection() as conn:
            row = conn.execute(_RUN_STATE, (uid, iteration)).fetchone()
        return None if row is None else row[0]

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()

    # -- connections -------------------------------------------------------------------------------

    def _forget(self) -> None:
        self._idle = []  # the parent's connections: never used (nor closed) in a forked child
        self._lock = threading.Lock()

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self._database, isolation_level=None, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout={self._busy_ms}")
        conn.execute("PRAGMA synchronous=NORMAL")  # as RunStore's engine: WAL + NORMAL
        return conn

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            conn = self._idle.pop() if self._idle else None
        if conn is None:
            conn = self._open()
        try:
            yield conn
        except BaseException:
            conn.close()  # its state is unknown: never handed out again
            raise
        with self._lock:
            self._idle.append(conn)

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """``BEGIN IMMEDIATE`` .. ``COMMIT``, the BEGIN retried while another process holds the lock."""
        with self._connection() as conn:
            for attempt in range(LOCK_RETRIES):
                try:
                    conn.execute("BEGIN IMMEDIATE")
                    break
                except sqlite3.OperationalError as exc:
                    if attempt == LOCK_RETRIES - 1 or not is_lock_busy(exc):
                        raise
                lock_backoff(attempt)
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise


def _encode(name: str, value: Any) -> Any:
    """A column value as SQLAlchemy binds it on SQLite: JSON columns as their JSON text."""
    if name in _JSON_COLUMNS:
        return json.dumps(value)
    return value


def _decode(text: str | None) -> Any:
    """A JSON column's value as SQLAlchemy reads it on SQLite (SQL NULL stays None)."""
    return None if text is None else json.loads(text)
