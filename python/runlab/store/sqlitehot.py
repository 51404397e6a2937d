"""The statements every run makes on a SQLite store, through ``sqlite3`` directly.

A trivial in-process run writes twice (its start and its end) and a sweep reads its parent's state before each
child; a job's submit asks which live runs hold this machine's job slots, and each JupyterLab asks every few
seconds which runs ended (its notifications); a run on Dask adds its conditional end write, the look-up of the
artifacts already recorded under its artifact path, and its waiter's read of the ended run. Through SQLAlchemy
each costs ten times the database's own work (connection checkout, statement compilation and caching, result
set-up); here each is one prepared statement on a pooled ``sqlite3`` connection, in the same transaction
discipline as ``RunStore._write`` (``BEGIN IMMEDIATE``, retried while another process holds the write lock)
and with the same column encoding (JSON columns as ``json.dumps`` of the value, as SQLAlchemy's ``JSON`` type
writes and reads them), so readers cannot tell which path wrote a row.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from json import encoder as json_encoder
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import JSON

from . import endedruns, schema

T = TypeVar("T")
LOCK_RETRIES = 20  # tries of a write transaction while another process holds SQLite's write lock
CHECKPOINT_EVERY = 200  # writes between two checkpoints of the WAL (about SQLite's own 1,000 pages)


def is_lock_busy(exc: BaseException) -> bool:
    """True for SQLite's "database is locked" / "busy": another process holds the write lock (retry)."""
    return "locked" in str(exc) or "busy" in str(exc)


def lock_backoff(attempt: int) -> None:
    """Wait before try ``attempt + 2`` of a write transaction (a little longer each time)."""
    time.sleep(0.05 * (attempt + 1))


def log_row(uid: str, iteration: int, log: Sequence[Any]) -> tuple[str, int, int, str, str | None]:
    """A log chunk ``(offset, text[, stamps])`` as the values of a ``logs`` row (stamps: ``runlog.LogChunk``)."""
    return uid, iteration, log[0], log[1], log[2] if len(log) > 2 else None


def _quoted(name: str) -> str:
    """A column name as an SQL identifier (``key`` and ``offset`` are SQL words)."""
    return f'"{name}"'


_RUN_COLUMNS = tuple(column.name for column in schema.runs.columns)
_JSON_COLUMNS = frozenset(column.name for column in schema.runs.columns if isinstance(column.type, JSON))
_RUN_JSON_INDEXES = tuple(i for i, name in enumerate(_RUN_COLUMNS) if name in _JSON_COLUMNS)
_RUN_COLUMN_SET = frozenset(_RUN_COLUMNS)
_INSERT_RUN = (f"INSERT INTO runs ({', '.join(_RUN_COLUMNS)}) "
               f"VALUES ({', '.join('?' for _ in _RUN_COLUMNS)})")
_INSERT_LOG = 'INSERT INTO logs (uid, iteration, "offset", data, stamps) VALUES (?, ?, ?, ?, ?)'
_RUN_STATE = "SELECT state FROM runs WHERE uid = ? AND iteration = ?"
_SELECT_RUN = f"SELECT {', '.join(map(_quoted, _RUN_COLUMNS))} FROM runs WHERE uid = ? AND iteration = ?"
_ARTIFACT_COLUMNS = tuple(column.name for column in schema.artifacts.columns)
_ARTIFACT_JSON = tuple(column.name for column in schema.artifacts.columns if isinstance(column.type, JSON))
_LIVE_OWNERS = (f"SELECT uid, iteration, state, pid, owner FROM runs WHERE {schema.LIVE_STATE_SQL} AND host = ? "
                "ORDER BY start_time, iteration")  # three ranges of the state index
# the end-of-run notifications' question (``endedruns``, which says why it reads so), project by project
_ENDED_COLUMNS = ("uid", "project", "name", "kind", "state", "error", "start_time", "end_time", "owner", "results",
                  "last_update")
