"""A project's run updates, read through the ``(state, project, last_update)`` index one state at a time.

That index is the store's only one on ``last_update`` (each index costs every run's writes): its leading
column is the state, so the live runs are three of its ranges. A question about a project's updates is asked
once per state, each a range (or, for the newest, one step) of the index; the states are few and fixed
(``schema.RUN_STATES``). Written the same way for SQLite and PostgreSQL, neither of which merges the ranges of
an ``IN`` list in index order by itself.
"""

from __future__ import annotations

from sqlalchemy import Select, bindparam, func, select, union_all

from . import jobsummary, schema

_RUNS = schema.runs.c
_PROJECTS_WITH_RUNS = jobsummary.PROJECTS_WITH_RUNS.subquery()


def _newest_of_project() -> Select:
    arms = [select(func.max(_RUNS.last_update).label("newest"))
            .where(_RUNS.state == state, _RUNS.project == bindparam("project")) for state in schema.RUN_STATES]
    every = union_all(*arms).subquery()
    return select(func.max(every.c.newest))


def _newest_of_all() -> Select:
    project = _PROJECTS_WITH_RUNS.c.project
    arms = [select(select(func.max(_RUNS.last_update)).where(_RUNS.state == state, _RUNS.project == project)
                   .scalar_subquery().label("newest")).select_from(_PROJECTS_WITH_RUNS)
            for state in schema.RUN_STATES]
    every = union_all(*arms).subquery()
    return select(func.max(every.c.newest))


PROJECT_NEWEST = _newest_of_project()
"""The newest ``last_update`` of the runs of project ``:project`` (NULL without runs): a step per state."""

NEWEST = _newest_of_all()
"""The newest ``last_update`` in the store: a step per state and project with runs (the jobs summary names
them), not a scan of every run."""
