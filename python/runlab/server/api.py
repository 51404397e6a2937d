"""What the REST API answers, as plain functions over the store (the handlers add HTTP around them).

Every function takes the store and validated arguments and returns JSON-ready data, or raises one of
runlab's typed errors with a message that says what was wrong and how to fix it; the handlers map each
error class to its HTTP status in one place (``handlers.STATUS``). What reads run states runs the reaper
first (at most every few seconds; it only marks runs whose process died), so the Jobs panel never shows a
dead run as ``running`` while no other process looks.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .. import capture
from ..artifactaccess import check_artifact
from ..charts import VEGA_LITE_MIME, sweep_chart
from ..errors import (
    ArtifactNotFoundError,
    EnvironmentNotFoundError,
    JobRequestError,
    ProjectNotFoundError,
    RunlabError,
    RunNotFoundError,
    RunStateError,
    ScheduleNotFoundError,
    ValidationError,
)
from ..preview import preview_artifact
from ..record import RunRecord, checked_notes, is_terminal, to_iso
from ..retention import RemovedRun, remove_files, remove_run
from ..runtimes import abort_run
from ..runtimes.processes import reap
from ..schedules import Schedule, schedule_dict
from ..store import runfilter
from ..store.runstore import RunStore
from ..values import format_bytes
from . import jobrequest
from .fields import project_fields
from .sourceinfo import inspect_source, resolve_under

MAX_LIMIT = 500
LISTED_VALUE_CHARS = 1000
"""A param or result longer than this (as JSON) is listed as a short preview; the run's own route has it whole."""
LISTED_ITERATIONS = 20
"""A listed sweep carries this many rows of its iteration table (and ``iteration_count``); its route has all."""


def projects(store: RunStore) -> tuple[str, list[dict[str, Any]]]:
    """Every project with its run count and newest change, and an ETag of them all: a new project, an edited
    one, a new run or a run's change anywhere changes it (after the reaper marked runs whose process died).
    Costs a few index steps per project, whatever the number of runs."""
    reap(store)
    found, seen = [], []
    for project in store.list_projects():
        newest, count = store.changed_since(project["name"])
        seen.append(f"{project['name']}:{project.get('updated')!r}:{newest!r}:{count}")
        found.append({"name": project["name"], "description": project.get("description") or "",
                      "context": project.get("context") or "", "runs": count,
                      "last_update": to_iso(newest) if newest else None})
    return hashlib.sha1("\n".join(seen).encode()).hexdigest()[:16], found


def stamp(store: RunStore, project: str | None) -> str:
    """An ETag for "anything changed in this project": newest update and run count (after the reaper marked
    runs whose process died, so a death changes it)."""
    reap(store)
    newest, count = store.changed_since(project)
    return hashlib.sha1(f"{project}:{newest!r}:{count}".encode()).hexdigest()[:16]


def jobs(store: RunStore, project: str, contains: str | None = None) -> list[dict[str, Any]]:
    """The project's jobs (runs grouped by name), newest first."""
    _known_project(store, project)
    reap(store)
    return [{"name": j["name"], "runs": j["runs"], "last_start": to_iso(j["last_start"]), "last_uid": j["uid"],
             "last_state": j["state"], "last_kind": j["kind"], "last_error": j["error"],
             "last_duration": _duration(j["last_start"], j["end_time"] or (None if is_terminal(j["state"])
                                                                              else j["last_update"]))}
            for j in store.list_jobs(project, contains)]


def fields(store: RunStore, project: str) -> dict[str, Any]:
    """The param, result and label keys of the project's newest runs with their kinds (``fields``)."""
    _known_project(store, project)
    return project_fields(store, project)


