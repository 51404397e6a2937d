"""Removing ended runs with their logs and artifact files, and a schedule's ``keep_runs`` retention.

``remove_run`` is what deleting a run means everywhere (the REST API's DELETE, retention): the records go,
and only the artifact files runlab wrote (regular files under the run's artifact path) are removed.
``apply_retention`` runs after each firing of a schedule with ``keep_runs=N``: of the runs that schedule
fired, the newest N that ended stay; older ended runs go, unless a run that stays reads one of their
artifacts as an input. Runs still going are never touched (and do not count towards N).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .artifactaccess import remove_artifact_file
from .artifactfiles import resolve_store_uri
from .errors import ArtifactAccessError, RunlabError
from .values import counted, format_bytes

if TYPE_CHECKING:
    from .record import RunRecord
    from .store.runstore import RunStore

log = logging.getLogger("runlab.retention")


@dataclass
class RemovedRun:
    """What deleting one run removed: artifact files (and their bytes), and the files left in place."""

    uid: str
    removed_files: int = 0
    freed_bytes: int = 0
    files_not_removed: list[str] = field(default_factory=list)
    files_in_use: list[str] = field(default_factory=list)
    """Files left because another run's artifact records them too (a run the cache answered, or its source)."""


def remove_run(store: RunStore, uid: str) -> RemovedRun:
    """Delete an ended run: every iteration, its log, its artifact records and their files (only regular files
    under the run's artifact path: a symlink or a file outside it stays, listed in ``files_not_removed``).
    ``RunStateError`` if it has not ended (abort it first), checked in the transaction that deletes it."""
    return remove_files(store.delete_run(uid), RemovedRun(uid))


def remove_files(records: list[dict[str, Any]], removed: RemovedRun) -> RemovedRun:
    """Remove the files of artifact records the store deleted (``RunStore.delete_runs``' records: each with
    ``target``, ``size``, its run's ``output_path`` and ``in_use``) into ``removed``: a symlink or a file outside
    the run's artifact path is never removed, nor a file a record left in the store names (a run the cache
    answered shares its source's files: the last of them to go takes the files)."""
    for artifact in records:
        if artifact["in_use"]:
            removed.files_in_use.append(artifact["target"])
            continue
        try:
            remove_artifact_file(artifact["target"], artifact["output_path"])
            removed.removed_files += 1
            removed.freed_bytes += artifact.get("size") or 0
        except ArtifactAccessError as exc:  # planted where runlab never wrote: leave it, and say so
            log.warning("runlab: run %s: %s", artifact.get("run_uid") or removed.uid, exc)
            removed.files_not_removed.append(artifact["target"])
        except Exception:  # noqa: BLE001 - the records are gone either way; say which files stayed
            removed.files_not_removed.append(artifact["target"])
    return removed


@dataclass
class Retention:
    """What one pass of retention did (or, ``dry_run``, would do): the runs deleted, the artifact files removed
    and their bytes, the runs kept because a staying run reads their artifacts, the files left in place."""

    deleted: list[str] = field(default_factory=list)
    freed_bytes: int = 0
    kept_as_inputs: list[str] = field(default_factory=list)
    removed_files: int = 0
    files_not_removed: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        """The schedule history's line, e.g. "retention deleted 3 runs, freed 1.2 MB"."""
        text = f"retention deleted {counted(len(self.deleted), 'run')}, freed {format_bytes(self.freed_bytes)}"
        if self.kept_as_inputs:
            kept = len(self.kept_as_inputs)
            text += (f"; kept {counted(kept, 'older run')} whose artifacts a kept run reads as "
                     f"input{'' if kept == 1 else 's'}")
        return text


def apply_retention(store: RunStore, project: str, name: str, keep: int | None) -> Retention | None:
    """Delete the runs of schedule ``name`` beyond the newest ``keep`` that ended, and record a ``retention``
    event in its history; None (and nothing recorded) when ``keep`` is unset or nothing was over the limit."""
    if not keep:
        return None
    runs = store.list_runs(project=project, labels={"schedule": name}, newest_first=True)
    ended = [run for run in runs if run.is_terminal]
    over = ended[keep:]
    if not over:
        return None
    doomed = {run.uid for run in over}
    result = prune(store, over, [run for run in runs if run.uid not in doomed])
    if result.deleted or result.kept_as_inputs:
        store.add_schedule_event({"project": project, "name": name, "time": time.time(), "due": None,
                                  "event": "retention", "message": result.message})
    return result


def prune(store: RunStore, doomed: Iterable[RunRecord], staying: list[RunRecord], dry_run: bool = False,
          progress: Callable[[], None] | None = None) -> Retention:
    """Delete the ended runs ``doomed`` with their logs and artifact files, except those whose artifacts a run
    of ``staying`` reads as an input (by ``store://`` URI or by path). ``dry_run``: delete nothing, and report
    what would go (each artifact file counted once, with the size it was logged with). ``progress`` is called
    after each run."""
    protected_uids, protected_targets = _inputs_of(store, staying)
    result = Retention()
    for run in doomed:
        artifacts = {_plain(a["target"]): a for r in store.list_runs(uid=run.uid, iterations=True)
                     for a in r.artifacts}
        if run.uid in protected_uids or artifacts.keys() & protected_targets:
            result.kept_as_inputs.append(run.uid)
        elif dry_run:
            result.deleted.append(run.uid)
            result.removed_files += len(artifacts)
            result.freed_bytes += sum(a.get("size") or 0 for a in artifacts.values())
        else:
            try:
                removed = remove_run(store, run.uid)
            except RunlabError as exc:  # a run changed under us (another process): leave it to the next pass
                log.warning("runlab: retention of project %s left run %s: %s", run.project, run.uid, exc)
            else:
                result.deleted.append(run.uid)
                result.freed_bytes += removed.freed_bytes
                result.removed_files += removed.removed_files
                result.files_not_removed += removed.files_not_removed
        if progress is not None:
            progress()
    return result


def _inputs_of(store: RunStore, runs: list[RunRecord]) -> tuple[set[str], set[str]]:
    """The runs whose artifacts ``runs`` read (``store://`` inputs) and the files they read (other inputs)."""
    uids: set[str] = set()
    targets: set[str] = set()
    for run in runs:
        for url in (run.spec.get("inputs") or {}).values():
            if not isinstance(url, str):
                continue
            if url.startswith("store://"):
                try:
                    ref = resolve_store_uri(url, store)
                except RunlabError:  # gone or malformed: nothing of the candidates to protect
                    continue
                uids.add(ref.record["run_uid"])
                targets.add(_plain(ref.target))
            else:
                targets.add(_plain(url))
    return uids, targets


def _plain(path: Any) -> str:
    """A local path made absolute (``file://`` dropped), a remote URL as it is: so equal files compare equal."""
    text = str(path or "")
    if text.startswith("file://"):
        text = text[len("file://"):]
    return text if "://" in text else os.path.abspath(os.path.expanduser(text))
