"""Runs that ended since a time: what JupyterLab's end-of-run notifications ask for every few seconds.

Cheap over any number of runs, with no index of its own (each index costs every run's writes): per project,
a range of the ``(project, last_update)`` index (a run that ended at ``t`` was last updated at ``t`` or
later), read in order and cut at ``scan`` rows, so the rows read are at most those updated since the time,
never the store's runs, and nothing is sorted. Only top-level runs (iteration 0: a sweep ends once, its
children are counted by ``child_states`` on the primary key).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, bindparam, func, select

from ..record import RunState
from . import schema

_RUNS = schema.runs.c
_TERMINAL = [s.value for s in (RunState.COMPLETED, RunState.ERROR, RunState.ABORTED)]

_PROJECTS = select(schema.job_summary.c.project).distinct()
_ENDED = (
    select(_RUNS.uid, _RUNS.project, _RUNS.name, _RUNS.kind, _RUNS.state, _RUNS.error, _RUNS.start_time,
           _RUNS.end_time, _RUNS.owner, _RUNS.results)
    .where(_RUNS.project == bindparam("project"), _RUNS.last_update > bindparam("since"),
           _RUNS.iteration == 0, _RUNS.end_time > bindparam("since"), _RUNS.state.in_(_TERMINAL))
    .order_by(_RUNS.last_update)
    .limit(bindparam("scan"))
)
_CHILD_STATES = (
    select(_RUNS.uid, _RUNS.state, func.count())
    .where(_RUNS.uid.in_(bindparam("uids", expanding=True)), _RUNS.iteration > 0)
    .group_by(_RUNS.uid, _RUNS.state)
)


def ended_since(conn: Connection, since: float, scan: int) -> list[dict[str, Any]]:
    """Top-level runs that ended after ``since`` (epoch seconds), at most ``scan`` per project, oldest
    update first; JSON columns as the database gave them."""
    found: list[dict[str, Any]] = []
    for project in conn.execute(_PROJECTS).scalars():
        found.extend(dict(row._mapping) for row in conn.execute(
            _ENDED, {"project": project, "since": since, "scan": scan}))
    return found


def child_states(conn: Connection, uids: list[str]) -> dict[str, dict[str, int]]:
    """How many children each sweep among ``uids`` has in each state (a run without children: left out)."""
    found: dict[str, dict[str, int]] = {}
    for uid, state, count in conn.execute(_CHILD_STATES, {"uids": uids}) if uids else ():
        found.setdefault(uid, {})[state] = count
    return found