def runs(store: RunStore, project: str | None = None, name: str | None = None, states: list[str] | None = None,
         labels: list[str] | None = None, since: str | None = None, until: str | None = None,
         sort: str | None = None, limit: int = 50, offset: int = 0, iterations: bool = False,
         filter: str | None = None, order_by: list[str] | None = None) -> dict[str, Any]:
    """A page of runs with filters; ``next_offset`` is None on the last page. ``filter`` and ``order_by`` are
    those of ``list_runs``; ``sort`` (``-start``, the default, or ``start``) and ``order_by`` exclude each other."""
    if sort is not None and order_by:
        raise ValidationError(f"give sort or order_by, not both: order_by {order_by!r} sets the whole order "
                              "(add 'start asc' or 'start desc' to it)")
    sort = sort or "-start"
    if sort not in ("start", "-start"):
        raise ValidationError(f"sort must be 'start' or '-start', not {sort!r}")
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationError(f"limit must be between 1 and {MAX_LIMIT}, not {limit}")
    if offset < 0:
        raise ValidationError(f"offset must be 0 or more, not {offset}")
    label_filter: dict[str, str | None] = {}
    for label in labels or []:
        key, sep, value = label.partition("=")
        if not key:
            raise ValidationError(f"label filter {label!r} must be 'key' or 'key=value'")
        label_filter[key] = value if sep else None
    runfilter.check(filter or None, order_by)
    reap(store)
    rows = store.list_runs(project=project, name=name, state=states or None, labels=label_filter or None,
                           since=_time(since, "since", inclusive=True), until=_time(until, "until"),
                           iterations=iterations, filter=filter or None, order_by=order_by or None,
                           last=limit + 1, offset=offset, newest_first=sort == "-start")
    more = len(rows) > limit
    return {"runs": [_lean(run_summary(r)) for r in rows[:limit]], "offset": offset, "limit": limit,
            "next_offset": offset + limit if more else None}


def run_summary(record: RunRecord) -> dict[str, Any]:
    """A run as listed: the MLRun-shaped dict plus its duration in seconds."""
    data = record.to_dict()
    data["status"]["duration"] = _duration(record.start_time, record.end_time or (
        None if record.is_terminal else record.last_update))
    return data


def _lean(data: dict[str, Any]) -> dict[str, Any]:
    """A listed run with each long param and result cut to a preview string and a sweep's iteration table
    cut to its first rows (``status.iteration_count`` says how many), their paths in ``truncated``: one large
    value or sweep must not make every page of runs large."""
    truncated: list[str] = []
    for section, field in (("spec", "parameters"), ("status", "results")):
        values = data[section].get(field) or {}
        for key in values:
            _cut_long(values, key, f"{section}.{field}.{key}", truncated)
    code = data["spec"].get("code") or {}  # a long source or diff: one run's view has it whole
    _cut_long(code, "source", "spec.code.source", truncated)
    _cut_long(code.get("git") or {}, "diff", "spec.code.git.diff", truncated)
    iterations = data["status"].get("iterations") or []
    data["status"]["iteration_count"] = len(iterations)
    if len(iterations) > LISTED_ITERATIONS:  # a sweep's whole table is in the run's own route
        data["status"]["iterations"] = iterations[:LISTED_ITERATIONS]
        truncated.append("status.iterations")
    if truncated:
        data["truncated"] = truncated
    return data


def _cut_long(holder: dict[str, Any], key: str, path: str, truncated: list[str]) -> None:
    """Cut ``holder[key]`` to a preview string when its text is longer than ``LISTED_VALUE_CHARS`` (its
    ``path`` then goes into ``truncated``)."""
    if key not in holder:
        return
    value = holder[key]
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    if len(text) > LISTED_VALUE_CHARS:
        holder[key] = f"{text[:100]}… ({format_bytes(len(text.encode('utf-8', 'surrogatepass')))})"
        truncated.append(path)


def run(store: RunStore, uid: str, iteration: int = 0, root: str = "") -> dict[str, Any]:
    """One run with its artifacts, iteration table (sweeps) and the children's states. Files under the
    server's ``root`` folder (artifacts, a notebook function's notebook) get their path relative to it
    (``root_path``), so the client can open them in JupyterLab."""
    reap(store)
    row = _row(store, uid, iteration)
    data = run_summary(row)
    for record in data["status"]["artifacts"]:
        record["root_path"] = _under(record["target_path"], root)
    source = data["spec"].get("source") or {}
    data["notebook_path"] = _under(source.get("filename") or "", root) if source.get("kind") == "notebook" else None
    if iteration == 0 and data["status"].get("iterations"):
        children = store.list_runs(uid=uid, iterations=True, newest_first=False)
        data["children"] = [{"iteration": c.iteration, "state": c.state.value, "error": c.error}
                            for c in children if c.iteration]
    return data


def environment(store: RunStore, env_hash: str) -> dict[str, Any]:
    """A stored Python environment (a run's ``spec.code.environment``): its version, platform and packages."""
    found = store.get_environment(env_hash) if len(env_hash) <= 64 else None
    if found is None:
        raise EnvironmentNotFoundError(f"no environment {env_hash[:64]!r} in the store: take the hash from a run's "
                                       "spec.code.environment (runs recorded with capture turned off name none)")
    found["created"] = to_iso(found["created"])
    return found


