"""What the REST API answers, as plain functions over the store (the handlers add HTTP around them).

Every function takes the store and validated arguments and returns JSON-ready data, or raises
``ApiError`` with the HTTP status and a message that says what was wrong and how to fix it.
"""

from __future__ import annotations

import hashlib
import os
from datetime import datetime
from typing import Any

from ..model import is_terminal, run_row_to_dict, to_iso
from ..store.runstore import RunStore

MAX_LIMIT = 500


class ApiError(Exception):
    """A client error: ``status`` (400, 404, 409) and a message for the user."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def projects(store: RunStore) -> list[dict[str, Any]]:
    """Every project with its run count and newest change."""
    found = []
    for project in store.list_projects():
        newest, count = store.changed_since(project["name"])
        found.append({"name": project["name"], "description": project.get("description") or "",
                      "context": project.get("context") or "", "runs": count,
                      "last_update": to_iso(newest) if newest else None})
    return found


def stamp(store: RunStore, project: str | None) -> str:
    """An ETag for "anything changed in this project": newest update and run count."""
    newest, count = store.changed_since(project)
    return hashlib.sha1(f"{project}:{newest!r}:{count}".encode()).hexdigest()[:16]


def jobs(store: RunStore, project: str, contains: str | None = None) -> list[dict[str, Any]]:
    """The project's jobs (runs grouped by name), newest first."""
    _known_project(store, project)
    return [{"name": j["name"], "runs": j["runs"], "last_start": to_iso(j["last_start"]), "last_uid": j["uid"],
             "last_state": j["state"], "last_kind": j["kind"], "last_error": j["error"],
             "last_duration": _duration(j["last_start"], j["end_time"] or (None if is_terminal(j["state"])
                                                                              else j["last_update"]))}
            for j in store.list_jobs(project, contains)]


def runs(store: RunStore, project: str | None = None, name: str | None = None, states: list[str] | None = None,
         labels: list[str] | None = None, since: str | None = None, until: str | None = None,
         sort: str = "-start", limit: int = 50, offset: int = 0, iterations: bool = False) -> dict[str, Any]:
    """A page of runs with filters; ``next_offset`` is None on the last page."""
    if sort not in ("start", "-start"):
        raise ApiError(400, f"sort must be 'start' or '-start', not {sort!r}")
    if not 1 <= limit <= MAX_LIMIT:
        raise ApiError(400, f"limit must be between 1 and {MAX_LIMIT}, not {limit}")
    if offset < 0:
        raise ApiError(400, f"offset must be 0 or more, not {offset}")
    label_filter: dict[str, str | None] = {}
    for label in labels or []:
        key, sep, value = label.partition("=")
        if not key:
            raise ApiError(400, f"label filter {label!r} must be 'key' or 'key=value'")
        label_filter[key] = value if sep else None
    rows = store.list_runs(project=project, name=name, state=states or None, labels=label_filter or None,
                           since=_time(since, "since", inclusive=True), until=_time(until, "until"),
                           iterations=iterations,
                           last=limit + 1, offset=offset, newest_first=sort == "-start")
    more = len(rows) > limit
    return {"runs": [run_summary(r) for r in rows[:limit]], "offset": offset, "limit": limit,
            "next_offset": offset + limit if more else None}


def run_summary(row: dict[str, Any]) -> dict[str, Any]:
    """A run as listed: the MLRun-shaped dict plus its duration in seconds."""
    data = run_row_to_dict(row)
    data["status"]["duration"] = _duration(row["start_time"], row["end_time"] or (
        None if is_terminal(row["state"]) else row["last_update"]))
    return data