_PROJECTS_WITH_RUNS = "SELECT DISTINCT project FROM job_summary"
_ENDED = (f"SELECT {', '.join(_ENDED_COLUMNS)} FROM runs WHERE state = ? AND project = ? AND last_update > ? "
          "AND iteration = 0 AND end_time > ? ORDER BY last_update LIMIT ?")
_SELECT_ARTIFACTS = (f"SELECT {', '.join(map(_quoted, _ARTIFACT_COLUMNS))} FROM artifacts "
                     "WHERE run_uid = ? ORDER BY id")
# what SQLAlchemy's ``target.startswith(prefix)`` says on SQLite (LIKE: ASCII case folded, ``_`` and ``%`` wild)
_TARGETS_UNDER = "SELECT target FROM artifacts WHERE target LIKE (? || '%')"
# the run cache (``runcache``): the newest completed run of a key, through the partial cache-key index
_CACHED_RUN = (f"SELECT {', '.join(map(_quoted, _RUN_COLUMNS))} FROM runs WHERE cache_key = ? AND state = 'completed' "
               "ORDER BY end_time DESC LIMIT 1")
_NEXT_VERSION = "SELECT COALESCE(MAX(version), 0) + 1 FROM artifacts WHERE project = ? AND key = ?"
_INSERT_ARTIFACT_COLUMNS = tuple(name for name in _ARTIFACT_COLUMNS if name != "id")
_INSERT_ARTIFACT = (f"INSERT INTO artifacts ({', '.join(map(_quoted, _INSERT_ARTIFACT_COLUMNS))}) "
                    f"VALUES ({', '.join('?' for _ in _INSERT_ARTIFACT_COLUMNS)})")