def drift(store: RunStore, uid: str) -> dict[str, Any]:
    """What changed since run ``uid`` ran (``capture.drift``): its code now against the recorded sha256 and
    the server's Python environment against the run's, which is what a rerun from here runs with."""
    found = capture.drift(_row(store, uid, 0), store)
    found["message"] = capture.drift_message(uid, found) if found["captured"] else None
    return found


def chart(store: RunStore, uid: str) -> dict[str, Any]:
    """A sweep's chart as a Vega-Lite spec (``spec``, null while no iteration has a numeric result to draw,
    ``note`` then says why) with its MIME type, from the parent's iteration table."""
    row = _row(store, uid, 0)
    table = row.status.get("iterations") or []
    if not table and not row.spec.get("hyperparams"):
        raise RunStateError(f"run {uid} is not a hyper-parameter sweep, so it has no chart: run the function "
                            "with hyperparams=... (or a param_file) to get one")
    options = row.spec.get("hyper_param_options") or {}
    selector = options.get("selector") or ""
    spec = sweep_chart(table, selector, row.status.get("best_iteration"), list(row.spec.get("hyperparams") or {}))
    note = ""
    if spec is None:
        wanted = f"the selector's result {selector!r}" if selector else "a numeric result"
        note = (f"no completed iteration has {wanted} yet ({len(table)} of the sweep's iterations ended)"
                if table else "no iteration has ended yet")
    return {"mime_type": VEGA_LITE_MIME, "spec": spec, "note": note}


def log(store: RunStore, uid: str, iteration: int = 0, offset: int = 0, timestamps: bool = False) -> dict[str, Any]:
    """The run's log from byte ``offset``: the text, the offset to ask from next, and the run's state; with
    ``timestamps``, ``times``: when each line that starts in the text began (lines written before runlab kept
    times have none)."""
    if offset < 0:
        raise ValidationError(f"offset must be 0 or more, not {offset}")
    reap(store)
    state = store.get_run_state(uid, iteration)
    if state is None:
        raise RunNotFoundError(f"run {uid} (iteration {iteration}) is not in the store")
    if not timestamps:
        text, next_offset = store.read_log(uid, iteration, offset)
        return {"text": text, "offset": next_offset, "state": state.value, "terminal": state.is_terminal}
    text, next_offset, starts = store.read_log_times(uid, iteration, offset)
    return {"text": text, "offset": next_offset, "state": state.value, "terminal": state.is_terminal,
            "times": _line_times(text, offset, starts)}


def _line_times(text: str, offset: int, starts: dict[int, float]) -> list[dict[str, Any]]:
    """The start time of each line of ``text`` (read from byte ``offset`` of the log) that has one: the line's
    first character's index in ``text`` and the time."""
    times, at, position = [], 0, offset  # a character index in text, and its byte offset in the log
    for line in text.split("\n"):
        if position in starts:
            times.append({"at": at, "time": to_iso(starts[position])})
        at += len(line) + 1
        position += len(line.encode("utf-8")) + 1
    return times


def artifact_source(store: RunStore, uid: str, iteration: int, key: str) -> tuple[dict[str, Any], str, bool]:
    """An artifact's record by key (the only way to reach a file through the API), its run's artifact path
    (the only folder its file may be served from) and whether the run ended."""
    row = _row(store, uid, iteration)
    artifacts = row.to_dict()["status"]["artifacts"]
    for record in artifacts:
        if record["key"] == key:
            return record, row.spec.get("output_path") or "", row.is_terminal
    keys = ", ".join(a["key"] for a in artifacts) or "none"
    raise ArtifactNotFoundError(f"run {uid} (iteration {iteration}) has no artifact {key!r} (it has: {keys})")


def preview(store: RunStore, uid: str, iteration: int, key: str, max_bytes: int) -> dict[str, Any]:
    """A preview of an artifact whose file is one the artifact route would serve (a file that is gone is
    previewed as an error, as before)."""
    record, root, _ = artifact_source(store, uid, iteration, key)
    with contextlib.suppress(ArtifactNotFoundError):
        check_artifact(record, root)
    return preview_artifact(record, max_bytes)