def run(store: RunStore, uid: str, iteration: int = 0, root: str = "") -> dict[str, Any]:
    """One run with its artifacts, iteration table (sweeps) and the children's states. Files under the
    server's ``root`` folder (artifacts, a notebook function's notebook) get their path relative to it
    (``root_path``), so the client can open them in JupyterLab."""
    row = _row(store, uid, iteration)
    data = run_summary(row)
    for record in data["status"]["artifacts"]:
        record["root_path"] = _under(record["target_path"], root)
    source = data["spec"].get("source") or {}
    data["notebook_path"] = _under(source.get("filename") or "", root) if source.get("kind") == "notebook" else None
    if iteration == 0 and data["status"].get("iterations"):
        children = store.list_runs(uid=uid, iterations=True, newest_first=False)
        data["children"] = [{"iteration": c["iteration"], "state": c["state"], "error": c["error"]}
                            for c in children if c["iteration"]]
    return data


def log(store: RunStore, uid: str, iteration: int = 0, offset: int = 0) -> dict[str, Any]:
    """The run's log from byte ``offset``: the text, the offset to ask from next, and the run's state."""
    if offset < 0:
        raise ApiError(400, f"offset must be 0 or more, not {offset}")
    state = store.get_run_state(uid, iteration)
    if state is None:
        raise ApiError(404, f"run {uid} (iteration {iteration}) is not in the store")
    text, next_offset = store.read_log(uid, iteration, offset)
    return {"text": text, "offset": next_offset, "state": state, "terminal": is_terminal(state)}


def artifact_record(store: RunStore, uid: str, iteration: int, key: str) -> dict[str, Any]:
    """The artifact record of a run by key (the only way to reach a file through the API)."""
    data = run_row_to_dict(_row(store, uid, iteration))
    for record in data["status"]["artifacts"]:
        if record["key"] == key:
            return record
    keys = ", ".join(a["key"] for a in data["status"]["artifacts"]) or "none"
    raise ApiError(404, f"run {uid} (iteration {iteration}) has no artifact {key!r} (it has: {keys})")


def preview(store: RunStore, uid: str, iteration: int, key: str, max_bytes: int) -> dict[str, Any]:
    from ..display.preview import preview_artifact

    return preview_artifact(artifact_record(store, uid, iteration, key), max_bytes)


def abort(store: RunStore, uid: str) -> dict[str, Any]:
    """Abort a run (every iteration of a sweep); returns its state."""
    from ..run import RunObject

    row = _row(store, uid, 0)
    if is_terminal(row["state"]):
        raise ApiError(409, f"run {uid} already ended ({row['state']}); nothing to abort")
    state = RunObject(uid, 0, store.url).abort()
    return {"uid": uid, "state": state}


def rerun(store: RunStore, uid: str) -> dict[str, Any]:
    """Start the same function with the same params and inputs as a new run (in the background)."""
    from ..functions import Function
    from ..launch import launch
    from ..project import load_project

    row = _row(store, uid, 0)
    spec = row["spec"]
    function = Function.from_dict(spec.get("source") or {})
    if not function.filename:
        raise ApiError(409, f"run {uid}'s function was defined in a notebook cell, so only that kernel can run "
                            "it: rerun it there, or put the handler in a .py file and set_function that file")
    if not os.path.exists(function.filename):
        raise ApiError(409, f"run {uid}'s source {function.filename} no longer exists")
    if function.kind == "local":
        function.kind = "job"  # the server never runs user code in its own process
    automatic = {"kind", "owner", "host"}
    labels = {k: v for k, v in row["labels"].items() if k not in automatic} | {"rerun-of": uid}
    project = load_project(row["project"], set_current=False)
    from ..errors import RunError, RunlabError

    try:
        new = launch(function, project, handler=spec.get("handler") or None, name=row["name"],
                     params=spec.get("parameters"), inputs=spec.get("inputs"), labels=labels, watch=False,
                     hyperparams=spec.get("hyperparams") or None,
                     hyper_param_options=spec.get("hyper_param_options") or None)
    except RunError as exc:
        new = exc.run
    except RunlabError as exc:
        raise ApiError(409, f"cannot rerun {uid}: {exc}") from None
    return {"uid": new.uid(), "state": new.state()}


