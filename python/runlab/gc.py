"""A project's garbage collection: delete its old ended runs with their logs and artifact files.

``select_runs`` picks the runs (ended, older than a bound, beyond the newest ``keep_last`` of each job, in
some states); ``collect`` deletes them through ``retention.prune``, which never deletes a run whose artifact
files a staying run of the project reads as an input, and returns a :class:`GcReport`. A project may keep a
gc policy (``set_policy``): ``after_run`` applies it when a run of the project ends, at most once per the
policy's ``interval`` seconds in each process, so a run pays nothing but a clock read otherwise.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import process
from .errors import ProjectNotFoundError, RunlabError, ValidationError
from .record import RunState
from .retention import prune
from .values import counted, format_bytes

if TYPE_CHECKING:
    from .projectref import ProjectRef
    from .record import RunRecord
    from .store.runstore import RunStore

log = logging.getLogger("runlab.gc")

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
ENDED_STATES = RunState.terminal_states()
DEFAULT_INTERVAL = 60.0
"""Seconds between two post-run gc passes of a project in one process (a policy may set its own)."""
PROGRESS_FROM = 50
"""A deletion of at least this many runs shows a progress bar (when asked for one)."""


@dataclass
class GcReport:
    """What a gc pass deleted (``dry_run``: would delete): the runs, the artifact files and their bytes, the
    runs kept because a staying run reads their artifacts, and the files left in place (not runlab's own)."""

    project: str
    dry_run: bool
    runs: list[str] = field(default_factory=list)
    files: int = 0
    bytes: int = 0
    kept_as_inputs: list[str] = field(default_factory=list)
    files_not_removed: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        """One line: "deleted 3 runs, 5 artifact files, freed 1.2 MB" (a dry run: "would delete ...")."""
        verb, freed = ("would delete", "would free") if self.dry_run else ("deleted", "freed")
        text = (f"{verb} {counted(len(self.runs), 'run')}, {counted(self.files, 'artifact file')}, "
                f"{freed} {format_bytes(self.bytes)}")
        if self.kept_as_inputs:
            text += f"; kept {counted(len(self.kept_as_inputs), 'run')} whose artifacts a kept run reads"
        if self.files_not_removed:
            text += f"; left {counted(len(self.files_not_removed), 'file')} runlab did not write"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {"project": self.project, "dry_run": self.dry_run, "runs": list(self.runs), "files": self.files,
                "bytes": self.bytes, "kept_as_inputs": list(self.kept_as_inputs),
                "files_not_removed": list(self.files_not_removed)}

    def __repr__(self) -> str:
        return f"<GcReport {self.project}: {self.summary}>"


def parse_duration(value: Any, what: str = "older_than") -> float:
    """Seconds from a duration: a number of seconds, a ``timedelta``, or text such as ``30d``, ``12h``,
    ``90m``, ``45s``, ``2w``; ``ValidationError`` otherwise."""
    if isinstance(value, dt.timedelta):
        seconds = value.total_seconds()
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = float(value)
    elif isinstance(value, str) and (match := _DURATION.match(value)):
        seconds = float(match[1]) * _UNITS[match[2]]
    else:
        raise ValidationError(f"{what}={value!r} is not a duration: give seconds (a number) or text such as "
                              "'30d', '12h', '90m', '45s' or '2w'")
    if seconds < 0:
        raise ValidationError(f"{what}={value!r} is negative: give how long ago, e.g. '30d'")
    return seconds


def checked_states(state: str | Iterable[str] | None) -> list[str] | None:
    """The states gc may delete, checked: ended ones only (``completed``, ``error``, ``aborted``)."""
    if state is None:
        return None
    states = [state] if isinstance(state, str) else list(state)
    for item in states:
        if item not in ENDED_STATES:
            live = item in {s.value for s in RunState}
            raise ValidationError(
                f"state {item!r}: gc deletes only runs that ended, in states {', '.join(ENDED_STATES)}"
                + (" (abort a live run first)" if live else ""))
    if not states:
        raise ValidationError(f"state=[] selects nothing: give one or more of {', '.join(ENDED_STATES)}, or None")
    return states


def checked_keep_last(keep_last: Any) -> int | None:
    if keep_last is None:
        return None
    if not isinstance(keep_last, int) or isinstance(keep_last, bool) or keep_last < 0:
        raise ValidationError(f"keep_last={keep_last!r} must be a count of runs (an int >= 0)")
    return keep_last


@dataclass(frozen=True)
class Selection:
    """Which runs of a project a gc pass or an export takes, checked (durations in seconds)."""

    older_than: float | None = None
    keep_last: int | None = None
    states: tuple[str, ...] | None = None

    @classmethod
    def checked(cls, older_than: Any = None, keep_last: Any = None, state: str | Iterable[str] | None = None,
                required: bool = True) -> Selection:
        """A selection from user values; ``required``: at least one bound (gc with none would delete every
        ended run of the project)."""
        seconds = None if older_than is None else parse_duration(older_than)
        keep = checked_keep_last(keep_last)
        states = checked_states(state)
        if required and seconds is None and keep is None and states is None:
            raise ValidationError("give older_than, keep_last or state (or several): gc with none of them would "
                                  "delete every ended run of the project")
        return cls(seconds, keep, None if states is None else tuple(states))

    def to_dict(self) -> dict[str, Any]:
        return {"older_than": self.older_than, "keep_last": self.keep_last,
                "state": None if self.states is None else list(self.states)}


def select_runs(store: RunStore, project: str, selection: Selection, now: float | None = None
                ) -> tuple[list[RunRecord], list[RunRecord]]:
    """The project's runs (iteration 0, newest first) split into those ``selection`` takes and the rest.

    A run is taken when it ended, is not one of the newest ``keep_last`` ended runs of its job (the project's
    runs of one name, as the Jobs panel groups them; live runs do not count), started more than
    ``older_than`` seconds before ``now``, and is in one of ``states``. A live run is never taken."""
    now = time.time() if now is None else now
    runs = store.list_runs(project=project, newest_first=True)
    seen: dict[str, int] = {}
    taken: list[RunRecord] = []
    rest: list[RunRecord] = []
    for run in runs:
        if not run.is_terminal:
            rest.append(run)
            continue
        rank = seen[run.name] = seen.get(run.name, 0) + 1
        if ((selection.keep_last is None or rank > selection.keep_last)
                and (selection.older_than is None or run.start_time < now - selection.older_than)
                and (selection.states is None or run.state.value in selection.states)):
            taken.append(run)
        else:
            rest.append(run)
    return taken, rest


def collect(store: RunStore, project: str, selection: Selection, dry_run: bool = False,
            progress: bool = False, now: float | None = None) -> GcReport:
    """Delete (``dry_run``: only report) the runs ``selection`` takes of ``project``, with their logs and
    artifact files, except the runs whose artifact files a staying run reads as an input."""
    if store.get_project(project) is None:
        raise ProjectNotFoundError(f"no project named {project!r}: `runlab runs` lists the runs of each project")
    doomed, staying = select_runs(store, project, selection, now)
    bar = _progress_bar(len(doomed), dry_run) if progress and len(doomed) >= PROGRESS_FROM else None
    try:
        result = prune(store, doomed, staying, dry_run=dry_run, progress=None if bar is None else bar.update)
    finally:
        if bar is not None:
            bar.close()
    return GcReport(project, dry_run, result.deleted, result.removed_files, result.freed_bytes,
                    result.kept_as_inputs, result.files_not_removed)


def _progress_bar(total: int, dry_run: bool) -> Any:
    from tqdm.auto import tqdm  # on first use: the runlab command starts without it

    return tqdm(total=total, desc="runs looked at" if dry_run else "runs deleted", unit="run")


# -- a project's policy, applied after its runs -------------------------------------------------------------


def set_policy(store: RunStore, project: str, selection: Selection | None, interval: float = DEFAULT_INTERVAL
               ) -> None:
    """Keep (None: remove) the gc ``selection`` a project applies after its runs end, at most once per
    ``interval`` seconds in each process."""
    if not isinstance(interval, (int, float)) or isinstance(interval, bool) or interval < 0:
        raise ValidationError(f"interval={interval!r} must be seconds between two gc passes (a number >= 0)")
    value = None if selection is None else {**selection.to_dict(), "interval": float(interval)}
    if store.update_project_settings(project, {"gc": value}) is None:
        raise ProjectNotFoundError(f"no project named {project!r}: save it first (runlab.get_or_create_project)")
    with _lock:
        _next_pass.pop((store.url, project), None)  # the new policy applies from the next run's end


def get_policy(store: RunStore, project: str) -> dict[str, Any] | None:
    """The gc policy a project keeps (``older_than`` in seconds, ``keep_last``, ``state``, ``interval``), or
    None."""
    settings = store.get_project_settings(project)
    return None if not settings else settings.get("gc")


_next_pass: dict[tuple[str, str], float] = {}
"""When each (store, project) may next look at its gc policy in this process (``time.monotonic``)."""
_lock = threading.Lock()
process.on_reset("gc", "when each project's post-run gc may next run in this process", _next_pass.clear)


def after_run(project: ProjectRef) -> GcReport | None:
    """Apply the project's gc policy as one of its runs ended, unless this process applied it less than the
    policy's interval ago (then only the clock is read). Never raises: a failure is logged and retried after
    the interval. Returns what it deleted, or None when it did not run."""
    key = (project.store.url, project.name)
    now = time.monotonic()
    with _lock:
        if now < _next_pass.get(key, 0.0):
            return None
        _next_pass[key] = now + DEFAULT_INTERVAL
    try:
        policy = get_policy(project.store, project.name)
        if not policy:
            return None
        with _lock:
            _next_pass[key] = now + float(policy.get("interval", DEFAULT_INTERVAL))
        selection = Selection.checked(policy.get("older_than"), policy.get("keep_last"), policy.get("state"))
        report = collect(project.store, project.name, selection)
    except RunlabError as exc:
        log.warning("runlab: the gc after a run of project %s failed: %s", project.name, exc)
        return None
    except Exception:
        log.exception("runlab: the gc after a run of project %s failed", project.name)
        return None
    if report.runs:
        log.info("runlab: project %s gc %s", project.name, report.summary)
    return report