def abort(store: RunStore, uid: str) -> dict[str, Any]:
    """Abort a run (every iteration of a sweep); returns its state."""
    record = _row(store, uid, 0)
    if record.is_terminal:
        raise RunStateError(f"run {uid} already ended ({record.state}); nothing to abort")
    return {"uid": uid, "state": abort_run(store, uid, 0).value}


def rerun(store: RunStore, uid: str, changes: Any = None, root: str = "") -> dict[str, Any]:
    """Start the same function with the same params and inputs as a new run (in the background), labelled
    ``rerun-of``; ``changes`` (``params``, ``inputs``, ``labels``, ``handler``) are checked and merged over
    the recorded ones (``jobrequest.rerun``)."""
    record = _row(store, uid, 0)
    try:
        return jobrequest.rerun(store, record, changes, root)
    except (RunStateError, JobRequestError):
        raise
    except RunlabError as exc:
        raise RunStateError(f"cannot rerun {uid}: {exc}") from None


def inspect(store: RunStore, path: str, root: str, uid: str = "") -> dict[str, Any]:
    """What the file at ``path`` (under the server's ``root``) offers a job, or with ``uid`` the source file
    that run recorded (read from the store, never a path from the client): a Python file's functions, a
    notebook's parameters; parsed, never run."""
    if not uid:
        return {"path": path, **inspect_source(resolve_under(root, path))}
    source = (_row(store, uid, 0).spec.get("source") or {}).get("filename") or ""
    if not source:
        raise RunStateError(f"run {uid}'s function was defined in a notebook cell: it has no source file to read")
    if not os.path.isfile(source):
        raise RunStateError(f"run {uid}'s source {source} no longer exists")
    return {"path": _under(source, root) or "", **inspect_source(Path(source))}


def delete(store: RunStore, uid: str) -> dict[str, Any]:
    """Delete a run that ended: every iteration, its log, its artifact records and their files (only regular
    files under the run's artifact path: a symlink or a file outside it stays, listed in ``files_not_removed``)."""
    _row(store, uid, 0)
    removed = remove_run(store, uid)
    return {"uid": uid, "deleted_artifacts": removed.removed_files, "files_not_removed": removed.files_not_removed}


MAX_BULK_DELETE = 10_000
"""The most uids one bulk delete takes (a larger selection is deleted in several calls)."""


def delete_many(store: RunStore, uids: Any) -> dict[str, Any]:
    """Delete the runs among ``uids`` that ended, in one store transaction, with their artifact files (as
    ``delete`` does); a run that has not ended, or is not in the store, is skipped with the reason."""
    if not isinstance(uids, list) or not all(isinstance(uid, str) and uid for uid in uids):
        raise ValidationError('give the runs to delete as {"uids": ["<uid>", ...]}: a list of run uids (strings)')
    if not uids:
        raise ValidationError('no runs to delete: "uids" is an empty list')
    if len(uids) > MAX_BULK_DELETE:
        raise ValidationError(f"at most {MAX_BULK_DELETE:,} runs per call, not {len(uids):,}: delete them in parts")
    reap(store)  # a run whose process died ends now, and can be deleted
    deleted, kept, records = store.delete_runs(uids)
    skipped = [{"uid": uid, "reason": "not in the store" if state is None
                else f"the run is {state}: abort it before deleting it"} for uid, state in kept.items()]
    removed = remove_files(records, RemovedRun(""))
    return {"deleted": deleted, "skipped": skipped, "files_removed": removed.removed_files,
            "files_not_removed": removed.files_not_removed}


def set_notes(store: RunStore, uid: str, body: Any) -> dict[str, Any]:
    """Set a run's notes from a ``{"notes": "..."}`` body; returns the run's uid and notes."""
    if not isinstance(body, dict) or set(body) != {"notes"}:
        keys = ", ".join(map(repr, body)) if isinstance(body, dict) else type(body).__name__
        raise ValidationError(f'send {{"notes": "<text>"}} to change a run\'s notes (got {keys or "nothing"}); '
                              "notes are the only field of a run that can be changed")
    notes = checked_notes(body["notes"])
    if not store.set_notes(uid, notes):
        raise RunNotFoundError(f"run {uid} is not in the store")
    return {"uid": uid, "notes": notes}


def log_file(store: RunStore, uid: str, iteration: int) -> tuple[str, str]:
    """The run's whole log and the file name to download it as (``<name>-<uid8>.log``, ASCII)."""
    row = _row(store, uid, iteration)
    text, _ = store.read_log(uid, iteration, 0)
    name = "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "_" for c in row.name) or "run"
    suffix = f"-{iteration}" if iteration else ""
    return text, f"{name}-{uid[:8]}{suffix}.log"


