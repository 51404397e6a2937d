"""``RunStore``: every query runlab makes, over SQLAlchemy Core, for SQLite and PostgreSQL alike.

Runs cross this boundary as :class:`~runlab.record.RunRecord`; projects, functions, artifacts and
schedules as plain dicts of column values. Writes on SQLite take the write lock up front
(``BEGIN IMMEDIATE``) so that concurrent writers queue on the busy timeout instead of failing with
``database is locked`` mid-transaction.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Connection,
    Integer,
    Row,
    Select,
    Text,
    bindparam,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    text,
    type_coerce,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from ..errors import ArtifactNotFoundError, RunStateError, StoreError
from ..record import LIVE_STATES, Owner, RunRecord, RunState, is_terminal
from . import endedruns, filtersql, jobsummary, runfilter, runvalues, schema, updates
from .failures import store_error
from .logstamps import encode_stamps, line_starts
from .migrate import ensure_schema
from .sqlitehot import LOCK_RETRIES, SqliteHotPath, is_lock_busy, lock_backoff
from .url import read_only_url


@dataclass(frozen=True)
class LiveRunOwner:
    """A live run, as far as the job queue needs it: its key, state, process and owner."""

    uid: str
    iteration: int
    state: str
    pid: int | None
    owner: Owner


class RunStore:
    """A connection to one run store (a database URL)."""

    def __init__(self, url: str, busy_timeout_ms: int = 60_000) -> None:
        self.url = url
        try:
            self.engine = self._create_engine(url, busy_timeout_ms)
            ensure_schema(self.engine, writable=self.engine.url.query.get("mode") != "ro")
        except StoreError:
            raise
        except Exception as exc:
            raise store_error(url, exc, "open") from exc
        self._hot = self._hot_path(self.engine, busy_timeout_ms)
        # A filter on params/results/labels reads ``run_values``, brought up to date first (a write): a store
        # opened read-only cannot, so it reads the runs' JSON instead (the same answers, slower).
        self.use_values_index = self.engine.url.query.get("mode") != "ro"

    # -- connections -------------------------------------------------------------------------------

    @staticmethod
    def _create_engine(url: str, busy_ms: int):
        if url.startswith("sqlite"):
            database = make_url(url).database  # decoded: %3F is a "?" of the file's path
            if database and database != ":memory:" and not database.startswith("file:"):
                Path(database).parent.mkdir(parents=True, exist_ok=True)
                url = read_only_url(database) or url
            # AUTOCOMMIT hands transaction control to us: reads need none in WAL mode, writes use
            # BEGIN IMMEDIATE (see _write).
            engine = create_engine(url, isolation_level="AUTOCOMMIT")

            @event.listens_for(engine, "connect")
            def _on_connect(dbapi_conn, _record):
                cursor = dbapi_conn.cursor()
                cursor.execute(f"PRAGMA busy_timeout={int(busy_ms)}")
                cursor.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable across process crashes
                cursor.close()

        else:
            engine = create_engine(url, pool_pre_ping=True)
        # A forked child must not reuse the parent's connections.
        os.register_at_fork(after_in_child=lambda: engine.dispose(close=False))
        return engine

    @staticmethod
    def _hot_path(engine, busy_ms: int) -> SqliteHotPath | None:
        """Direct ``sqlite3`` access for the per-run statements, on a writable SQLite file (not in memory,
        where each connection would see a database of its own, nor opened read-only)."""
        database = engine.url.database
        if engine.dialect.name != "sqlite" or engine.url.query or not database or database == ":memory:":
            return None
        return SqliteHotPath(database, busy_ms)

    @contextlib.contextmanager
    def _guarded(self) -> Iterator[None]:
        """Every database failure in the block as a StoreError that names the store and the fix (the one
        place they are mapped: every read and write goes through ``_read`` or ``_write``)."""
        try:
            yield
        except (SQLAlchemyError, sqlite3.Error) as exc:
            raise store_error(self.url, exc) from exc

    @contextlib.contextmanager
    def _write(self) -> Iterator[Connection]:
        """A write transaction, retried while another process holds the SQLite write lock."""
        with self._guarded():
            yield from self._write_retrying()

    def _write_retrying(self) -> Iterator[Connection]:
        sqlite = self.engine.dialect.name == "sqlite"
        for attempt in range(LOCK_RETRIES):
            with self.engine.connect() as conn:
                entered = False  # once the caller's block ran, a failure cannot be retried here
                try:
                    if sqlite:
                        conn.exec_driver_sql("BEGIN IMMEDIATE")
                        entered = True
                        yield conn
                        conn.exec_driver_sql("COMMIT")
                    else:
                        with conn.begin():
                            entered = True
                            yield conn
                    return
                except OperationalError as exc:
                    if sqlite:
                        with contextlib.suppress(Exception):
                            conn.exec_driver_sql("ROLLBACK")
                    if entered or not is_lock_busy(exc):
                        raise
                    if attempt == LOCK_RETRIES - 1:
                        raise store_error(self.url, exc, f"write (after {LOCK_RETRIES} tries)") from exc
                except BaseException:
                    if sqlite:
                        with contextlib.suppress(Exception):
                            conn.exec_driver_sql("ROLLBACK")
                    raise
            lock_backoff(attempt)

    @contextlib.contextmanager
    def _read(self) -> Iterator[Connection]:
        """A connection for reading (no transaction: SQLite's WAL gives each statement a consistent view)."""
        with self._guarded(), self.engine.connect() as conn:
            yield conn

    def close(self) -> None:
        """Release every pooled connection."""
        if self._hot is not None:
            self._hot.close()
        self.engine.dispose()

    # -- projects ----------------------------------------------------------------------------------

    def save_project(self, name: str, context: str, artifact_path: str, description: str) -> dict[str, Any]:
        """Create the project, or update its context, artifact path and description."""
        now = time.time()
        with self._write() as conn:
            exists = conn.execute(
                select(schema.projects.c.name).where(schema.projects.c.name == name)
            ).first()
            values = {"context": context, "artifact_path": artifact_path, "description": description}
            if exists:
                conn.execute(
                    update(schema.projects)
                    .where(schema.projects.c.name == name)
                    .values(**values, updated=now)
                )
            else:
                conn.execute(insert(schema.projects).values(name=name, **values, created=now, updated=now))
        return self.get_project(name)  # type: ignore[return-value]

    def get_project(self, name: str) -> dict[str, Any] | None:
        with self._read() as conn:
            row = conn.execute(select(*_PROJECT).where(schema.projects.c.name == name)).first()
        return dict(row._mapping) if row else None

    def list_projects(self) -> list[dict[str, Any]]:
        with self._read() as conn:
            rows = conn.execute(select(*_PROJECT).order_by(schema.projects.c.name)).all()
        return [dict(r._mapping) for r in rows]

    def get_project_settings(self, name: str) -> dict[str, Any] | None:
        """A project's settings (an empty dict when it has none), or None if there is no such project."""
        table = schema.projects
        with self._read() as conn:
            row = conn.execute(select(table.c.settings).where(table.c.name == name)).first()
        return None if row is None else dict(row[0] or {})

    def update_project_settings(self, name: str, changes: dict[str, Any]) -> dict[str, Any] | None:
        """Set (a value of None: remove) some of a project's settings in one transaction; returns them all,
        or None if there is no such project."""
        table = schema.projects
        with self._write() as conn:
            row = conn.execute(select(table.c.settings).where(table.c.name == name)).first()
            if row is None:
                return None
            settings = {**(row[0] or {}), **changes}
            settings = {key: value for key, value in settings.items() if value is not None}
            conn.execute(update(table).where(table.c.name == name).values(settings=settings, updated=time.time()))
        return settings

    # -- functions ---------------------------------------------------------------------------------

    def save_function(self, project: str, name: str, kind: str, spec: dict[str, Any]) -> None:
        """Store (or replace) a project's function definition; one stored as it is already is not written again
        (each "Run as job" of a file sets its function: ``updated`` says when it last changed)."""
        table = schema.functions
        where = (table.c.project == project) & (table.c.name == name)
        with self._read() as conn:
            stored = conn.execute(select(table.c.kind, table.c.spec).where(where)).first()
        if stored is not None and stored.kind == kind and stored.spec == spec:
            return
        with self._write() as conn:
            conn.execute(delete(table).where(where))
            conn.execute(
                insert(table).values(project=project, name=name, kind=kind, spec=spec, updated=time.time())
            )

    def get_function(self, project: str, name: str) -> dict[str, Any] | None:
        table = schema.functions
        with self._read() as conn:
            row = conn.execute(
                select(table).where((table.c.project == project) & (table.c.name == name))
            ).first()
        return dict(row._mapping) if row else None

    def list_functions(self, project: str) -> list[dict[str, Any]]:
        table = schema.functions
        with self._read() as conn:
            rows = conn.execute(select(table).where(table.c.project == project).order_by(table.c.name))
            return [dict(r._mapping) for r in rows]

    # -- runs --------------------------------------------------------------------------------------

    def create_run(self, record: RunRecord) -> None:
        """Insert a run."""
        if self._hot is not None:
            try:
                self._hot.insert_run(record.to_row())
            except sqlite3.Error as exc:  # as ``_guarded`` maps it (inline: every run makes this call)
                raise store_error(self.url, exc) from exc
            return
        with self._write() as conn:
            conn.execute(insert(schema.runs), record.to_row())  # the database counts it in the jobs summary

    def update_run(
        self, uid: str, iteration: int, changes: dict[str, Any], log: Sequence[Any] | None = None
    ) -> None:
        """Update a run's columns and, in the same transaction, append a log chunk ``(offset, text[, stamps])``
        (``runlog.LogChunk``)."""
        changes = _stamped(changes)
        if self._hot is not None and self._hot.handles(changes):
            try:
                self._hot.update_run(uid, iteration, _columns(changes), log)
            except sqlite3.Error as exc:  # as ``_guarded`` maps it (inline: every run makes this call)
                raise store_error(self.url, exc) from exc
            return
        table = schema.runs
        with self._write() as conn:
            if changes:
                conn.execute(
                    update(table).where((table.c.uid == uid) & (table.c.iteration == iteration)),
                    _columns(changes),
                )
            if log is not None and log[1]:
                conn.execute(insert(schema.logs), _log_values(uid, iteration, log))

    def update_run_if(self, uid: str, iteration: int, changes: dict[str, Any], states: Iterable[str],
                      logs: Sequence[Sequence[Any]] = ()) -> bool:
        """Update the run only while its state is one of ``states``; True if it was updated. ``logs``: log
        chunks ``(offset, text[, stamps])`` appended in the same transaction, whether or not the run was updated.

        This is how two processes racing (an abort and the run ending, two reapers) stay consistent.
        """
        states = tuple(str(state) for state in states)
        changes = _stamped(changes)
        if self._hot is not None and changes and states and self._hot.handles(changes):
            with self._guarded():
                return self._hot.update_run_if(uid, iteration, _columns(changes), states, logs)
        table = schema.runs
        with self._write() as conn:
            for log in logs:
                if log[1]:
                    conn.execute(insert(schema.logs), _log_values(uid, iteration, log))
            result = conn.execute(
                update(table).where(
                    (table.c.uid == uid) & (table.c.iteration == iteration)
                    & table.c.state.in_(states)
                ),
                _columns(changes),
            )
            return result.rowcount > 0

    def live_runs(self) -> list[RunRecord]:
        """Runs not yet finished (pending, running, aborting), oldest first: who owns them and when they
        last spoke (without their artifacts)."""
        table = schema.runs
        with self._read() as conn:
            rows = conn.execute(
                select(table)
                .where(text(schema.LIVE_STATE_SQL))  # three ranges of the state index
                .order_by(table.c.start_time, table.c.iteration)
            )
            return [RunRecord.from_row(r._mapping) for r in rows]

    def live_run_owners(self, host: str) -> list[LiveRunOwner]:
        """The live runs of ``host``, oldest first, as who owns them (no spec, results or status read: the job
        queue asks on every submit, and a long queue made each submit decode every queued run's spec)."""
        if self._hot is not None:
            with self._guarded():
                rows = self._hot.live_run_owners(host)
        else:
            table = schema.runs
            with self._read() as conn:
                rows = conn.execute(
                    select(table.c.uid, table.c.iteration, table.c.state, table.c.pid, table.c.owner)
                    .where(text(schema.LIVE_STATE_SQL) & (table.c.host == host))
                    .order_by(table.c.start_time, table.c.iteration)
                ).all()
        return [LiveRunOwner(uid, iteration, state, pid, Owner.from_dict(owner))
                for uid, iteration, state, pid, owner in rows]

    def get_run(self, uid: str, iteration: int = 0) -> RunRecord | None:
        """A run with its artifact rows, or None."""
        if self._hot is not None:
            with self._guarded():
                row, artifacts = self._hot.run_row(uid, iteration)
            if row is None:
                return None
            run = RunRecord.from_row(row)
            run.artifacts = _newest_per_key(artifacts, {(uid, iteration)}).get((uid, iteration), [])
            return run
        table = schema.runs
        with self._read() as conn:
            row = conn.execute(
                select(table).where((table.c.uid == uid) & (table.c.iteration == iteration))
            ).first()
            if row is None:
                return None
            run = RunRecord.from_row(row._mapping)
            run.artifacts = self._artifacts_of(conn, [(uid, iteration)]).get((uid, iteration), [])
        return run

    def find_runs_by_uid_prefix(self, prefix: str, limit: int = 2) -> list[str]:
        """Distinct uids starting with ``prefix`` (for short uids typed at the CLI)."""
        table = schema.runs
        with self._read() as conn:
            rows = conn.execute(
                select(table.c.uid).where(table.c.uid.startswith(prefix)).distinct().limit(limit)
            )
            return [r[0] for r in rows]

    def get_run_state(self, uid: str, iteration: int = 0) -> RunState | None:
        """The run's state, or None if there is no such run."""
        if self._hot is not None:
            with self._guarded():
                state = self._hot.run_state(uid, iteration)
            return None if state is None else RunState(state)
        table = schema.runs
        with self._read() as conn:
            state = conn.execute(
                select(table.c.state).where((table.c.uid == uid) & (table.c.iteration == iteration))
            ).scalar()
        return None if state is None else RunState(state)

    def get_run_fields(self, uid: str, iteration: int, *columns: str) -> dict[str, Any] | None:
        """Some columns of one run (a cheap poll for followers), or None if there is no such run."""
        table = schema.runs
        with self._read() as conn:
            row = conn.execute(
                select(*(table.c[name] for name in columns))
                .where((table.c.uid == uid) & (table.c.iteration == iteration))
            ).first()
        return None if row is None else dict(row._mapping)

    def cached_run(self, cache_key: str) -> RunRecord | None:
        """The newest completed run (any iteration) with ``cache_key``, with its artifact rows, or None: one
        lookup in the partial cache-key index."""
        if self._hot is not None:
            with self._guarded():
                row, artifacts = self._hot.cached_run_row(cache_key)
            if row is None:
                return None
            run = RunRecord.from_row(row)
            key = (run.uid, run.iteration)
            run.artifacts = _newest_per_key(artifacts, {key}).get(key, [])
            return run
        table = schema.runs
        with self._read() as conn:
            row = conn.execute(
                select(table).where((table.c.cache_key == cache_key) & (table.c.state == RunState.COMPLETED.value))
                .order_by(table.c.end_time.desc()).limit(1)
            ).first()
            if row is None:
                return None
            run = RunRecord.from_row(row._mapping)
            key = (run.uid, run.iteration)
            run.artifacts = self._artifacts_of(conn, [key]).get(key, [])
        return run

    def create_cached_run(self, record: RunRecord, artifacts: Sequence[dict[str, Any]], log: str) -> None:
        """Insert a run that ran nothing (a cache hit) with its artifact rows (each the next version of its key,
        the producer ``record``) and its log, in one transaction: it exists whole or not at all."""
        rows = [{**{name: artifact[name] for name in ("key", "tag", "kind", "target", "size", "hash", "meta",
                                                     "labels")},
                 "project": record.project, "run_uid": record.uid, "iteration": record.iteration,
                 "producer": record.name, "created": record.start_time} for artifact in artifacts]
        chunk = (0, log, encode_stamps([record.start_time])) if log else None
        if self._hot is not None:
            with self._guarded():
                self._hot.insert_cached_run(record.to_row(), rows, chunk)
            return
        with self._write() as conn:
            conn.execute(insert(schema.runs), record.to_row())  # the database counts it in the jobs summary
            for row in rows:
                _insert_artifact(conn, row)
            if chunk is not None:
                conn.execute(insert(schema.logs), _log_values(record.uid, record.iteration, chunk))

    def list_runs(
        self,
        project: str | None = None,
        name: str | None = None,
        state: str | Iterable[str] | None = None,
        labels: dict[str, str | None] | None = None,
        uid: str | None = None,
        since: float | None = None,
        until: float | None = None,
        iterations: bool = False,
        last: int | None = None,
        offset: int = 0,
        newest_first: bool = True,
        filter: str | None = None,
        order_by: str | Sequence[str] | None = None,
    ) -> list[RunRecord]:
        """Runs (with their artifacts) matching every given filter, newest first by default.

        ``name`` matches exactly; ``"~part"`` matches names containing ``part`` in any case (MLRun's form).
        ``labels`` values of ``None`` match runs that carry the label with any value. ``filter`` is an
        expression over the runs' fields (``runfilter``; what it means: ``filtersql``) and ``order_by`` a
        list of ``"<name> [asc|desc]"``, which replaces the order by start time.
        """
        query, values = self._refined(
            lambda drive: _runs_query(False, project, name, state, labels, uid, since, until, iterations, last,
                                      offset, newest_first, drive), filter, order_by, project)
        with self._read() as conn:
            runs = [RunRecord.from_row(r._mapping) for r in _execute(conn, query, values)]
            found = self._artifacts_of(conn, [(r.uid, r.iteration) for r in runs])
        for run in runs:
            run.artifacts = found.get((run.uid, run.iteration), [])
        return runs

    def list_run_rows(
        self,
        project: str | None = None,
        name: str | None = None,
        state: str | Iterable[str] | None = None,
        labels: dict[str, str | None] | None = None,
        uid: str | None = None,
        since: float | None = None,
        until: float | None = None,
        iterations: bool = False,
        last: int | None = None,
        offset: int = 0,
        newest_first: bool = True,
        filter: str | None = None,
        order_by: str | Sequence[str] | None = None,
    ) -> tuple[tuple[str, ...], list[Sequence[Any]]]:
        """What :meth:`list_runs` finds, as the column names and the bare ``runs`` rows (tuples in that order):
        JSON columns as the database gave them (SQLite: their text, decoded by ``RunRecord.from_row`` when a
        run is read), no artifacts (see :meth:`artifacts_of`). Listing many runs pays only for the rows."""
        query, values = self._refined(
            lambda drive: _runs_query(True, project, name, state, labels, uid, since, until, iterations, last,
                                      offset, newest_first, drive), filter, order_by, project)
        with self._read() as conn:
            result = _execute(conn, query, values)
            return tuple(result.keys()), list(result.all())

    def _refined(self, build: Callable[[bool], tuple[Select, dict[str, Any]]], filter: str | None,
                 order_by: str | Sequence[str] | None, project: str | None
                 ) -> tuple[Select | _Segmented, dict[str, Any]]:
        """The listing ``build`` makes, with the condition of ``filter`` and the order of ``order_by`` (checked
        before anything is read: a bad one is a ``ValidationError`` naming its token). Params, results and
        labels are read from ``run_values``, brought up to date for the projects the query covers."""
        if filter is None and not order_by:
            return build(False)
        dialect = self.engine.dialect.name
        node = runfilter.parse_filter(filter) if filter is not None else None
        orders = runfilter.parse_order(order_by) if order_by else ()
        indexed = self.use_values_index and filtersql.uses_values(node, orders)
        condition = None if node is None else filtersql.filter_condition(node, dialect)  # (checks it)
        scope: filtersql.Scope = True
        if indexed:
            projects, _, indexed = self._catch_up(project, runvalues.CHUNK)
            scope = True if project is not None else tuple(projects)
        leads = indexed and bool(orders) and filtersql.numbers_only(node, orders[0].name)
        if indexed and node is not None:
            rest = filtersql.without_lead(node, orders[0].name) if leads else node
            condition = None if rest is None else filtersql.filter_condition(rest, dialect, True, scope)
        # SQLite, without statistics, would walk the project's runs probing each one: let it start from the
        # values index instead when the filter narrows the runs through it
        query, values = build(indexed and dialect == "sqlite" and (leads or filtersql.narrows_by_values(node)))
        if condition is not None:
            query = query.where(condition)
        if orders:
            if leads:  # walk the first order's values in order (the lead comparison is made there)
                query = filtersql.indexed_order(query, orders, node, scope)
            elif (indexed and "last" in values and len(orders) == 1 and orders[0].name.section
                  and not filtersql.narrows_by_values(node)):  # each kind of value in its index's order
                return _Segmented(filtersql.segmented_order(query, orders[0], scope)), values
            elif indexed and "last" in values:  # sort the keys and their values, then read only the page's runs
                runs = schema.runs.c
                page = filtersql.indexed_order(query.with_only_columns(runs.uid, runs.iteration), orders,
                                               project=scope).subquery()
                query = select(*query.selected_columns).select_from(schema.runs.join(
                    page, (runs.uid == page.c.uid) & (runs.iteration == page.c.iteration)))
                query = filtersql.indexed_order(query, orders, project=scope)
            elif indexed:
                query = filtersql.indexed_order(query, orders, project=scope)
            else:
                query = query.order_by(None).order_by(*filtersql.order_clauses(orders, dialect))
        return query, values

    def index_values(self, project: str | None = None) -> int:
        """Bring ``run_values`` up to date for ``project`` (every project with None): re-read the runs whose
        ``last_update`` moved since they were indexed. Returns how many runs were (re)indexed; a store that is
        current is only read."""
        return self._catch_up(project, None)[1]

    def _catch_up(self, project: str | None, limit: int | None) -> tuple[list[str], int, bool]:
        """``index_values`` (at most ``limit`` runs never indexed before): the projects it covered, how many
        runs it indexed, and whether the index now holds every run of them."""
        with self._read() as conn:
            projects = runvalues.projects_of(conn, project)
            stale = [p for p in projects if not runvalues.is_current(conn, p)]
        done, complete = 0, True
        if stale:
            with self._write() as conn:
                done, complete = runvalues.catch_up(conn, stale, limit)
        return projects, done, complete

    def artifacts_of(self, keys: list[tuple[str, int]]) -> dict[tuple[str, int], list[dict[str, Any]]]:
        """Artifact rows of the given ``(uid, iteration)`` runs, in one query: see ``_artifacts_of``."""
        if not keys:
            return {}
        with self._read() as conn:
            return self._artifacts_of(conn, keys)

    def list_jobs(self, project: str, name_contains: str | None = None, limit: int = 500) -> list[dict[str, Any]]:
        """Runs grouped by name (a "job"), newest first: run count, last start, and the latest run's uid,
        state, end time, error and kind (from the jobs summary: no run is counted here)."""
        with self._read() as conn:
            return jobsummary.list_jobs(conn, project, name_contains, limit)

    def changed_since(self, project: str | None = None) -> tuple[float, int]:
        """The newest ``last_update`` and the run count (of a project): a cheap "did anything change" stamp."""
        with self._read() as conn:
            if project is None:
                newest = conn.execute(updates.NEWEST).scalar()
            else:
                newest = conn.execute(updates.PROJECT_NEWEST, {"project": project}).scalar()
            count = jobsummary.run_count(conn, project)
        return float(newest or 0.0), count

    def ended_since(self, since: float, scan: int = 1000) -> list[dict[str, Any]]:
        """Top-level runs (iteration 0) that ended after ``since`` (epoch seconds): uid, project, name, kind,
        state, error, start_time, end_time, owner and results, at most ``scan`` per project (``endedruns``)."""
        if self._hot is not None:  # polled every few seconds by each JupyterLab: a query per project and end state
            with self._guarded():
                rows = self._hot.ended_since(since, scan)
        else:
            with self._read() as conn:
                rows = endedruns.ended_since(conn, since, scan)
        for row in rows:
            for column in ("owner", "results"):  # SQLite gives JSON columns as text here
                value = row[column]
                row[column] = (json.loads(value) if isinstance(value, str) else value) or {}
        return rows

    def child_states(self, uids: Sequence[str]) -> dict[str, dict[str, int]]:
        """How many children (iterations) each sweep among ``uids`` has in each state, by uid (runs without
        children are left out)."""
        found: dict[str, dict[str, int]] = {}
        with self._read() as conn:
            for part in _parts(list(uids)):
                found.update(endedruns.child_states(conn, part))
        return found

    def count_runs(self, project: str | None = None) -> int:
        """How many runs (every iteration) the store, or a project, holds."""
        with self._read() as conn:
            return jobsummary.run_count(conn, project)

    def delete_run(self, uid: str) -> list[dict[str, Any]]:
        """Delete an ended run (every iteration, its log and its artifact records) as :meth:`delete_runs` does;
        returns those records, as it does. A uid not in the store deletes nothing;
        ``RunStateError`` if the run has not ended (abort it first)."""
        _, kept, records = self.delete_runs([uid])
        if kept.get(uid) is not None:
            raise RunStateError(f"run {uid} is {kept[uid]}: abort it before deleting it")
        return records

    def delete_runs(self, uids: Sequence[str]) -> tuple[list[str], dict[str, str | None], list[dict[str, Any]]]:
        """Delete the runs among ``uids`` that ended (every iteration, log and artifact record), in one
        transaction, so a run cannot start or change state between the check and the delete. Returns the
        deleted uids (in the order given), the state of each uid kept (None: not in the store) and the deleted
        artifact records, each with its run's ``output_path`` and ``in_use``: whether an artifact record left in
        the store names the same file (a run the cache answered shares its source's files)."""
        wanted = list(dict.fromkeys(uids))
        runs, arts = schema.runs, schema.artifacts
        output_path = runs.c.spec["output_path"].as_string()
        with self._write() as conn:
            states: dict[str, str] = {}
            roots: dict[tuple[str, int], str] = {}
            for part in _parts(wanted):
                for uid, iteration, state, root in conn.execute(
                        select(runs.c.uid, runs.c.iteration, runs.c.state, output_path).where(runs.c.uid.in_(part))):
                    roots[(uid, iteration)] = root or ""
                    if iteration == 0:
                        states[uid] = state
            ended = [uid for uid in wanted if uid in states and is_terminal(states[uid])]
            kept = {uid: states.get(uid) for uid in wanted if uid not in ended}
            records: list[dict[str, Any]] = []
            for part in _parts(ended):
                for row in conn.execute(select(arts).where(arts.c.run_uid.in_(part))):
                    record = dict(row._mapping)
                    record["output_path"] = roots.get((record["run_uid"], record["iteration"]),
                                                      roots.get((record["run_uid"], 0), ""))
                    records.append(record)
                conn.execute(delete(arts).where(arts.c.run_uid.in_(part)))
                conn.execute(delete(schema.logs).where(schema.logs.c.uid.in_(part)))
            for part in _parts(ended):  # set-based: a statement costs more than its rows here
                latest = jobsummary.on_delete_many(conn, part)
                runvalues.forget_many(conn, part)
                conn.execute(delete(runs).where(runs.c.uid.in_(part)))
                jobsummary.renew_latest(conn, latest)
            in_use: set[str] = set()
            for part in _parts(sorted({record["target"] for record in records})):  # one look for every file
                in_use.update(conn.execute(select(arts.c.target).where(arts.c.target.in_(part))).scalars())
        for record in records:
            record["in_use"] = record["target"] in in_use
        return ended, kept, records

    def set_notes(self, uid: str, notes: str) -> bool:
        """Set a run's notes (on its iteration 0; empty text clears them); False if there is no such run. Moves
        the run's ``last_update``, so every view that polls the store's change stamp shows them."""
        table = schema.runs
        with self._write() as conn:
            updated = conn.execute(
                table.update().where((table.c.uid == uid) & (table.c.iteration == 0))
                .values(notes=notes or None, last_update=time.time())
            ).rowcount
        return updated > 0

    # -- environments ------------------------------------------------------------------------------

    def save_environment(self, env_hash: str, document: dict[str, Any]) -> None:
        """Keep a Python environment (``pyenv.current()``'s document) under its hash, unless it is there."""
        if self.engine.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as upsert
        else:
            from sqlalchemy.dialects.sqlite import insert as upsert
        row = {"hash": env_hash, "python": document["python"], "implementation": document["implementation"],
               "platform": document["platform"], "packages": document["packages"], "created": time.time()}
        with self._write() as conn:  # a second process saving the same one changes nothing
            conn.execute(upsert(schema.environments).values(row).on_conflict_do_nothing(index_elements=["hash"]))

    def get_environment(self, env_hash: str) -> dict[str, Any] | None:
        """A stored environment (``hash``, ``python``, ``implementation``, ``platform``, ``packages``,
        ``created``), or None."""
        table = schema.environments
        with self._read() as conn:
            row = conn.execute(select(table).where(table.c.hash == env_hash)).first()
        return dict(row._mapping) if row else None

    # -- schedules ---------------------------------------------------------------------------------

    def save_schedule(self, row: dict[str, Any], overwrite: bool = False) -> bool:
        """Insert a schedule; with ``overwrite`` replace one of the same name. False if it exists (and not
        ``overwrite``)."""
        table = schema.schedules
        key = (table.c.project == row["project"]) & (table.c.name == row["name"])
        with self._write() as conn:
            exists = conn.execute(select(table.c.name).where(key)).first() is not None
            if exists and not overwrite:
                return False
            if exists:
                conn.execute(update(table).where(key), {k: v for k, v in row.items() if k != "created"})
            else:
                conn.execute(insert(table), row)
        return True

    def get_schedule(self, project: str, name: str) -> dict[str, Any] | None:
        table = schema.schedules
        with self._read() as conn:
            row = conn.execute(select(table).where((table.c.project == project) & (table.c.name == name))).first()
        return dict(row._mapping) if row else None

    def list_schedules(self, project: str | None = None) -> list[dict[str, Any]]:
        table = schema.schedules
        query = select(table).order_by(table.c.project, table.c.name)
        if project is not None:
            query = query.where(table.c.project == project)
        with self._read() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def due_schedules(self, now: float) -> list[dict[str, Any]]:
        """Schedules not paused whose next run is at or before ``now``, the most overdue first."""
        table = schema.schedules
        with self._read() as conn:
            rows = conn.execute(select(table).where((table.c.paused == 0) & (table.c.next_run <= now))
                                .order_by(table.c.next_run)).all()
        return [dict(r._mapping) for r in rows]

    def next_due(self) -> float | None:
        """The earliest next run of a schedule that is not paused."""
        table = schema.schedules
        with self._read() as conn:
            return conn.execute(select(func.min(table.c.next_run)).where(table.c.paused == 0)).scalar()

    def claim_schedule(self, project: str, name: str, due: float, next_run: float, now: float) -> bool:
        """Take the firing due at ``due``: move ``next_run`` on, only if no other scheduler did. True if won."""
        table = schema.schedules
        with self._write() as conn:
            result = conn.execute(
                update(table).where((table.c.project == project) & (table.c.name == name)
                                    & (table.c.next_run == due) & (table.c.paused == 0)),
                {"next_run": next_run, "last_run": now, "updated": now},
            )
            return result.rowcount > 0

    def update_schedule(self, project: str, name: str, changes: dict[str, Any]) -> bool:
        table = schema.schedules
        with self._write() as conn:
            result = conn.execute(update(table).where((table.c.project == project) & (table.c.name == name)),
                                  changes)
            return result.rowcount > 0

    def delete_schedule(self, project: str, name: str) -> bool:
        table, events = schema.schedules, schema.schedule_events
        with self._write() as conn:
            conn.execute(delete(events).where((events.c.project == project) & (events.c.name == name)))
            result = conn.execute(delete(table).where((table.c.project == project) & (table.c.name == name)))
            return result.rowcount > 0

    def add_schedule_event(self, row: dict[str, Any], keep: int = 500) -> None:
        """Record what a scheduler did; a schedule keeps its newest ``keep`` events."""
        table = schema.schedule_events
        which = (table.c.project == row["project"]) & (table.c.name == row["name"])
        with self._write() as conn:
            conn.execute(insert(table), {"message": "", "run_uid": None, "due": None, **row})
            oldest_kept = conn.execute(select(table.c.id).where(which).order_by(table.c.id.desc())
                                       .offset(keep - 1).limit(1)).scalar()
            if oldest_kept is not None:
                conn.execute(delete(table).where(which & (table.c.id < oldest_kept)))

    def schedule_events(self, project: str, name: str, last: int = 50) -> list[dict[str, Any]]:
        """What schedulers did with a schedule, newest first."""
        table = schema.schedule_events
        with self._read() as conn:
            rows = conn.execute(select(table).where((table.c.project == project) & (table.c.name == name))
                                .order_by(table.c.time.desc(), table.c.id.desc()).limit(last)).all()
        return [dict(r._mapping) for r in rows]

    # -- artifacts ---------------------------------------------------------------------------------

    def add_artifact(self, row: dict[str, Any]) -> dict[str, Any]:
        """Record an artifact as the next version of its (project, key); returns the stored row."""
        with self._write() as conn:
            return _insert_artifact(conn, row)

    def get_artifact(
        self,
        project: str,
        key: str,
        tag: str | None = None,
        uid: str | None = None,
        iteration: int | None = None,
        version: int | None = None,
    ) -> dict[str, Any] | None:
        """The newest artifact record of ``project``/``key`` matching the tag, producer run or version."""
        table = schema.artifacts
        query = select(table).where((table.c.project == project) & (table.c.key == key))
        if tag and tag != "latest":
            query = query.where(table.c.tag == tag)
        if uid:
            query = query.where(table.c.run_uid == uid)
        if iteration is not None:
            query = query.where(table.c.iteration == iteration)
        if version is not None:
            query = query.where(table.c.version == version)
        with self._read() as conn:
            row = conn.execute(query.order_by(table.c.version.desc()).limit(1)).first()
        return dict(row._mapping) if row else None

    def update_artifact(self, artifact_id: int, meta: dict[str, Any], labels: dict[str, str]) -> dict[str, Any]:
        """Replace one artifact version's meta and labels (its file and identity stay); returns the row."""
        table = schema.artifacts
        with self._write() as conn:
            conn.execute(update(table).where(table.c.id == artifact_id).values(meta=meta, labels=labels))
            row = conn.execute(select(table).where(table.c.id == artifact_id)).first()
        if row is None:
            raise ArtifactNotFoundError(f"artifact record {artifact_id} is gone: log the artifact again")
        return dict(row._mapping)

    def artifact_target_taken(self, target: str) -> bool:
        """True when a recorded artifact already lives at ``target`` (so writing there would destroy it)."""
        table = schema.artifacts
        with self._read() as conn:
            return conn.execute(select(table.c.id).where(table.c.target == target).limit(1)).first() is not None

    def artifact_targets_under(self, prefix: str) -> list[str]:
        """Targets of recorded artifacts below ``prefix`` (a run elsewhere must not write over them)."""
        if self._hot is not None:
            with self._guarded():
                return self._hot.artifact_targets_under(prefix.rstrip("/") + "/")
        table = schema.artifacts
        with self._read() as conn:
            rows = conn.execute(select(table.c.target).where(table.c.target.startswith(prefix.rstrip("/") + "/")))
            return [r[0] for r in rows]

    def next_artifact_version(self, project: str, key: str) -> int:
        table = schema.artifacts
        with self._read() as conn:
            newest = conn.execute(
                select(func.max(table.c.version)).where((table.c.project == project) & (table.c.key == key))
            ).scalar()
        return (newest or 0) + 1

    def list_artifacts(self, project: str, key: str | None = None) -> list[dict[str, Any]]:
        table = schema.artifacts
        query = select(table).where(table.c.project == project)
        if key is not None:
            query = query.where(table.c.key == key)
        with self._read() as conn:
            rows = conn.execute(query.order_by(table.c.key, table.c.version.desc()))
            return [dict(r._mapping) for r in rows]

    @staticmethod
    def _artifacts_of(conn: Connection, keys: list[tuple[str, int]]) -> dict[tuple[str, int], list[dict]]:
        """Artifact rows of the given runs, newest version of each key per run, in logging order."""
        if not keys:
            return {}
        table = schema.artifacts
        uids = sorted({uid for uid, _ in keys})
        rows = conn.execute(select(table).where(table.c.run_uid.in_(uids)).order_by(table.c.id))
        return _newest_per_key((dict(row._mapping) for row in rows), set(keys))

    # -- logs --------------------------------------------------------------------------------------

    def append_log(self, uid: str, iteration: int, offset: int, text: str, stamps: str | None = None) -> None:
        """Store a log chunk that starts at byte ``offset`` of the run's log (``stamps``: its lines' start
        times, ``logstamps.encode_stamps``)."""
        if text:
            with self._write() as conn:
                conn.execute(insert(schema.logs), _log_values(uid, iteration, (offset, text, stamps)))

    def log_chunks(self, uid: str, iteration: int = 0) -> list[tuple[int, str, str | None]]:
        """The run's log as stored: its chunks ``(offset, text, stamps)`` in order (what ``append_log`` took)."""
        table = schema.logs
        with self._read() as conn:
            rows = conn.execute(select(table.c.offset, table.c.data, table.c.stamps)
                                .where((table.c.uid == uid) & (table.c.iteration == iteration))
                                .order_by(table.c.offset)).all()
        return [(offset, data, stamps) for offset, data, stamps in rows]

    def read_log(self, uid: str, iteration: int = 0, offset: int = 0) -> tuple[str, int]:
        """The run's log from byte ``offset`` on, and the offset to ask for next time."""
        text, end, _ = self.read_log_times(uid, iteration, offset, times=False)
        return text, end

    def read_log_times(self, uid: str, iteration: int = 0, offset: int = 0, times: bool = True
                       ) -> tuple[str, int, dict[int, float]]:
        """``read_log``, and (``times``) the start time of each line recorded with one, by the line's byte
        offset in the log."""
        table = schema.logs
        this_run = (table.c.uid == uid) & (table.c.iteration == iteration)
        # only the chunk that holds ``offset`` and those after it, so tailing a long log stays cheap
        first = select(func.coalesce(func.max(table.c.offset), 0)).where(this_run & (table.c.offset <= offset))
        columns = (table.c.offset, table.c.data, table.c.stamps) if times else (table.c.offset, table.c.data)
        with self._read() as conn:
            rows = conn.execute(
                select(*columns)
                .where(this_run & (table.c.offset >= first.scalar_subquery()))
                .order_by(table.c.offset)
            ).all()
        parts: list[bytes] = []
        end = offset
        starts: dict[int, float] = {}
        for chunk_offset, data, *stamps in rows:
            if stamps:
                starts.update((chunk_offset + at, when) for at, when in line_starts(data, stamps[0])
                              if chunk_offset + at >= offset)
            raw = data.encode("utf-8")
            chunk_end = chunk_offset + len(raw)
            if chunk_end <= offset:
                continue
            parts.append(raw[max(0, offset - chunk_offset) :])
            end = chunk_end
        return b"".join(parts).decode("utf-8", errors="replace"), end, starts


_PROJECT = tuple(schema.projects.c[name] for name in schema.PROJECT_COLUMNS)
_LIVE_VALUES = frozenset(state.value for state in LIVE_STATES)

# The runs columns with JSON ones as plain text: a listing decodes them only for the runs it reads.
_RAW_RUNS = select(*(type_coerce(c, Text) if isinstance(c.type, JSON) else c for c in schema.runs.c))


@dataclass
class _Segmented:
    """A listing read as several queries in turn (``filtersql.segmented_order``), cut to its page here."""

    queries: list[Select]


@dataclass
class _Rows:
    """The page of a segmented listing, read like a query's result (``keys()``, ``all()``, iteration)."""

    names: tuple[str, ...]
    rows: list[Row]

    def keys(self) -> tuple[str, ...]:
        return self.names

    def all(self) -> list[Row]:
        return self.rows

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows)


