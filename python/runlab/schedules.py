"""Scheduled jobs: ``run_function(..., schedule="0 * * * *")`` records a schedule instead of a run.

A schedule keeps the function's name and the whole task (params, inputs, hyperparams, labels, ...), so
each firing is an ordinary background run, labelled ``schedule=<name>``. Schedulers (``runlab scheduler``,
or the one the Jupyter server extension starts) fire it; see ``scheduler.py``.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import TYPE_CHECKING, Any

from . import cron
from .config import get_config
from .errors import RunStateError, ScheduleExistsError, ScheduleNotFoundError, ValidationError
from .launch import prepare
from .names import validate_name
from .record import to_iso
from .run import RunList, list_runs
from .scheduler import background_function, fire

if TYPE_CHECKING:
    from .handlers import FunctionSpec
    from .projectref import ProjectRef
    from .run import RunObject
    from .store.runstore import RunStore
    from .task import Task

CONCURRENCY = ("allow", "forbid", "replace")


def create_schedule(project: ProjectRef, function: FunctionSpec, schedule: str, task: Task, handler: Any,
                    selector: str | None, name: str | None = None, timezone: str | None = None,
                    concurrency: str = "forbid", overwrite: bool = False) -> Schedule:
    """Validate everything a firing will need, then record the schedule; returns it."""
    expression = cron.normalize(schedule)
    cron.zone(timezone)
    if concurrency not in CONCURRENCY:
        raise ValidationError(f"concurrency must be one of {', '.join(CONCURRENCY)}, not {concurrency!r}")
    if not function.filename:
        raise ValidationError(
            f"function {function.name!r} was defined in this notebook or script, so a scheduler (another process) "
            "cannot load it: put the handler in a .py file and set_function that file, or set_function the "
            "notebook itself")
    if handler is not None and not isinstance(handler, str):
        raise ValidationError("a scheduled run names its handler (a string), not a callable object")
    schedule_name = validate_name(name or function.name, "schedule name")
    now = time.time()
    minimum = get_config().schedule_min_interval
    gap = cron.shortest_interval(expression, timezone, now)
    if gap < minimum:
        raise ValidationError(f"schedule {schedule!r} fires every {gap:.0f} s, more often than the minimum of "
                              f"{minimum:.0f} s (RUNLAB_SCHEDULE_MIN_INTERVAL)")
    checked = prepare(background_function(function), project, task, handler=handler, selector=selector)
    if checked.handler.import_error is not None:
        error = checked.handler.import_error
        raise ValidationError(f"function {function.name!r}: {function.filename} fails to import "
                              f"({type(error).__name__}: {error}); fix it before scheduling it") from error
    row = {
        "project": project.name, "name": schedule_name, "function": function.name, "cron": expression,
        "timezone": timezone or "", "concurrency": concurrency, "paused": 0,
        "task": {"task": task.to_dict(), "handler": handler, "selector": selector},
        "next_run": cron.next_time(expression, now, timezone), "last_run": None, "last_uid": None,
        "created": now, "updated": now,
    }
    if not project.store.save_schedule(row, overwrite=overwrite):
        raise ScheduleExistsError(f"project {project.name!r} already has a schedule {schedule_name!r}: pass "
                                  "overwrite=True to replace it, or another schedule_name=")
    return Schedule(project.store, project.name, schedule_name)


class Schedule:
    """A recorded schedule: what it runs, when, and what it did. Reads are fresh from the store.

    Also reads as MLRun's schedule (``ScheduleOutput``): ``name``, ``project``, ``kind``, ``cron_trigger``
    (``.minute``, ``.hour``, ``.day``, ``.month``, ``.day_of_week``, ``.timezone``), ``next_run_time``,
    ``creation_time``, ``last_run_uri``, ``last_run`` and ``scheduled_object``.
    """

    kind = "job"
    """MLRun's schedule kind: every runlab schedule fires a job run."""

    def __init__(self, store: RunStore, project: str, name: str) -> None:
        self._store = store
        self.project = project
        self.name = name

    @classmethod
    def get(cls, store: RunStore, project: str, name: str) -> Schedule:
        """The schedule ``name`` of ``project``; ``ScheduleNotFoundError`` names the schedules it has."""
        if store.get_schedule(project, name) is None:
            names = ", ".join(row["name"] for row in store.list_schedules(project)) or "none"
            raise ScheduleNotFoundError(f"project {project!r} has no schedule {name!r} (schedules: {names})")
        return cls(store, project, name)

    @property
    def cron_trigger(self) -> CronTrigger:
        """The cron string's fields by MLRun's names (``minute``, ``hour``, ``day``, ``month``,
        ``day_of_week``) and ``timezone``; ``str()`` of it is the cron string."""
        row = self._row()
        return CronTrigger(row["cron"], row["timezone"])

    @property
    def creation_time(self) -> datetime:
        """When the schedule was recorded (in its time zone)."""
        row = self._row()
        return datetime.fromtimestamp(row["created"], cron.zone(row["timezone"]))

    @property
    def last_run_uri(self) -> str | None:
        """MLRun's URI of the last run it fired (``project@uid#0``), or None before its first run."""
        row = self._row()
        return f"{self.project}@{row['last_uid']}#0" if row["last_uid"] else None

    @property
    def last_run(self) -> RunObject | None:
        """The last run it fired (a RunObject, also readable as MLRun's run dict), or None."""
        row = self._row()
        if not row["last_uid"]:
            return None
        runs = list_runs(project=self.project, uid=row["last_uid"], store=self._store)
        return runs[0] if runs else None

    @property
    def scheduled_object(self) -> dict[str, Any]:
        """What each firing runs: the task (params, inputs, hyperparams, ...), its handler and selector."""
        return self._row()["task"]

    def _row(self) -> dict[str, Any]:
        row = self._store.get_schedule(self.project, self.name)
        if row is None:
            raise ScheduleNotFoundError(f"project {self.project!r} has no schedule {self.name!r} (deleted?)")
        return row

    def __repr__(self) -> str:
        row = self._store.get_schedule(self.project, self.name)
        if row is None:
            return f"<Schedule {self.project}/{self.name} (deleted)>"
        state = "paused" if row["paused"] else f"next {_iso(row['next_run'])}"
        return f"<Schedule {self.project}/{self.name} {row['cron']!r} ({cron.describe(row['cron'])}), {state}>"

    @property
    def cron(self) -> str:
        return self._row()["cron"]

    @property
    def timezone(self) -> str:
        """The IANA time zone of the cron string ('' = the scheduler machine's local zone)."""
        return self._row()["timezone"]

    @property
    def description(self) -> str:
        """The cron string in words, e.g. "every 6 hours"."""
        return cron.describe(self.cron)

    @property
    def function(self) -> str:
        return self._row()["function"]

    @property
    def concurrency(self) -> str:
        return self._row()["concurrency"]

    @property
    def paused(self) -> bool:
        return bool(self._row()["paused"])

    @property
    def next_run_time(self) -> datetime | None:
        """When it fires next (in its time zone); None while paused."""
        row = self._row()
        return None if row["paused"] else datetime.fromtimestamp(row["next_run"], cron.zone(row["timezone"]))

    @property
    def last_run_time(self) -> datetime | None:
        row = self._row()
        return None if row["last_run"] is None else datetime.fromtimestamp(row["last_run"], cron.zone(row["timezone"]))

    def runs(self) -> RunList:
        """The runs it fired, newest first."""
        return list_runs(project=self.project, labels={"schedule": self.name}, store=self._store)

    def events(self, last: int = 50) -> list[dict[str, Any]]:
        """What schedulers did with it (fired, skipped, replaced, caught-up, failed), newest first."""
        return [{**e, "time": _iso(e["time"]), "due": _iso(e["due"])}
                for e in self._store.schedule_events(self.project, self.name, last)]

    def pause(self) -> Schedule:
        """Stop firing until ``resume()``."""
        self._row()
        self._store.update_schedule(self.project, self.name, {"paused": 1, "updated": time.time()})
        return self

    def resume(self) -> Schedule:
        """Fire again, from the next due time after now (what was missed while paused is not caught up)."""
        row = self._row()
        now = time.time()
        self._store.update_schedule(self.project, self.name, {
            "paused": 0, "next_run": cron.next_time(row["cron"], now, row["timezone"]), "updated": now})
        return self

    def run_now(self) -> RunObject:
        """Fire once now (outside the cron times, under the concurrency policy); returns the run."""
        run = fire(self._store, self._row(), due=None, reason="run now")
        if run is None:
            raise RunStateError(f"schedule {self.name!r} skipped run_now: its previous run is still going and its "
                              "concurrency is 'forbid' (see .events())")
        return run

    def delete(self) -> None:
        """Delete the schedule (the runs it fired stay)."""
        if not self._store.delete_schedule(self.project, self.name):
            raise ScheduleNotFoundError(f"project {self.project!r} has no schedule {self.name!r}")

    def to_dict(self) -> dict[str, Any]:
        return schedule_dict(self._row(), self._store)


