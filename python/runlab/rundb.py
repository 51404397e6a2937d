"""``get_run_db()``: the store as a small query API (MLRun's ``get_run_db`` names)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .errors import RunNotFoundError, ValidationError
from .record import artifact_to_dict
from .run import RunList, RunObject, get_run, list_runs
from .runtimes import abort_run
from .schedules import Schedule, ScheduleList
from .store import get_store


class RunDB:
    """Queries over the run store: runs, logs, artifacts and projects."""

    def __init__(self, url: str | None = None) -> None:
        self.store = get_store(url)

    def list_runs(self, name: str | None = None, project: str | None = None, uid: str | None = None,
                  labels: dict[str, str] | list[str] | str | None = None, state: str | None = None,
                  last: int | None = None, iter: bool = False, start_time_from: datetime | None = None,
                  start_time_to: datetime | None = None, filter: str | None = None,
                  order_by: str | list[str] | None = None) -> RunList:
        """Runs, newest first, across projects unless ``project`` is given (MLRun's ``"*"`` also means every
        project). ``name="~part"`` matches names containing ``part`` in any case; ``start_time_from`` and
        ``start_time_to`` (datetimes, MLRun's names) keep runs started in that span. Each run also reads as
        MLRun's run dict (``run["metadata"]["uid"]``). ``filter`` and ``order_by`` are those of
        :func:`runlab.list_runs` (``filter="results.accuracy > 0.9"``, ``order_by=["results.accuracy desc"]``)."""
        since = until = None
        for key, value in (("start_time_from", start_time_from), ("start_time_to", start_time_to)):
            if value is not None and not isinstance(value, datetime):
                raise ValidationError(f"{key} must be a datetime, not {type(value).__name__}")
        if start_time_from is not None:
            since = start_time_from.timestamp()
        if start_time_to is not None:
            until = start_time_to.timestamp()
        return list_runs(project=None if project == "*" else project, name=name, uid=uid, labels=labels,
                         state=state, last=last, iter=iter, since=since, until=until, store=self.store,
                         filter=filter, order_by=order_by)

    def read_run(self, uid: str, project: str | int = "", iter: int = 0, format_: Any = None) -> RunObject:
        """One run by uid (or unique prefix), from this store.

        MLRun's call ``read_run(uid, project, iter=...)`` and runlab's ``read_run(uid, iter)`` both work: a
        second argument that is an int is the iteration. With ``project``, a run of another project is
        not found. The RunObject is also read-only mapping access to MLRun's run dict
        (``run["status"]["state"]``, ``run["metadata"]["uid"]``); ``format_`` is accepted and ignored
        (the whole run is always returned).
        """
        iteration = iter
        if isinstance(project, int) and not isinstance(project, bool):
            if iteration:
                raise ValidationError("give the iteration once: read_run(uid, iter) or read_run(uid, project, iter=)")
            project, iteration = "", project
        if not isinstance(iteration, int) or isinstance(iteration, bool) or iteration < 0:
            raise ValidationError(f"iter must be an iteration number (an int >= 0), not {iteration!r}")
        run = get_run(uid, iteration, store=self.store)
        _check_project(run, project)
        return run

    def abort_run(self, uid: str, project: str = "", iter: int = 0, timeout: float = 45,
                  status_text: str = "") -> str:
        """Stop a run (MLRun's ``db.abort_run``): ``aborting``, then its runtime stops it; returns the state it
        is in afterwards. A run that already ended is left as it is. ``timeout`` and ``status_text`` are
        accepted for MLRun's signature; the abort itself takes ``abort_grace`` seconds at most."""
        run = self.read_run(uid, project, iter=iter)
        return str(abort_run(self.store, run.uid(), iter))

    def list_schedules(self, project: str, name: str | None = None, kind: str | None = None,
                       include_last_run: bool = False) -> ScheduleList:
        """The project's schedules (MLRun's ``db.list_schedules``), by name; ``name`` keeps one of that name.

        A list of :class:`~runlab.Schedule`; ``.schedules`` gives the same list, as MLRun's result reads.
        ``kind`` may be ``"job"`` (every runlab schedule runs a job); ``include_last_run`` is accepted
        (``schedule.last_run`` reads the last run whenever asked).
        """
        if kind not in (None, "job"):
            raise ValidationError(f"runlab schedules run jobs: kind must be 'job' or None, not {kind!r}")
        rows = self.store.list_schedules(project)
        return ScheduleList(Schedule(self.store, project, row["name"]) for row in rows
                            if name is None or row["name"] == name)

    def get_schedule(self, project: str, name: str, include_last_run: bool = False) -> Schedule:
        """One schedule of a project (MLRun's ``db.get_schedule``); ``ScheduleNotFoundError`` names the
        schedules the project has."""
        return Schedule.get(self.store, project, name)

    def get_log(self, uid: str, offset: int = 0, iteration: int = 0) -> tuple[str, int]:
        """The run's log from byte ``offset``, and the next offset."""
        return self.store.read_log(uid, iteration, offset)

    def del_run(self, uid: str, project: str = "", iter: int = 0) -> None:
        """Delete a run (every iteration), its log and its artifact records (MLRun's ``db.del_run``). As in
        MLRun, a run not in the store (or, with ``project``, not of that project) is nothing to delete, and a
        run that has not ended is refused (``RunStateError``: abort it first); ``iter`` is accepted, and every
        iteration is deleted, as MLRun does."""
        if project:
            found = self.store.get_run_fields(uid, 0, "project")
            if found is None or found["project"] != project:
                return
        self.store.delete_run(uid)

    def list_projects(self) -> list[dict[str, Any]]:
        return self.store.list_projects()

    def list_artifacts(self, project: str, key: str | None = None) -> list[dict[str, Any]]:
        return [artifact_to_dict(r) for r in self.store.list_artifacts(project, key)]


def _check_project(run: RunObject, project: str) -> None:
    if project and run.metadata.project != project:
        raise RunNotFoundError(f"run {run.uid()} belongs to project {run.metadata.project!r}, not {project!r}: "
                               "give its project or leave project out")


def get_run_db(url: str | None = None) -> RunDB:
    """The run store (default: the configured one) as a query API."""
    return RunDB(url)
