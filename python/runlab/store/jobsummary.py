"""The jobs summary: one row per job (a project's runs of one name), kept on write.

The Jobs panel lists a project's jobs (run count, latest run) and polls whether anything changed. Counting
and grouping the runs of a project grows with the project; this table makes both cost the same whatever
the number of runs. It is kept in the same transaction as the run write that changes it: the database counts
each new run itself (a trigger on ``runs``, migration 0014), and :class:`~runlab.store.runstore.RunStore`
takes deleted runs out (:func:`on_delete`).
Nothing else moves it: a job's latest run is the one started last (ties: the greatest uid), and a run's
name, project and start time never change after it is created; its state, end time and error are read
from the run itself when the jobs are listed.

Columns: ``runs`` counts a job's runs (iteration 0), ``records`` every row of them (a sweep's children
too: the project's run count), ``last_start``/``last_uid`` its latest run.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Integer, Select, bindparam, case, func, select, text

from . import schema

PROJECTS_WITH_RUNS = select(schema.job_summary.c.project).distinct()
"""The projects that hold runs (each has a job in the summary): what a question over every project steps through."""


def on_delete(conn: Connection, uid: str) -> None:
    """Take every iteration of run ``uid`` out of its job, before they are deleted: the job's previous run
    becomes its latest, and a job left without rows goes."""
    runs, table = schema.runs, schema.job_summary
    counted = conn.execute(
        select(runs.c.project, runs.c.name, func.count(), func.sum(case((runs.c.iteration == 0, 1), else_=0)))
        .where(runs.c.uid == uid).group_by(runs.c.project, runs.c.name)
    ).all()
    for project, name, records, top in counted:
        job = (table.c.project == project) & (table.c.name == name)
        conn.execute(table.update().where(job).values(runs=table.c.runs - (top or 0),
                                                      records=table.c.records - records))
        if top and conn.execute(select(table.c.last_uid).where(job)).scalar() == uid:
            previous = conn.execute(
                select(runs.c.start_time, runs.c.uid)
                .where((runs.c.project == project) & (runs.c.iteration == 0) & (runs.c.name == name)
                       & (runs.c.uid != uid))
                .order_by(runs.c.start_time.desc(), runs.c.uid.desc()).limit(1)
            ).first()
            conn.execute(table.update().where(job).values(last_start=previous[0] if previous else None,
                                                          last_uid=previous[1] if previous else None))
        conn.execute(table.delete().where(job & (table.c.records <= 0)))


def on_delete_many(conn: Connection, uids: list[str]) -> list[tuple[str, str]]:
    """``on_delete`` for many runs at once (a bulk delete), before their rows are deleted: their counts come
    off their jobs in one grouped query. Returns the jobs whose latest run is among them: once the rows are
    gone, :func:`renew_latest` gives each its new latest run."""
    runs, table = schema.runs, schema.job_summary
    counted = conn.execute(
        select(runs.c.project, runs.c.name, func.count(), func.sum(case((runs.c.iteration == 0, 1), else_=0)))
        .where(runs.c.uid.in_(uids)).group_by(runs.c.project, runs.c.name)
    ).all()
    latest, gone = [], set(uids)
    for project, name, records, top in counted:
        job = (table.c.project == project) & (table.c.name == name)
        conn.execute(table.update().where(job).values(runs=table.c.runs - (top or 0),
                                                      records=table.c.records - records))
        if top and conn.execute(select(table.c.last_uid).where(job)).scalar() in gone:
            latest.append((project, name))
    return latest


def renew_latest(conn: Connection, jobs: list[tuple[str, str]]) -> None:
    """Set each job's latest run from the runs left (after a bulk delete), and drop the jobs left empty."""
    runs, table = schema.runs, schema.job_summary
    for project, name in jobs:
        job = (table.c.project == project) & (table.c.name == name)
        previous = conn.execute(
            select(runs.c.start_time, runs.c.uid)
            .where((runs.c.project == project) & (runs.c.iteration == 0) & (runs.c.name == name))
            .order_by(runs.c.start_time.desc(), runs.c.uid.desc()).limit(1)
        ).first()
        conn.execute(table.update().where(job).values(last_start=previous[0] if previous else None,
                                                      last_uid=previous[1] if previous else None))
    conn.execute(table.delete().where(table.c.records <= 0))


def list_jobs(conn: Connection, project: str, name_contains: str | None, limit: int) -> list[dict[str, Any]]:
    """The project's jobs, latest started first: name, run count, last start, and the latest run's uid,
    state, end time, error, kind and last update (one read of each job's latest run by its key)."""
    values: dict[str, Any] = {"project": project, "limit": limit}
    if name_contains:
        escaped = name_contains.replace("/", "//").replace("%", "/%").replace("_", "/_")
        values["like"] = f"%{escaped}%"
    return [dict(row._mapping) for row in conn.execute(_JOBS[bool(name_contains)], values)]


def _jobs_statement(filtered: bool) -> Select:
    table, runs = schema.job_summary, schema.runs
    where = (table.c.project == bindparam("project")) & (table.c.runs > 0)
    if filtered:  # a substring of the name (LIKE's own wildcards escaped)
        where &= table.c.name.like(bindparam("like"), escape="/")
    return (
        select(table.c.name, table.c.runs, table.c.last_start, runs.c.uid, runs.c.state, runs.c.end_time,
               runs.c.error, runs.c.kind, runs.c.last_update)
        .join(runs, (runs.c.uid == table.c.last_uid) & (runs.c.iteration == 0))
        .where(where)
        .order_by(table.c.last_start.desc(), table.c.name)
        .limit(bindparam("limit", type_=Integer))
    )


_JOBS = {filtered: _jobs_statement(filtered) for filtered in (False, True)}  # built once: the panel polls
_COUNT = select(func.coalesce(func.sum(schema.job_summary.c.records), 0))
_PROJECT_COUNT = _COUNT.where(schema.job_summary.c.project == bindparam("project"))


def run_count(conn: Connection, project: str | None) -> int:
    """How many runs (rows, every iteration) the project has, or the whole store with ``project`` None."""
    if project is None:
        return int(conn.execute(_COUNT).scalar() or 0)
    return int(conn.execute(_PROJECT_COUNT, {"project": project}).scalar() or 0)


def rebuild(conn: Connection) -> None:
    """Recount the whole summary from the runs (what the migration that created it does)."""
    conn.execute(schema.job_summary.delete())
    conn.execute(text(FILL))


FILL = """
INSERT INTO job_summary (project, name, runs, records, last_start, last_uid)
SELECT g.project, g.name, g.runs, g.records, g.last_start,
       (SELECT r.uid FROM runs r WHERE r.project = g.project AND r.iteration = 0 AND r.name = g.name
        ORDER BY r.start_time DESC, r.uid DESC LIMIT 1)
FROM (SELECT project, name, SUM(CASE WHEN iteration = 0 THEN 1 ELSE 0 END) AS runs, COUNT(*) AS records,
             MAX(CASE WHEN iteration = 0 THEN start_time END) AS last_start
      FROM runs GROUP BY project, name) AS g
"""
"""The summary's rows, counted from the runs (``job_summary`` must be empty)."""