def _execute(conn: Connection, query: Select | _Segmented, values: dict[str, Any]) -> Any:
    """Run a listing: one query, or a segmented one's queries in turn until they gave ``last + offset`` rows."""
    if not isinstance(query, _Segmented):
        return conn.execute(query, values)
    offset = values.get("offset") or 0
    window = values["last"] + offset
    names: tuple[str, ...] = ()
    rows: list[Row] = []
    for part in query.queries:
        result = conn.execute(part, {**values, "window": window - len(rows)})
        names = tuple(result.keys())
        rows += result.all()
        if len(rows) >= window:
            break
    return _Rows(names, rows[offset:window])


def _runs_query(raw: bool, project: str | None, name: str | None, state: str | Iterable[str] | None,
                labels: dict[str, str | None] | None, uid: str | None, since: float | None, until: float | None,
                iterations: bool, last: int | None, offset: int, newest_first: bool, drive: bool = False
                ) -> tuple[Select, dict[str, Any]]:
    """The select of ``list_runs``' filters, order, limit and offset (``raw``: JSON columns as text), and
    the values of its parameters. Statements are cached per shape (which filters are given), so listing
    builds no SQL once a shape was seen."""
    like = None
    if name is not None and name.startswith("~"):  # MLRun's spelling: a case-insensitive substring
        escaped = name[1:].lower().replace("/", "//").replace("%", "/%").replace("_", "/_")
        like, name = f"%{escaped}%", None
    states = None if state is None else [str(s) for s in ([state] if isinstance(state, str) else state)]
    live = states is not None and _LIVE_VALUES.issuperset(states)  # few runs: the state index finds them
    label_items = tuple((labels or {}).items())
    values: dict[str, Any] = {"project": project, "name": name, "like": like, "uid": uid,
                              "live_states" if live else "states": states,
                              "since": since, "until": until, "last": last or None, "offset": offset or None}
    values.update((f"label_{i}", str(value)) for i, (_, value) in enumerate(label_items) if value is not None)
    shape = tuple(key for key, value in values.items() if value is not None)
    labels_shape = tuple((key, value is None) for key, value in label_items)
    query = _runs_statement(raw, shape, labels_shape, iterations, newest_first, drive)
    return query, {key: value for key, value in values.items() if value is not None}


