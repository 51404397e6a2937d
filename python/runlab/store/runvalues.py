"""Keeping ``run_values`` (the typed index of runs' params, results and labels) current, at query time.

A run's own writes never touch ``run_values``: before a filter or an order reads it, :func:`catch_up`
re-reads the runs of each project it covers whose ``last_update`` moved since they were indexed. Each
indexed run has a marker row (field ``''``, type ``'run'``, ``num`` the ``last_update`` it was read at), so
a run is re-indexed exactly when its ``last_update`` differs from its marker. Only runs updated after the
project's watermark minus ``SLACK`` are looked at: a writer in another process may commit after a run
with a later ``last_update`` was indexed, and ``SLACK`` covers that delay. A run created with an older
``last_update`` than that (an import) is still found: the project's run count (the jobs summary) then
differs from the count the watermark recorded, and the whole project is checked once.

Every path that changes a run's params, results or labels also moves its ``last_update`` (the store
stamps it when a caller did not: ``RunStore.update_run``).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, bindparam, text

from . import jobsummary, schema, updates

SLACK = 120.0
"""Seconds before the watermark still re-checked: how late another process's commit may land."""
CHUNK = 5_000
"""Runs a query indexes at most for the first time: until a project is fully indexed, its queries read the
runs' JSON (the same answers) while each builds another part of the index."""

_EVERY_STATE = ", ".join(f"'{state}'" for state in schema.RUN_STATES)
# The runs of a project to (re)index: updated since ``since`` and not indexed at their ``last_update`` (every
# state named, so the state index answers it: a range per state).
_STALE = f"""
SELECT r.uid, r.iteration FROM runs r
WHERE r.state IN ({_EVERY_STATE}) AND r.project = :project
  AND r.last_update > :since
  AND NOT EXISTS (SELECT 1 FROM run_values m WHERE m.uid = r.uid AND m.iteration = r.iteration
                  AND m.field = '' AND m.num = r.last_update)
"""

# Per dialect: one section's keys as typed rows ({doc}: the section's JSON object).
_SQLITE_ROWS = """
INSERT INTO run_values (uid, iteration, field, project, type, num, str)
SELECT r.uid, r.iteration, :prefix || j.key, r.project,
       CASE j.type WHEN 'integer' THEN 'number' WHEN 'real' THEN 'number' WHEN 'text' THEN 'string'
            WHEN 'true' THEN 'boolean' WHEN 'false' THEN 'boolean' WHEN 'null' THEN 'null' ELSE 'other' END,
       CASE WHEN j.type IN ('integer', 'real', 'true', 'false') THEN j.value END,
       CASE WHEN j.type = 'text' THEN j.value END
FROM stale s CROSS JOIN runs r ON r.uid = s.uid AND r.iteration = s.iteration, json_each({doc}) j
WHERE json_type({doc}) = 'object'
"""
_POSTGRES_ROWS = """
INSERT INTO run_values (uid, iteration, field, project, type, num, str)
SELECT r.uid, r.iteration, :prefix || j.key, r.project,
       CASE json_typeof(j.value) WHEN 'number' THEN 'number' WHEN 'string' THEN 'string'
            WHEN 'boolean' THEN 'boolean' WHEN 'null' THEN 'null' ELSE 'other' END,
       CASE json_typeof(j.value) WHEN 'number' THEN (j.value #>> '{{}}')::float8
            WHEN 'boolean' THEN CASE WHEN j.value #>> '{{}}' = 'true' THEN 1 ELSE 0 END END,
       CASE WHEN json_typeof(j.value) = 'string' THEN j.value #>> '{{}}' END
FROM stale s JOIN runs r ON r.uid = s.uid AND r.iteration = s.iteration
CROSS JOIN LATERAL json_each(CASE WHEN json_typeof({doc}) = 'object' THEN {doc} ELSE '{{}}'::json END) j
"""
_DOCS = {
    "sqlite": (("params.", "r.spec, '$.parameters'", "json_type(r.spec, '$.parameters')"),
               ("results.", "r.results", "json_type(r.results)"), ("labels.", "r.labels", "json_type(r.labels)")),
    "postgresql": (("params.", "r.spec -> 'parameters'", ""), ("results.", "r.results", ""),
                   ("labels.", "r.labels", "")),
}
_MARKERS = """
INSERT INTO run_values (uid, iteration, field, project, type, num, str)
SELECT r.uid, r.iteration, '', r.project, 'run', r.last_update, NULL
FROM stale s JOIN runs r ON r.uid = s.uid AND r.iteration = s.iteration
"""


def _statements(dialect: str) -> list[tuple[str, str | None]]:
    """The catch-up's statements over the ``stale`` runs: (SQL, the ``:prefix`` of the section it reads)."""
    rows: list[tuple[str, str | None]] = []
    for prefix, doc, type_of in _DOCS[dialect]:
        if dialect == "postgresql":
            rows.append((_POSTGRES_ROWS.format(doc=f"({doc})"), prefix))
        else:
            rows.append((_SQLITE_ROWS.format(doc=doc).replace(f"json_type({doc})", type_of), prefix))
    return [
        ("DELETE FROM run_values WHERE (uid, iteration) IN (SELECT uid, iteration FROM stale)", None),
        *rows,
        (_MARKERS, None),
    ]


_STATEMENTS = {dialect: _statements(dialect) for dialect in _DOCS}


def projects_of(conn: Connection, project: str | None) -> list[str]:
    """The projects a query covers: ``project``, or every project with runs (the jobs summary names them)."""
    if project is not None:
        return [project]
    return list(conn.execute(jobsummary.PROJECTS_WITH_RUNS).scalars())


