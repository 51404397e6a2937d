"""Run processes on this machine: is one still alive, and the reaper that ends runs whose owner died.

A run records the pid, host and start time of the process that owns it, and that process writes a
heartbeat (``last_update``). A run is never left ``running`` for ever: when its process is gone (on this
host) or its heartbeat is stale (on another), anyone who looks at runs marks it ``error`` with the reason.
The reaper only marks runs; starting the runs queued behind them is the runtimes' job
(``runtimes.recover``).
"""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING

from .. import process
from ..config import get_config
from ..record import LIVE_STATES, STARTED_STATES, RunState, hostname

if TYPE_CHECKING:
    from ..record import RunRecord
    from ..store.runstore import RunStore

_REAP_EVERY = 2.0  # seconds between two reaper passes in one process
_last_reap: dict[str, float] = {}


def stat_fields(pid: int) -> list[str] | None:
    """The fields of ``/proc/<pid>/stat`` after the command name (``[0]`` the state, ``[1]`` the parent's pid,
    ``[19]`` the start time); None when the process is gone or there is no ``/proc``."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def process_start_time(pid: int) -> int | None:
    """The kernel's start time of ``pid`` (clock ticks since boot), to tell a reused pid apart; Linux only."""
    fields = stat_fields(pid)
    return None if fields is None else int(fields[19])


def is_alive(pid: int, started: int | None = None) -> bool:
    """True if ``pid`` runs (not a zombie) and, when ``started`` is known, is the same process as then."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    fields = stat_fields(pid)
    if fields is None:
        return True  # no /proc: the signal check is all we have
    if fields[0] == "Z":
        return False
    return started is None or int(fields[19]) == started


def death_reason(run: RunRecord, now: float, reap_after: float) -> str | None:
    """Why the owner of a live run is gone, or None if it may still be working."""
    pid = run.pid
    if pid is None:
        return None  # queued, not started yet
    if run.host == hostname():
        if is_alive(pid, run.owner.pid_started):
            return None
        return f"process {pid} exited without reporting (killed, out of memory, or the machine restarted)"
    silent = now - run.last_update
    if silent > reap_after:
        return f"no heartbeat from process {pid} on {run.host} for {silent:.0f} s"
    return None


def reap(store: RunStore, force: bool = False) -> list[tuple[str, int]]:
    """Mark runs whose owning process died as ``error`` (``aborted`` if an abort was asked); returns them.

    Cheap to call often: one indexed query, at most once every few seconds per store unless ``force``.
    """
    now = time.time()
    if not force and now - _last_reap.get(store.url, 0.0) < _REAP_EVERY:
        return []
    _last_reap[store.url] = now
    reaped = []
    reap_after = get_config().reap_after
    for run in store.live_runs():
        reason = death_reason(run, now, reap_after)
        if reason is None:
            continue
        if record_death(store, run.uid, run.iteration, reason):
            reaped.append((run.uid, run.iteration))
    for uid, iteration in list(reaped):
        if iteration == 0:  # a sweep whose driver died: nobody else will stop the children it left
            reaped.extend(end_orphans(store, uid))
    return reaped


def end_orphans(store: RunStore, uid: str) -> list[tuple[str, int]]:
    """Stop the live iterations of a sweep whose parent's process died, by marking them only: one still
    queued ends ``aborted`` (it never starts), one whose process is gone is reaped, and one whose process
    lives is marked ``aborting`` (a job stops itself at its next heartbeat). Returns those that ended here."""
    now = time.time()
    reap_after = get_config().reap_after
    ended = []
    for run in store.live_runs():
        if run.uid != uid or not run.iteration:
            continue
        if run.pid is None:
            done = store.update_run_if(uid, run.iteration, {
                "state": RunState.ABORTED, "error": "aborted before it started: the process running its sweep died",
                "end_time": now, "last_update": now}, LIVE_STATES)  # an abort may have marked it already
        else:
            reason = death_reason(run, now, reap_after)
            done = reason is not None and record_death(store, uid, run.iteration, reason)
            if reason is None:
                store.update_run_if(uid, run.iteration, {"state": RunState.ABORTING, "last_update": now},
                                    STARTED_STATES)
        if done:
            ended.append((uid, run.iteration))
    return ended


def record_death(store: RunStore, uid: str, iteration: int, reason: str) -> bool:
    """End a run whose owning process died: ``error`` with the reason, or ``aborted`` when an abort had been
    asked. Conditional on the state, so it never overwrites an end the run recorded itself; True if it ended
    the run here."""
    now = time.time()
    errored = store.update_run_if(uid, iteration, {"state": RunState.ERROR, "error": reason, "end_time": now,
                                                   "last_update": now}, STARTED_STATES)
    aborted = store.update_run_if(uid, iteration, {"state": RunState.ABORTED, "error": "aborted by request",
                                                   "end_time": now, "last_update": now}, (RunState.ABORTING,))
    return errored or aborted


process.on_reset("runtimes.processes", "when the reaper last looked at each store", _last_reap.clear)