@functools.lru_cache(maxsize=256)
def _runs_statement(raw: bool, shape: tuple[str, ...], labels: tuple[tuple[str, bool], ...], iterations: bool,
                    newest_first: bool, drive: bool = False) -> Select:
    """The statement of one shape of ``list_runs`` query: a bound parameter for each value in ``shape``.
    ``drive``: the project is compared so that no index of ``runs`` answers it (SQLite: ``project || ''``),
    and the query starts from the filter's values index."""
    table = schema.runs
    query = _RAW_RUNS if raw else select(table)
    project = table.c.project.concat("") if drive else table.c.project
    for key, column in (("project", project), ("name", table.c.name), ("uid", table.c.uid)):
        if key in shape:
            query = query.where(column == bindparam(key))
    if "like" in shape:
        query = query.where(func.lower(table.c.name).like(bindparam("like"), escape="/"))
    if "live_states" in shape:  # the state index's ranges hold only the runs not yet ended: few, then sorted
        query = query.where(table.c.state.in_(bindparam("live_states", expanding=True)))
    if "states" in shape:  # never through the state index: it would read and sort every run of a common state
        query = query.where(table.c.state.concat("").in_(bindparam("states", expanding=True)))
    for i, (key, any_value) in enumerate(labels):
        label = table.c.labels[key].as_string()
        query = query.where(label.is_not(None) if any_value else label == bindparam(f"label_{i}"))
    if "since" in shape:
        query = query.where(table.c.start_time >= bindparam("since"))
    if "until" in shape:
        query = query.where(table.c.start_time < bindparam("until"))
    if not iterations:
        query = query.where(table.c.iteration == 0)
    order = table.c.start_time.desc() if newest_first else table.c.start_time.asc()
    query = query.order_by(order, table.c.iteration)
    if "last" in shape:
        query = query.limit(bindparam("last", type_=Integer))
    if "offset" in shape:
        query = query.offset(bindparam("offset", type_=Integer))
    return query