def is_current(conn: Connection, project: str) -> bool:
    """True when nothing of ``project`` needs indexing (a read: no write lock is taken)."""
    mark = conn.execute(text("SELECT last_update, records FROM run_values_marks WHERE project = :project"),
                        {"project": project}).first()
    if mark is None or mark.records != jobsummary.run_count(conn, project):
        return False
    stale = conn.execute(text(_STALE + " LIMIT 1"), {"project": project, "since": mark.last_update - SLACK})
    return stale.first() is None


def catch_up(conn: Connection, projects: Iterable[str], limit: int | None = None) -> tuple[int, bool]:
    """Index the runs of ``projects`` not indexed at their current ``last_update``, in the caller's write
    transaction, and move each project's watermark. ``limit``: at most that many runs never indexed before
    (a first query of a large project builds its index over several queries). Returns how many runs were
    (re)indexed and whether every run of ``projects`` now is."""
    dialect = conn.dialect.name
    if dialect == "postgresql":  # two catch-ups at once would insert the same rows: one waits
        conn.execute(text("SELECT pg_advisory_xact_lock(74202)"))
    else:  # the index's pages are written at random places: keep them in memory until the commit
        conn.exec_driver_sql(f"PRAGMA cache_size={_CACHE_KIB}")
    done, complete = 0, True
    try:
        for project in projects:
            indexed, whole = _catch_up_project(conn, dialect, project, limit)
            done, complete = done + indexed, complete and whole
    finally:
        if dialect == "sqlite":  # the pooled connection goes back to SQLite's default page cache
            conn.exec_driver_sql("PRAGMA cache_size=-2000")
    return done, complete


_CACHE_KIB = -65536


def _catch_up_project(conn: Connection, dialect: str, project: str, limit: int | None) -> tuple[int, bool]:
    values = {"project": project}
    # read before the runs are: a run committed meanwhile is at most SLACK behind the new watermark
    count = jobsummary.run_count(conn, project)
    newest = conn.execute(updates.PROJECT_NEWEST, values).scalar()
    mark = conn.execute(text("SELECT last_update, records FROM run_values_marks WHERE project = :project"),
                        values).first()
    records, done = (0, 0) if mark is None else (mark.records, 0)
    if mark is not None:  # the runs updated lately
        stale, new = _index(conn, dialect, project, mark.last_update - SLACK, None)
        records, done = records + new, stale
    if records != count:  # runs came unseen (an older last_update, or a first query): check every run
        stale, new = _index(conn, dialect, project, -1e308, limit)
        records, done = records + new, done + stale
    watermark = max(newest or 0.0, mark.last_update if mark is not None else 0.0)
    conn.execute(text("DELETE FROM run_values_marks WHERE project = :project"), values)
    conn.execute(text("INSERT INTO run_values_marks (project, last_update, records) VALUES "
                      "(:project, :last_update, :records)"), {**values, "last_update": watermark, "records": records})
    return done, records == count


def _index(conn: Connection, dialect: str, project: str, since: float, limit: int | None) -> tuple[int, int]:
    """(Re)index the runs of ``project`` updated after ``since`` and not indexed at their ``last_update``
    (at most ``limit``); returns how many, and how many of them were not indexed at all before."""
    temporary = "CREATE TEMPORARY TABLE stale" + (" ON COMMIT DROP" if dialect == "postgresql" else "")
    conn.execute(text("DROP TABLE IF EXISTS stale"))
    bounded = _STALE + (" LIMIT :limit" if limit is not None else "")
    conn.execute(text(f"{temporary} AS {bounded}"), {"project": project, "since": since, "limit": limit})
    stale = int(conn.execute(text("SELECT count(*) FROM stale")).scalar() or 0)
    new = 0
    if stale:
        new = int(conn.execute(text(
            "SELECT count(*) FROM stale s WHERE NOT EXISTS (SELECT 1 FROM run_values m WHERE m.uid = s.uid "
            "AND m.iteration = s.iteration AND m.field = '')")).scalar() or 0)
        for sql, prefix in _STATEMENTS[dialect]:
            conn.execute(text(sql), {"prefix": prefix} if prefix else {})
    conn.execute(text("DROP TABLE stale"))
    return stale, new


def forget(conn: Connection, uid: str) -> None:
    """Take run ``uid`` (every iteration) out of the index, before its rows are deleted from ``runs``."""
    conn.execute(text(
        "UPDATE run_values_marks SET records = records - (SELECT count(*) FROM run_values v WHERE v.uid = :uid "
        "AND v.field = '' AND v.project = run_values_marks.project) "
        "WHERE project IN (SELECT project FROM runs WHERE uid = :uid)"), {"uid": uid})
    conn.execute(text("DELETE FROM run_values WHERE uid = :uid"), {"uid": uid})


def forget_many(conn: Connection, uids: list[str]) -> None:
    """``forget`` for many runs at once (a bulk delete): two statements, whatever their number."""
    values = {"uids": uids}
    conn.execute(text(
        "UPDATE run_values_marks SET records = records - (SELECT count(*) FROM run_values v WHERE v.uid IN :uids "
        "AND v.field = '' AND v.project = run_values_marks.project) "
        "WHERE project IN (SELECT project FROM runs WHERE uid IN :uids)").bindparams(
            bindparam("uids", expanding=True)), values)
    conn.execute(text("DELETE FROM run_values WHERE uid IN :uids").bindparams(bindparam("uids", expanding=True)),
                 values)