def _under(path: str, root: str) -> str | None:
    """``path`` relative to ``root`` when it is a local file under it, else None."""
    if not path or not root or "://" in path.removeprefix("file://"):
        return None
    local, base = os.path.realpath(path.removeprefix("file://")), os.path.realpath(os.path.expanduser(root))
    return os.path.relpath(local, base).replace(os.sep, "/") if local.startswith(base + os.sep) else None


def _row(store: RunStore, uid: str, iteration: int) -> RunRecord:
    record = store.get_run(uid, iteration)
    if record is None:
        raise RunNotFoundError(f"run {uid} (iteration {iteration}) is not in the store")
    return record


def _known_project(store: RunStore, project: str) -> None:
    if store.get_project(project) is None:
        names = ", ".join(p["name"] for p in store.list_projects()) or "none"
        raise ProjectNotFoundError(f"project {project!r} is not in the store (projects: {names})")


EARLIEST = datetime(1, 1, 2, tzinfo=timezone.utc)
LATEST = datetime(9999, 12, 30, tzinfo=timezone.utc)
"""The times ``since`` and ``until`` accept: what an ISO 8601 time can show in any time zone."""


def _time(value: str | None, name: str, inclusive: bool = False) -> float | None:
    """Epoch seconds or an ISO 8601 time. ISO times have microseconds, store times are finer: an inclusive
    bound takes in the whole microsecond (so a run's own start time, as the API shows it, finds the run)."""
    if value is None or value == "":
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise ValidationError(f"{name} must be epoch seconds or an ISO 8601 time, not {value!r}") from None
        try:  # a naive time is local time, and year 1 or 9999 may leave datetime's range once shifted
            seconds = parsed.timestamp() - (1e-6 if inclusive else 0.0)
        except (ValueError, OverflowError):
            seconds = math.nan
    if not EARLIEST.timestamp() <= seconds <= LATEST.timestamp():  # also NaN
        raise ValidationError(
            f"{name} {value[:40]!r} is out of range: use a time from {EARLIEST.date()} to {LATEST.date()} "
            f"(epoch seconds from {EARLIEST.timestamp():.0f} to {LATEST.timestamp():.0f})"
        )
    return seconds


def _duration(start: float | None, end: float | None) -> float | None:
    return None if start is None or end is None else round(max(0.0, end - start), 3)


# -- schedules -----------------------------------------------------------------------------------------


def schedules(store: RunStore, project: str | None = None) -> list[dict[str, Any]]:
    """Schedules (of a project, or all), with the cron in words, next run, and last run with its state."""
    return [schedule_dict(row, store) for row in store.list_schedules(project)]


def schedule(store: RunStore, project: str, name: str) -> dict[str, Any]:
    """One schedule with what schedulers did with it (newest first)."""
    data = schedule_dict(_schedule_row(store, project, name), store)
    data["events"] = [{**e, "time": to_iso(e["time"]), "due": to_iso(e["due"])}
                      for e in store.schedule_events(project, name, 20)]
    return data


def schedule_action(store: RunStore, project: str, name: str, action: str) -> dict[str, Any]:
    """pause, resume, run-now or delete a schedule."""
    _schedule_row(store, project, name)
    target = Schedule(store, project, name)
    if action == "pause":
        target.pause()
    elif action == "resume":
        target.resume()
    elif action == "run-now":
        run = target.run_now()
        return {"project": project, "name": name, "uid": run.uid(), "state": run.state()}
    elif action == "delete":
        target.delete()
        return {"project": project, "name": name, "deleted": True}
    else:
        raise ValidationError(f"unknown schedule action {action!r}: use pause, resume or run-now")
    return schedule(store, project, name)


SCHEDULE_FIELDS = {"cron": str, "timezone": str, "concurrency": str, "params": dict, "inputs": dict, "keep_runs": int}
"""What PATCH may change in a schedule, and each field's JSON type."""