def _newest_per_key(records: Iterable[dict[str, Any]], wanted: set[tuple[str, int]]
                    ) -> dict[tuple[str, int], list[dict[str, Any]]]:
    """Artifact rows (in logging order) of the ``wanted`` runs: the newest version of each key per run."""
    found: dict[tuple[str, int], dict[str, dict]] = {}
    for record in records:
        run_key = (record["run_uid"], record["iteration"])
        if run_key in wanted:
            per_key = found.setdefault(run_key, {})
            per_key.pop(record["key"], None)  # a re-logged key moves to where it was last logged
            per_key[record["key"]] = record
    return {run_key: list(per_key.values()) for run_key, per_key in found.items()}


_VALUE_COLUMNS = frozenset(("spec", "results", "labels"))


def _log_values(uid: str, iteration: int, log: Sequence[Any]) -> dict[str, Any]:
    """A log chunk ``(offset, text[, stamps])`` as the values of a ``logs`` row."""
    return {"uid": uid, "iteration": iteration, "offset": log[0], "data": log[1],
            "stamps": log[2] if len(log) > 2 else None}


IN_LIST = 500
"""Values per ``IN (...)`` list: within every backend's limit on bound parameters."""


def _insert_artifact(conn: Connection, row: dict[str, Any]) -> dict[str, Any]:
    """Insert an artifact record as the next version of its (project, key), in the caller's transaction; the
    stored row, with its ``version`` and ``id``."""
    table = schema.artifacts
    newest = conn.execute(select(func.max(table.c.version)).where(
        (table.c.project == row["project"]) & (table.c.key == row["key"]))).scalar()
    row = {**row, "version": (newest or 0) + 1}
    row["id"] = conn.execute(insert(table), row).inserted_primary_key[0]
    return row


def _parts(values: list[str]) -> Iterator[list[str]]:
    """``values`` in lists of at most ``IN_LIST``."""
    for start in range(0, len(values), IN_LIST):
        yield values[start:start + IN_LIST]


def _stamped(changes: dict[str, Any]) -> dict[str, Any]:
    """``changes`` with ``last_update`` set when they change params, results or labels without it: the
    values index (``runvalues``) re-reads exactly the runs whose ``last_update`` moved."""
    if "last_update" in changes or _VALUE_COLUMNS.isdisjoint(changes):
        return changes
    return {**changes, "last_update": time.time()}


def _columns(changes: dict[str, Any]) -> dict[str, Any]:
    """Column values for an update: a ``RunState`` as its string, an ``Owner`` as its dict."""
    out = dict(changes)
    if "state" in out:
        out["state"] = str(out["state"])
    if "owner" in out and hasattr(out["owner"], "to_dict"):
        out["owner"] = out["owner"].to_dict()
    return out
