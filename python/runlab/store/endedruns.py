"""Runs that ended since a time: what JupyterLab's end-of-run notifications ask for every few seconds.

Cheap over any number of runs, with no index of its own (each index costs every run's writes): per project
and end state, a range of the ``(state, project, last_update)`` index (a run that ended at ``t`` was last
updated at ``t`` or later), read in order and cut at ``scan`` rows, so the rows read are at most those
updated since the time, never the store's runs, and the database sorts nothing: the three states' runs are
merged here. Only top-level runs (iteration 0: a sweep ends once, its children are counted by
``child_states`` on the primary key).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, bindparam, func, select

from ..record import RunState
from . import jobsummary, schema

_RUNS = schema.runs.c
TERMINAL = tuple(s.value for s in (RunState.COMPLETED, RunState.ERROR, RunState.ABORTED))

_ENDED = (
    select(_RUNS.uid, _RUNS.project, _RUNS.name, _RUNS.kind, _RUNS.state, _RUNS.error, _RUNS.start_time,
           _RUNS.end_time, _RUNS.owner, _RUNS.results, _RUNS.last_update)
    .where(_RUNS.state == bindparam("state"), _RUNS.project == bindparam("project"),
           _RUNS.last_update > bindparam("since"), _RUNS.iteration == 0, _RUNS.end_time > bindparam("since"))
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
    update first; JSON columns as the database gave them (and each run's ``last_update``)."""
    found: list[dict[str, Any]] = []
    for project in conn.execute(jobsummary.PROJECTS_WITH_RUNS).scalars():
        per_state = ([dict(row._mapping) for row in conn.execute(
            _ENDED, {"state": state, "project": project, "since": since, "scan": scan})] for state in TERMINAL)
        found.extend(oldest_updates(per_state, scan))
    return found


def oldest_updates(per_state: Iterable[list[dict[str, Any]]], scan: int) -> list[dict[str, Any]]:
    """The first ``scan`` runs of lists each in ``last_update`` order, merged in that order."""
    return list(heapq.merge(*per_state, key=lambda row: row["last_update"]))[:scan]


def child_states(conn: Connection, uids: list[str]) -> dict[str, dict[str, int]]:
    """How many children each sweep among ``uids`` has in each state (a run without children: left out)."""
    found: dict[str, dict[str, int]] = {}
    for uid, state, count in conn.execute(_CHILD_STATES, {"uids": uids}) if uids else ():
        found.setdefault(uid, {})[state] = count
    return found
