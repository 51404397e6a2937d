"""Scheduled jobs: ``run_function(..., schedule="0 * * * *")`` records a schedule instead of a run.

A schedule keeps the function's name and the whole task (params, inputs, hyperparams, labels, ...), so
each firing is an ordinary background run, labelled ``schedule=<name>``. Schedulers (``runlab scheduler``,
or the one the Jupyter server extension starts) fire it; see ``scheduler.py``. ``keep_runs`` (kept with the
task, so no column of its own) limits how many of its ended runs stay; see ``retention.py``.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import TYPE_CHECKING, Any

from . import cron
from . import cron as _cron  # update()'s arguments shadow the module's name
from .config import get_config
from .errors import ProjectNotFoundError, RunStateError, ScheduleExistsError, ScheduleNotFoundError, ValidationError
from .handlers import load_function
from .launch import prepare
from .names import validate_name
from .projectref import load as load_project
from .record import to_iso
from .run import RunList, list_runs
from .scheduler import background_function, fire
from .task import Task

if TYPE_CHECKING:
    from .handlers import FunctionSpec
    from .projectref import ProjectRef
    from .run import RunObject
    from .store.runstore import RunStore

CONCURRENCY = ("allow", "forbid", "replace")


def create_schedule(project: ProjectRef, function: FunctionSpec, schedule: str, task: Task, handler: Any,
                    selector: str | None, name: str | None = None, timezone: str | None = None,
                    concurrency: str = "forbid", overwrite: bool = False, keep_runs: int | None = None,
                    static: bool = False) -> Schedule:
    """Validate everything a firing will need, then record the schedule; returns it. ``keep_runs=N`` keeps
    only the newest N ended runs it fired (older ones are deleted after each firing; 0 or None keep all).
    ``static=True`` (the Jupyter server) checks the handler without importing its file (``launch.prepare``)."""
    expression = cron.normalize(schedule)
    cron.zone(timezone)
    _check_concurrency(concurrency)
    keep = _check_keep_runs(keep_runs)
    if not function.filename:
        raise ValidationError(
            f"function {function.name!r} was defined in this notebook or script, so a scheduler (another process) "
            "cannot load it: put the handler in a .py file and set_function that file, or set_function the "
            "notebook itself")
    if handler is not None and not isinstance(handler, str):
        raise ValidationError("a scheduled run names its handler (a string), not a callable object")
    schedule_name = validate_name(name or function.name, "schedule name")
    now = time.time()
    _check_interval(schedule, expression, timezone, now)
    _check_task(function, project, task, handler, selector, static)
    row = {
        "project": project.name, "name": schedule_name, "function": function.name, "cron": expression,
        "timezone": timezone or "", "concurrency": concurrency, "paused": 0,
        "task": {"task": task.to_dict(), "handler": handler, "selector": selector, "keep_runs": keep},
        "next_run": cron.next_time(expression, now, timezone), "last_run": None, "last_uid": None,
        "created": now, "updated": now,
    }
    if not project.store.save_schedule(row, overwrite=overwrite):
        raise ScheduleExistsError(f"project {project.name!r} already has a schedule {schedule_name!r}: pass "
                                  "overwrite=True to replace it, or another schedule_name=")
    return Schedule(project.store, project.name, schedule_name)


def _check_concurrency(concurrency: Any) -> None:
    if concurrency not in CONCURRENCY:
        raise ValidationError(f"concurrency must be one of {', '.join(CONCURRENCY)}, not {concurrency!r}")


def _check_keep_runs(keep_runs: Any) -> int | None:
    """``keep_runs`` as stored: a positive count, or None for "keep every run" (given as None or 0)."""
    if keep_runs is None:
        return None
    if isinstance(keep_runs, bool) or not isinstance(keep_runs, int) or keep_runs < 0:
        raise ValidationError(f"keep_runs must be a whole number of runs to keep (0 keeps them all), "
                              f"not {keep_runs!r}")
    return keep_runs or None


def _check_interval(schedule: str, expression: str, timezone: str | None, now: float) -> None:
    minimum = get_config().schedule_min_interval
    gap = cron.shortest_interval(expression, timezone, now)
    if gap < minimum:
        raise ValidationError(f"schedule {schedule!r} fires every {gap:.0f} s, more often than the minimum of "
                              f"{minimum:.0f} s (RUNLAB_SCHEDULE_MIN_INTERVAL)")


def _check_task(function: FunctionSpec, project: ProjectRef, task: Task, handler: Any, selector: str | None,
                static: bool = False) -> None:
    """Every check a firing's run will pass (handler, params, inputs), and an importable source (imported
    unless ``static``)."""
    checked = prepare(background_function(function), project, task, handler=handler, selector=selector,
                      static=static)
    if checked.handler.import_error is not None:
        error = checked.handler.import_error
        raise ValidationError(f"function {function.name!r}: {function.filename} fails to import "
                              f"({type(error).__name__}: {error}); fix it before scheduling it") from error


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
        """What each firing runs: the task (params, inputs, hyperparams, ...), its handler and selector (MLRun's
        keys; ``keep_runs``, stored beside them, is the ``keep_runs`` property)."""
        return {key: value for key, value in self._row()["task"].items() if key != "keep_runs"}

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
        keep = row["task"].get("keep_runs")
        kept = f", keeps {keep} runs" if keep else ""
        return f"<Schedule {self.project}/{self.name} {row['cron']!r} ({cron.describe(row['cron'])}), {state}{kept}>"

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
    def keep_runs(self) -> int | None:
        """How many of its ended runs stay (older ones are deleted after each firing); None keeps them all."""
        return self._row()["task"].get("keep_runs")

    def update(self, cron: str | None = None, timezone: str | None = None, concurrency: str | None = None,
               params: dict[str, Any] | None = None, inputs: dict[str, str] | None = None,
               keep_runs: int | None = None) -> Schedule:
        """Change what is given (None leaves a field as it is): the cron string, its time zone ('' for the
        local zone), the concurrency policy, the params and the inputs (each replaced whole) and ``keep_runs``
        (0 keeps every run). Everything is checked first, as when the schedule was made; on a bad value nothing
        changes. A new cron string or zone moves the next run to its next due time after now."""
        row = self._row()
        now = time.time()
        changes: dict[str, Any] = {}
        expression = row["cron"] if cron is None else _cron.normalize(cron)
        zone = row["timezone"] if timezone is None else timezone
        _cron.zone(zone)
        if concurrency is not None:
            _check_concurrency(concurrency)
            changes["concurrency"] = concurrency
        saved = dict(row["task"])
        if keep_runs is not None:
            saved["keep_runs"] = _check_keep_runs(keep_runs)
        if (expression, zone) != (row["cron"], row["timezone"]):
            _check_interval(cron if cron is not None else expression, expression, zone, now)
            changes.update({"cron": expression, "timezone": zone or ""})
            if not row["paused"]:
                changes["next_run"] = _cron.next_time(expression, now, zone)
        if params is not None or inputs is not None:
            task = Task.from_dict(saved["task"])
            if params is not None:
                task.params = _mapping(params, "params")
            if inputs is not None:
                task.inputs = _mapping(inputs, "inputs")
            project = load_project(self.project, store=self._store)
            if project is None:
                raise ProjectNotFoundError(f"project {self.project!r} is no longer in the store")
            function = load_function(self._store, self.project, row["function"])
            _check_task(function, project, task, saved.get("handler"), saved.get("selector"))
            saved["task"] = task.to_dict()
        if saved != row["task"]:
            changes["task"] = saved
        if changes:
            self._store.update_schedule(self.project, self.name, {**changes, "updated": now})
        return self

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
        "keep_runs": row["task"].get("keep_runs"), "task": row["task"],
    }


def _mapping(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValidationError(f"{what} must be a dict of names to values, not {type(value).__name__}")
    return dict(value)


def _iso(timestamp: float | None) -> str | None:
    return to_iso(timestamp)