class SqliteHotPath:
    """Pooled ``sqlite3`` connections to one database file for the per-run writes and reads.

    A connection serves one thread at a time (taken from the pool, given back); a forked child drops the
    pool it inherited, as the SQLAlchemy engine does.

    The WAL is copied into the database (checkpointed) by a background thread every ``CHECKPOINT_EVERY``
    writes, not by the write that happens to fill it: SQLite's automatic checkpoint made one run in a few
    hundred wait 15-20 ms.
    """

    def __init__(self, database: str, busy_timeout_ms: int) -> None:
        self._database = database
        self._busy_ms = int(busy_timeout_ms)
        self._idle: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._updates: dict[tuple[tuple[str, ...], int], str] = {}  # (columns, number of states) -> SQL
        self._writes = 0
        self._checkpointer: threading.Thread | None = None  # the checkpoint thread while it runs
        self._checkpoint_again = False
        os.register_at_fork(after_in_child=self._forget)

    @staticmethod
    def handles(changes: dict[str, Any]) -> bool:
        """True when every key of ``changes`` is a column of ``runs`` (else the caller's path reports it)."""
        return _RUN_COLUMN_SET.issuperset(changes)

    def insert_run(self, row: dict[str, Any]) -> None:
        """Insert the run: one statement, its own transaction (the database counts it in the jobs summary)."""
        values = _run_values(row)
        conn = self._take()
        self._execute_retrying(conn, _INSERT_RUN, values)
        self._give_back(conn)
        self._wrote()

    def update_run(self, uid: str, iteration: int, changes: dict[str, Any], log: Sequence[Any] | None) -> None:
        """Set ``changes`` (already plain column values) and append a log chunk, in one transaction."""
        sql, values = self._update(changes, uid, iteration, ())
        if changes and (log is None or not log[1]):  # one statement: its own transaction, no BEGIN .. COMMIT
            conn = self._take()
            self._execute_retrying(conn, sql, values)
            self._give_back(conn)
            self._wrote()
            return

        def update(conn: sqlite3.Connection) -> None:
            if changes:
                conn.execute(sql, values)
            if log is not None and log[1]:
                conn.execute(_INSERT_LOG, log_row(uid, iteration, log))

        self._in_transaction(update)

    def update_run_if(self, uid: str, iteration: int, changes: dict[str, Any], states: tuple[str, ...],
                      logs: Sequence[Sequence[Any]] = ()) -> bool:
        """Set ``changes`` (plain column values, at least one) while the run's state is one of ``states``
        (at least one), and append the log chunks ``logs`` either way, in one transaction; True if the run
        was updated."""
        sql, values = self._update(changes, uid, iteration, states)

        def update(conn: sqlite3.Connection) -> bool:
            for log in logs:
                if log[1]:
                    conn.execute(_INSERT_LOG, log_row(uid, iteration, log))
            return conn.execute(sql, values).rowcount > 0

        return self._in_transaction(update)

    def _update(self, changes: dict[str, Any], uid: str, iteration: int,
                states: tuple[str, ...]) -> tuple[str, list[Any]]:
        """The UPDATE of ``changes`` (kept per shape) and its values; with ``states``, only while the run's
        state is one of them."""
        names = tuple(changes)
        sql = self._updates.get((names, len(states)))
        if sql is None:
            sets = ", ".join(f'"{name}" = ?' for name in names)
            only = f" AND state IN ({', '.join('?' for _ in states)})" if states else ""
            sql = self._updates[(names, len(states))] = (
                f"UPDATE runs SET {sets} WHERE uid = ? AND iteration = ?{only}")
        values = [dumps_json(value) if name in _JSON_COLUMNS else value for name, value in changes.items()]
        values += (uid, iteration, *states)
        return sql, values

    def _in_transaction(self, statements: Callable[[sqlite3.Connection], T]) -> T:
        """``statements`` in one ``BEGIN IMMEDIATE`` .. ``COMMIT`` on a pooled connection (given back after,
        or closed if anything failed); what it returns."""
        conn = self._begin()
        try:
            result = statements(conn)
            conn.execute("COMMIT")
        except BaseException:
            self._discard(conn)
            raise
        self._give_back(conn)
        self._wrote()
        return result

    def run_row(self, uid: str, iteration: int) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
        """The run's ``runs`` row (JSON columns as their text, which ``RunRecord.from_row`` decodes) and the
        ``artifacts`` rows of its uid in logging order (JSON columns decoded); ``(None, [])`` if there is none."""
        return self._row_and_artifacts(_SELECT_RUN, (uid, iteration))

    def cached_run_row(self, cache_key: str) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
        """The newest completed run with ``cache_key`` and its uid's artifact rows, as ``run_row`` gives them."""
        return self._row_and_artifacts(_CACHED_RUN, (cache_key,))

    def _row_and_artifacts(self, select_run: str, values: tuple[Any, ...]
                           ) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
        """The ``runs`` row ``select_run`` finds and the artifact rows of its uid, on one connection."""
        with self._connection() as conn:
            row = conn.execute(select_run, values).fetchone()
            if row is None:
                return None, []
            run = dict(zip(_RUN_COLUMNS, row, strict=True))
            artifacts = conn.execute(_SELECT_ARTIFACTS, (run["uid"],)).fetchall()
        records = []
        for found in artifacts:
            record = dict(zip(_ARTIFACT_COLUMNS, found, strict=True))
            for name in _ARTIFACT_JSON:
                record[name] = _decode(record[name])
            records.append(record)
        return run, records

    def insert_cached_run(self, row: dict[str, Any], artifacts: Sequence[dict[str, Any]],
                          log: Sequence[Any] | None) -> None:
        """Insert a run the cache answered with its artifact rows (``version`` left out: each the next of its
        key) and its log chunk, in one transaction (as ``RunStore.create_cached_run``)."""
        values = _run_values(row)

        def insert(conn: sqlite3.Connection) -> None:
            conn.execute(_INSERT_RUN, values)
            for artifact in artifacts:
                version = conn.execute(_NEXT_VERSION, (artifact["project"], artifact["key"])).fetchone()[0]
                record = {**artifact, "version": version}
                conn.execute(_INSERT_ARTIFACT, [dumps_json(record[name]) if name in _ARTIFACT_JSON else record[name]
                                                for name in _INSERT_ARTIFACT_COLUMNS])
            if log is not None:
                conn.execute(_INSERT_LOG, log_row(row["uid"], row["iteration"], log))

        self._in_transaction(insert)

    def artifact_targets_under(self, prefix: str) -> list[str]:
        """Targets of recorded artifacts that start with ``prefix``."""
        with self._connection() as conn:
            return [row[0] for row in conn.execute(_TARGETS_UNDER, (prefix,))]

    def live_run_owners(self, host: str) -> list[tuple[str, int, str, int | None, Any]]:
        """``(uid, iteration, state, pid, owner)`` of ``host``'s live runs, oldest first (owner decoded)."""
        with self._connection() as conn:
            rows = conn.execute(_LIVE_OWNERS, (host,)).fetchall()
        return [(uid, iteration, state, pid, _decode(owner)) for uid, iteration, state, pid, owner in rows]

    def ended_since(self, since: float, scan: int) -> list[dict[str, Any]]:
        """``endedruns.ended_since``: top-level runs that ended after ``since``, at most ``scan`` per project
        (JSON columns as their text)."""
        found = []
        with self._connection() as conn:
            for (project,) in conn.execute(_PROJECTS_WITH_RUNS).fetchall():
                per_state = ([dict(zip(_ENDED_COLUMNS, row, strict=True))
                              for row in conn.execute(_ENDED, (state, project, since, since, scan))]
                             for state in endedruns.TERMINAL)
                found.extend(endedruns.oldest_updates(per_state, scan))
        return found

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
        self._writes, self._checkpointer = 0, None  # the parent's thread does not exist here
        self._checkpoint_again = False

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self._database, isolation_level=None, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout={self._busy_ms}")
        conn.execute("PRAGMA synchronous=NORMAL")  # as RunStore's engine: WAL + NORMAL
        conn.execute("PRAGMA wal_autocheckpoint=0")  # the checkpoint thread does it (see the class)
        return conn

    # -- checkpoints -------------------------------------------------------------------------------

    def _wrote(self) -> None:
        self._writes += 1
        if self._writes >= CHECKPOINT_EVERY:
            self._writes = 0
            with self._lock:
                if self._checkpointer is not None:  # still copying: it goes on once more when it ends, so
                    self._checkpoint_again = True   # a slow checkpoint (a loaded machine) lets no WAL pile up
                    return
                thread = self._checkpointer = threading.Thread(target=self._checkpoints, daemon=True,
                                                               name="runlab-wal-checkpoint")
            try:
                thread.start()
            except RuntimeError:  # no thread to be had now (an interpreter shutting down): a later write asks again
                with self._lock:
                    self._checkpointer = None

    def _checkpoints(self) -> None:
        """Checkpoint until no more were asked for meanwhile; then the thread ends."""
        try:
            while True:
                self._checkpoint()
                with self._lock:  # decided and said under the lock that ``_wrote`` asks under
                    if not self._checkpoint_again:
                        self._checkpointer = None
                        return
                    self._checkpoint_again = False
        except BaseException:
            with self._lock:
                self._checkpointer = None
            raise

    def _checkpoint(self) -> None:
        """Copy the WAL into the database: most of it while runs go on writing (PASSIVE), then what they
        added meanwhile with writers held off for that short while (RESTART), so the WAL starts over
        instead of growing (a PASSIVE checkpoint alone never catches up with a busy writer)."""
        try:
            uri = f"{Path(self._database).absolute().as_uri()}?mode=rw"  # percent-encoded: '#', '?', spaces
            conn = sqlite3.connect(uri, uri=True, isolation_level=None)
        except sqlite3.Error:
            return  # the store is gone
        try:
            conn.execute(f"PRAGMA busy_timeout={self._busy_ms}")
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
            conn.execute("PRAGMA wal_checkpoint(RESTART)")
        except sqlite3.Error:
            pass  # a later checkpoint does it (and SQLite's own, when the last connection closes)
        finally:
            conn.close()

    # A run's two writes are the hot path: plain calls here, not context managers (they cost as much as a
    # statement). A connection is taken from the pool, used, and given back, or closed on any failure.

    def _take(self) -> sqlite3.Connection:
        with self._lock:
            conn = self._idle.pop() if self._idle else None
        return conn if conn is not None else self._open()

    def _give_back(self, conn: sqlite3.Connection) -> None:
        with self._lock:
            self._idle.append(conn)

    @staticmethod
    def _discard(conn: sqlite3.Connection) -> None:
        """Roll back and close a connection whose work failed: its state is unknown, never handed out again."""
        try:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
        finally:
            conn.close()

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        conn = self._take()
        try:
            yield conn
        except BaseException:
            conn.close()
            raise
        self._give_back(conn)

    def _begin(self) -> sqlite3.Connection:
        """A pooled connection in a ``BEGIN IMMEDIATE`` transaction; the caller commits and gives it back
        (or discards it)."""
        conn = self._take()
        self._execute_retrying(conn, "BEGIN IMMEDIATE")
        return conn

    def _execute_retrying(self, conn: sqlite3.Connection, sql: str, values: Any = ()) -> None:
        """Run one statement that takes the write lock (``BEGIN IMMEDIATE``, or a write outside a transaction),
        retried while another process holds the lock; on failure the connection is closed."""
        attempt = 0
        while True:
            try:
                conn.execute(sql, values)
                return
            except sqlite3.OperationalError as exc:
                if attempt == LOCK_RETRIES - 1 or not is_lock_busy(exc):
                    self._discard(conn)
                    raise
            except BaseException:
                self._discard(conn)
                raise
            lock_backoff(attempt)
            attempt += 1