def delete(store: RunStore, uid: str) -> dict[str, Any]:
    """Delete a run that ended: every iteration, its log, its artifact records and their files."""
    from ..data import get_dataitem

    row = _row(store, uid, 0)
    if not is_terminal(row["state"]):
        raise ApiError(409, f"run {uid} is {row['state']}: abort it before deleting it")
    records = store.delete_run(uid)
    removed, kept = 0, []
    for record in records:
        try:
            get_dataitem(record["target"]).delete()
            removed += 1
        except Exception:  # noqa: BLE001 - the records are gone either way; say which files stayed
            kept.append(record["target"])
    return {"uid": uid, "deleted_artifacts": removed, "files_not_removed": kept}


def _under(path: str, root: str) -> str | None:
    """``path`` relative to ``root`` when it is a local file under it, else None."""
    if not path or not root or "://" in path.removeprefix("file://"):
        return None
    local, base = os.path.realpath(path.removeprefix("file://")), os.path.realpath(os.path.expanduser(root))
    return os.path.relpath(local, base).replace(os.sep, "/") if local.startswith(base + os.sep) else None


def _row(store: RunStore, uid: str, iteration: int) -> dict[str, Any]:
    row = store.get_run(uid, iteration)
    if row is None:
        raise ApiError(404, f"run {uid} (iteration {iteration}) is not in the store")
    return row


def _known_project(store: RunStore, project: str) -> None:
    if store.get_project(project) is None:
        names = ", ".join(p["name"] for p in store.list_projects()) or "none"
        raise ApiError(404, f"project {project!r} is not in the store (projects: {names})")


def _time(value: str | None, name: str, inclusive: bool = False) -> float | None:
    """Epoch seconds or an ISO 8601 time. ISO times have microseconds, store times are finer: an inclusive
    bound takes in the whole microsecond (so a run's own start time, as the API shows it, finds the run)."""
    if value is None or value == "":
        return None
    try:
        return float(value)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() - (1e-6 if inclusive else 0.0)
    except ValueError:
        raise ApiError(400, f"{name} must be epoch seconds or an ISO 8601 time, not {value!r}") from None


def _duration(start: float | None, end: float | None) -> float | None:
    return None if start is None or end is None else round(max(0.0, end - start), 3)


# -- schedules -----------------------------------------------------------------------------------------


def schedules(store: RunStore, project: str | None = None) -> list[dict[str, Any]]:
    """Schedules (of a project, or all), with the cron in words, next run, and last run with its state."""
    from ..schedules import schedule_dict

    return [schedule_dict(row, store) for row in store.list_schedules(project)]


def schedule(store: RunStore, project: str, name: str) -> dict[str, Any]:
    """One schedule with what schedulers did with it (newest first)."""
    from ..schedules import schedule_dict

    data = schedule_dict(_schedule_row(store, project, name), store)
    data["events"] = [{**e, "time": to_iso(e["time"]), "due": to_iso(e["due"])}
                      for e in store.schedule_events(project, name, 20)]
    return data


def schedule_action(store: RunStore, project: str, name: str, action: str) -> dict[str, Any]:
    """pause, resume, run-now or delete a schedule."""
    from ..errors import RunlabError
    from ..schedules import Schedule

    _schedule_row(store, project, name)
    target = Schedule(store, project, name)
    if action == "pause":
        target.pause()
    elif action == "resume":
        target.resume()
    elif action == "run-now":
        try:
            run = target.run_now()
        except RunlabError as exc:
            raise ApiError(409, str(exc)) from None
        return {"project": project, "name": name, "uid": run.uid(), "state": run.state()}
    elif action == "delete":
        target.delete()
        return {"project": project, "name": name, "deleted": True}
    else:
        raise ApiError(404, f"unknown schedule action {action!r}: use pause, resume or run-now")
    return schedule(store, project, name)


def _schedule_row(store: RunStore, project: str, name: str) -> dict[str, Any]:
    row = store.get_schedule(project, name)
    if row is None:
        raise ApiError(404, f"project {project!r} has no schedule {name!r}")
    return row