def schedule_update(store: RunStore, project: str, name: str, changes: Any) -> dict[str, Any]:
    """Change a schedule's cron, time zone, policy, params, inputs or keep_runs (``Schedule.update``: all is
    checked before anything is written); answers the schedule as ``schedule`` does."""
    _schedule_row(store, project, name)
    if not isinstance(changes, dict) or not changes:
        raise ValidationError(f"send a JSON object with the fields to change: {', '.join(SCHEDULE_FIELDS)}")
    for field, value in changes.items():
        kind = SCHEDULE_FIELDS.get(field)
        if kind is None:
            raise ValidationError(f"unknown schedule field {field!r}: the fields that can change are "
                                  f"{', '.join(SCHEDULE_FIELDS)}")
        if field == "keep_runs" and value is None:
            continue  # null: keep every run
        if not isinstance(value, kind) or isinstance(value, bool):
            raise ValidationError(f"{field} must be a JSON {_JSON_NAMES[kind]}, not {json.dumps(value)[:60]}")
    keep = changes.get("keep_runs")
    if "keep_runs" in changes and keep is None:
        keep = 0  # Schedule.update's "keep every run"
    Schedule(store, project, name).update(
        cron=changes.get("cron"), timezone=changes.get("timezone"), concurrency=changes.get("concurrency"),
        params=changes.get("params"), inputs=changes.get("inputs"), keep_runs=keep)
    return schedule(store, project, name)


_JSON_NAMES = {str: "string", dict: "object", int: "integer"}


def _schedule_row(store: RunStore, project: str, name: str) -> dict[str, Any]:
    row = store.get_schedule(project, name)
    if row is None:
        raise ScheduleNotFoundError(f"project {project!r} has no schedule {name!r}")
    return row


# -- ended runs (JupyterLab's end-of-run notifications) ----------------------------------------------------

ENDED_MAX_LIMIT = 50
ENDED_MAX_FOLLOWED = 200
ENDED_SCAN = 1000
"""Runs ended since ``since`` read per project and call: a client far behind catches up over a few calls."""


def ended(store: RunStore, since: str | None, kernels: frozenset[str], followed: list[str],
          limit: int = 10) -> dict[str, Any]:
    """The top-level runs that ended after ``since`` and that concern this JupyterLab: launched from one of
    ``kernels`` (this server's) or in ``followed`` (uids the user follows), oldest end first, at most
    ``limit`` of them (the newest; ``more`` counts the others). ``cursor`` is the newest end time among them
    (epoch seconds, exact): the next call's ``since``. Without ``since`` nothing is listed and ``cursor`` is
    now: where a client that never asked before starts (it does not announce the past)."""
    if not 1 <= limit <= ENDED_MAX_LIMIT:
        raise ValidationError(f"limit must be between 1 and {ENDED_MAX_LIMIT}, not {limit}")
    if len(followed) > ENDED_MAX_FOLLOWED:
        raise ValidationError(f"at most {ENDED_MAX_FOLLOWED} followed uids (uid=...) per call, not {len(followed)}: "
                              "unfollow runs that ended")
    start = _time(since, "since")
    if start is None:
        return {"runs": [], "more": 0, "cursor": datetime.now(timezone.utc).timestamp()}
    reap(store)  # a run whose process died ends now, and is announced
    wanted = set(followed)
    rows = [row for row in store.ended_since(start, ENDED_SCAN)
            if row["uid"] in wanted or row["owner"].get("kernel") in kernels]
    rows.sort(key=lambda row: row["end_time"])
    cursor = max([start, *(row["end_time"] for row in rows)])
    shown = rows[-limit:]
    children = store.child_states([row["uid"] for row in shown])  # one query: a few steps down the primary key
    return {"runs": [_ended_run(row, row["uid"] in wanted, children.get(row["uid"], {})) for row in shown],
            "more": len(rows) - len(shown), "cursor": cursor}


def _ended_run(row: dict[str, Any], followed: bool, children: dict[str, int]) -> dict[str, Any]:
    """An ended run as a notification needs it: what ended, how, how long it took, a sweep's outcome
    (``children``: how many of its children are in each state)."""
    error = (row["error"] or "").strip().splitlines()
    sweep = None
    if children:
        sweep = {"completed": children.get("completed", 0), "error": children.get("error", 0),
                 "aborted": children.get("aborted", 0), "total": sum(children.values()),
                 "best_iteration": row["results"].get("best_iteration")}
    return {"uid": row["uid"], "project": row["project"], "name": row["name"], "state": row["state"],
            "start_time": to_iso(row["start_time"]), "end_time": to_iso(row["end_time"]),
            "duration": _duration(row["start_time"], row["end_time"]), "error": error[0][:300] if error else None,
            "sweep": sweep, "origin": "followed" if followed else "kernel"}