def _json_dumper() -> Callable[[Any], str]:
    """``json.dumps`` with its default options (the text SQLAlchemy's ``JSON`` type writes), through a C
    encoder made once per thread: ``json.dumps`` builds a new encoder on each call, which costs more than
    encoding a run's small values. A failed call (a value JSON cannot hold) leaves the encoder's record of
    the containers it was in, so a fresh one is made after it."""
    make = json_encoder.c_make_encoder
    if make is None:  # an interpreter without the C accelerator
        return json.dumps
    default, per_thread = json.JSONEncoder().default, threading.local()

    def new() -> Callable[[Any, int], Any]:
        per_thread.encode = make({}, default, json_encoder.encode_basestring_ascii, None, ": ", ", ", False,
                                 False, True)
        return per_thread.encode

    def dumps(value: Any) -> str:
        if isinstance(value, str):
            return json_encoder.encode_basestring_ascii(value)
        if type(value) is dict and not value:  # a new run's results and status
            return "{}"
        encode = getattr(per_thread, "encode", None) or new()
        try:
            return "".join(encode(value, 0))
        except BaseException:
            new()
            raise

    return dumps


dumps_json = _json_dumper()
"""``json.dumps(value)``, faster: the JSON text of a run's column."""


def _run_values(row: dict[str, Any]) -> list[Any]:
    """The values of ``_INSERT_RUN`` for a ``runs`` row (a missing column is NULL)."""
    values = list(map(row.get, _RUN_COLUMNS))
    for index in _RUN_JSON_INDEXES:
        values[index] = dumps_json(values[index])
    return values


def _decode(text: str | None) -> Any:
    """A JSON column's value as SQLAlchemy reads it on SQLite (SQL NULL stays None)."""
    return None if text is None else json.loads(text)
