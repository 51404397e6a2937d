"""The scheduler: fires due schedules as background runs, exactly once per due time across schedulers.

Any number of schedulers may watch one store (``runlab scheduler`` processes, Jupyter servers): a due time
is claimed by a conditional update of the schedule's ``next_run`` (``RunStore.claim_schedule``), so exactly
one of them fires it. A scheduler that was down fires a missed schedule once (not once per missed window)
and labels that run ``catch-up``. Concurrency per schedule: ``allow``, ``forbid`` (skip while the previous
run is still going, and record the skip) or ``replace`` (abort it, then fire). A schedule with ``keep_runs``
has its older ended runs deleted after each firing (``retention``).
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import cron, projectref
from .errors import ProjectNotFoundError, RunError
from .gc import after_run
from .handlers import FunctionSpec, load_function
from .launch import launch
from .retention import apply_retention
from .runtimes import abort_run, recover
from .store import get_store
from .task import Task

if TYPE_CHECKING:
    from .run import RunObject
    from .store.runstore import RunStore

log = logging.getLogger("runlab.scheduler")

# A due time this much older than the tick that sees it was missed (the scheduler was down or stalled).
LATE = 30.0


def background_function(function: FunctionSpec) -> FunctionSpec:
    """The function as a scheduler or the server runs it: never in their own process (a ``local`` function
    becomes a ``job``)."""
    if function.kind != "local":
        return function
    return dataclasses.replace(function, kind="job")


def fire(store: RunStore, row: dict[str, Any], due: float | None, reason: str = "",
         missed: int = 0) -> RunObject | None:
    """Start one run of the schedule ``row`` under its concurrency policy; None if it was skipped."""
    project, name = row["project"], row["name"]
    now = time.time()
    previous = row["last_uid"]
    previous_state = store.get_run_state(previous, 0) if previous else None
    if previous_state is not None and not previous_state.is_terminal:
        if row["concurrency"] == "forbid":
            store.add_schedule_event({"project": project, "name": name, "time": now, "due": due, "event": "skipped",
                                      "run_uid": previous,
                                      "message": f"run {previous} is still {previous_state} (concurrency forbid)"})
            return None
        if row["concurrency"] == "replace":
            abort_run(store, previous, 0)
            store.add_schedule_event({"project": project, "name": name, "time": now, "due": due, "event": "replaced",
                                      "run_uid": previous, "message": f"aborted run {previous} to start a new one"})
    saved = row["task"]
    task = Task.from_dict(saved["task"])
    labels = {**task.labels, "schedule": name}
    if missed:
        labels["catch-up"] = f"missed {missed} firing{'s' if missed > 1 else ''}"
    if reason == "run now":
        labels["trigger"] = "run-now"
    try:
        ref = projectref.load(project, store=store)
        if ref is None:
            raise ProjectNotFoundError(f"project {project!r} is no longer in the store")
        function = background_function(load_function(store, project, row["function"]))
        run = launch(function, ref, task.merged(labels=labels), handler=saved.get("handler"),
                     selector=saved.get("selector"), watch=False,
                     static=True)  # a scheduler runs no user code: the run's own process imports its file
    except RunError as exc:  # recorded as a failed run (e.g. a sweep whose children all failed at once)
        run = exc.run
    except Exception as exc:  # noqa: BLE001 - a schedule that cannot fire says why, and the scheduler goes on
        store.add_schedule_event({"project": project, "name": name, "time": now, "due": due, "event": "failed",
                                  "message": f"{type(exc).__name__}: {exc}"})
        log.error("schedule %s/%s could not fire: %s", project, name, exc)
        return None
    store.update_schedule(project, name, {"last_uid": run.uid(), "last_run": now})
    event = "caught-up" if missed else "fired"
    store.add_schedule_event({"project": project, "name": name, "time": now, "due": due, "event": event,
                              "run_uid": run.uid(), "message": labels.get("catch-up", reason)})
    try:
        apply_retention(store, project, name, saved.get("keep_runs"))
    except Exception as exc:  # noqa: BLE001 - the run started; retention says why it failed and tries next time
        store.add_schedule_event({"project": project, "name": name, "time": time.time(), "due": None,
                                  "event": "failed", "message": f"retention: {type(exc).__name__}: {exc}"})
        log.error("schedule %s/%s: retention failed: %s", project, name, exc)
    after_run(ref)  # the project's gc policy, if it keeps one (never raises)
    return run


class Scheduler:
    """Fires due schedules of one store. ``tick(now)`` does one pass (tests drive it with their own clock);
    ``run(stop)`` loops until ``stop`` is set."""

    def __init__(self, store: RunStore | None = None, clock: Callable[[], float] = time.time,
                 poll: float = 5.0) -> None:
        self.store = store or get_store()
        self.clock = clock
        self.poll = poll

    def tick(self, now: float | None = None) -> list[RunObject]:
        """Fire every schedule due at ``now``; returns the runs this scheduler started. Runs whose process
        died are reaped on the way, and runs queued behind them started."""
        now = self.clock() if now is None else now
        recover(self.store)
        started = []
        for row in self.store.due_schedules(now):
            due = row["next_run"]
            following = cron.next_time(row["cron"], now, row["timezone"])
            if not self.store.claim_schedule(row["project"], row["name"], due, following, now):
                continue  # another scheduler took this due time
            missed = self._missed(row, due, now)
            run = fire(self.store, row, due, missed=missed)
            if run is not None:
                started.append(run)
        return started

    @staticmethod
    def _missed(row: dict[str, Any], due: float, now: float) -> int:
        """How many firings were missed before ``now`` (0 when ``due`` is on time)."""
        if now - due < LATE:
            return 0
        count, at = 1, due
        while count < 10_000:
            at = cron.next_time(row["cron"], at, row["timezone"])
            if at > now:
                break
            count += 1
        return count

    def run(self, stop: threading.Event) -> None:
        """Tick until ``stop`` is set: at each due time, and at least every ``poll`` seconds (to see schedules
        that other processes add)."""
        log.info("scheduler started on %s", self.store.url)
        while not stop.is_set():
            try:
                self.tick()
                upcoming = self.store.next_due()
            except Exception:  # a store hiccup must not end the scheduler (logged); try again later
                log.exception("scheduler pass failed")
                upcoming = None
            wait = self.poll if upcoming is None else min(self.poll, max(0.0, upcoming - self.clock()))
            stop.wait(max(wait, 0.05))
        log.info("scheduler stopped")


def start_in_thread(store: RunStore | None = None) -> tuple[threading.Thread, threading.Event]:
    """A scheduler in a daemon thread (the Jupyter server extension's); set the event to stop it."""
    stop = threading.Event()
    thread = threading.Thread(target=Scheduler(store).run, args=(stop,), name="runlab-scheduler", daemon=True)
    thread.start()
    return thread, stop