class ScheduleList(list):
    """A list of :class:`Schedule`; ``.schedules`` is the same list, as MLRun's ``SchedulesOutput`` reads."""

    @property
    def schedules(self) -> list[Schedule]:
        return list(self)


class CronTrigger:
    """A cron string's fields, by the names MLRun's ``ScheduleCronTrigger`` gives them."""

    def __init__(self, expression: str, timezone: str = "") -> None:
        self.crontab = expression
        self.minute, self.hour, self.day, self.month, self.day_of_week = expression.split()
        self.timezone = timezone or None
        self.year = self.second = self.week = None

    def __str__(self) -> str:
        return self.crontab

    def __repr__(self) -> str:
        return f"<CronTrigger {self.crontab!r}{f' {self.timezone}' if self.timezone else ''}>"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            return self.crontab == other
        if isinstance(other, CronTrigger):
            return (self.crontab, self.timezone) == (other.crontab, other.timezone)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]


def schedule_dict(row: dict[str, Any], store: RunStore | None = None) -> dict[str, Any]:
    """A schedule as JSON: cron (and in words), time zone, policy, next and last run (with its state)."""
    last_state = None
    if store is not None and row["last_uid"]:
        last_state = store.get_run_state(row["last_uid"], 0)
    return {
        "project": row["project"], "name": row["name"], "function": row["function"],
        **cron.to_dict(row["cron"], row["timezone"]), "concurrency": row["concurrency"],
        "paused": bool(row["paused"]), "next_run": None if row["paused"] else _iso(row["next_run"]),
        "last_run": _iso(row["last_run"]), "last_uid": row["last_uid"], "last_state": last_state,
        "task": row["task"],
    }


def _iso(timestamp: float | None) -> str | None:
    return to_iso(timestamp)
