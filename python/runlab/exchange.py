"""Moving runs between stores and machines: ``export_runs`` writes runs to a zip, ``import_runs`` reads one.

An export holds, for each run, every iteration's record, its log as stored (chunks with their lines' start
times), its artifact records and their files, and the definitions of the functions the runs ran. Importing
into another store keeps the uids, params, results, labels, states and logs; each artifact file is written
under the importing project's artifact path (as a run there would have written it) and its record points
there. Member names of the zip are never used as paths to write: the files go under the run's new artifact
folder, and a recorded path that would lead out of it makes the whole import fail before anything is written.

The zip's layout (``FORMAT_VERSION`` 1): ``runlab-export.json`` (format, version, the runs), then per run
``runs/<uid>/record.json`` (the rows of every iteration, their logs, their artifact records) and
``runs/<uid>/files/<n>`` (an artifact's file); ``functions.json`` (function definitions).
"""

from __future__ import annotations

import contextlib
import json
import os
import posixpath
import time
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import projectref
from .artifactaccess import open_artifact, verified_chunks
from .artifactfiles import copy_stream, expand_artifact_path
from .errors import ExportFileError, RunlabError, RunStateError, ValidationError
from .gc import Selection, select_runs
from .names import validate_name
from .record import RunRecord, artifact_to_dict
from .retention import remove_run
from .run import get_run
from .store import get_store
from .values import counted

if TYPE_CHECKING:
    from .store.runstore import RunStore

FORMAT = "runlab-runs"
FORMAT_VERSION = 1
"""The version of the zip's layout this runlab writes and the newest it reads."""
MANIFEST = "runlab-export.json"
_ARTIFACT_COLUMNS = ("project", "key", "tag", "kind", "target", "size", "hash", "run_uid", "iteration", "producer",
                     "meta", "labels", "created")


@dataclass
class ExportReport:
    """What ``export_runs`` wrote: the zip's path, the runs, and the artifact files it could not read (their
    records travel; importing them gives a record without a file)."""

    path: str
    runs: list[str] = field(default_factory=list)
    files: int = 0
    bytes: int = 0
    files_missing: list[str] = field(default_factory=list)

    def __repr__(self) -> str:
        text = f"<ExportReport {self.path}: {counted(len(self.runs), 'run')}, {counted(self.files, 'artifact file')}"
        if self.files_missing:
            text += f"; {counted(len(self.files_missing), 'file')} could not be read"
        return text + ">"


@dataclass
class ImportReport:
    """What ``import_runs`` did: the runs imported, those skipped (their uid was in the store already), the
    artifact files written."""

    imported: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    files: int = 0

    def __repr__(self) -> str:
        text = f"<ImportReport: imported {counted(len(self.imported), 'run')}, {counted(self.files, 'artifact file')}"
        if self.skipped:
            text += f"; skipped {counted(len(self.skipped), 'run')} already in the store (overwrite=True replaces them)"
        return text + ">"


# -- export ------------------------------------------------------------------------------------------------


def select_uids(store: RunStore, project: str, older_than: Any = None, keep_last: Any = None,
                state: str | Iterable[str] | None = None) -> list[str]:
    """The uids of a project's ended runs that gc's selectors take (all of them when none is given)."""
    if store.get_project(project) is None:
        raise ValidationError(f"no project named {project!r}: `runlab runs` lists the runs of each project")
    taken, _ = select_runs(store, project, Selection.checked(older_than, keep_last, state, required=False))
    return [run.uid for run in taken]


def export_runs(uids: Iterable[str], path: str | os.PathLike[str], store: RunStore | None = None) -> ExportReport:
    """Write the runs ``uids`` (full uids or unique prefixes), each with every iteration, its log, its artifact
    records and files, and the functions they ran, to the zip at ``path`` (replaced whole, or left as it was).
    A run that has not ended is refused (``RunStateError``), before anything is written."""
    store = store or get_store()
    if isinstance(uids, str):
        uids = [uids]
    wanted = list(dict.fromkeys(get_run(uid, store=store).uid() for uid in uids))
    if not wanted:
        raise ValidationError("no runs to export: give one or more run uids (or a project)")
    groups = [store.list_runs(uid=uid, iterations=True, newest_first=False) for uid in wanted]
    for uid, group in zip(wanted, groups, strict=True):
        top = next(run for run in group if run.iteration == 0)
        if not top.is_terminal:
            raise RunStateError(f"run {uid} is {top.state}: wait for it to end (or abort it) before exporting it")
    target = Path(path).expanduser()
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.part")
    report = ExportReport(str(target), runs=wanted)
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
            functions: dict[tuple[str, str], dict[str, Any]] = {}
            for group in groups:
                _export_run(zf, store, group, report)
                for run in group:
                    project, _, name = str(run.spec.get("function") or "").rpartition("/")
                    if project and (project, name) not in functions:
                        row = store.get_function(project, name)
                        if row is not None:
                            functions[(project, name)] = {k: row[k] for k in ("project", "name", "kind", "spec")}
            zf.writestr("functions.json", json.dumps(list(functions.values())))
            zf.writestr(MANIFEST, json.dumps({"format": FORMAT, "version": FORMAT_VERSION, "created": time.time(),
                                              "runs": wanted}))
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return report


def _export_run(zf: zipfile.ZipFile, store: RunStore, group: list[RunRecord], report: ExportReport) -> None:
    uid = group[0].uid
    roots = {run.iteration: run.spec.get("output_path") or "" for run in group}
    rows, artifacts = [], []
    for run in group:
        row = run.to_row()
        row["log"] = [list(chunk) for chunk in store.log_chunks(uid, run.iteration)]
        rows.append(row)
        for artifact in run.artifacts:
            record = {k: artifact[k] for k in _ARTIFACT_COLUMNS}
            record["root"] = roots.get(artifact["iteration"]) or roots.get(0, "")
            member = f"runs/{uid}/files/{len(artifacts)}"
            try:
                with open_artifact(artifact_to_dict(artifact), record["root"]) as source, \
                        zf.open(member, "w", force_zip64=True) as out:
                    for block in verified_chunks(source):  # the file as it was logged, or none
                        out.write(block)
                record["file"] = member
                report.files += 1
                report.bytes += artifact.get("size") or 0
            except (RunlabError, OSError):  # gone, changed or outside its run's folder: the record travels alone
                record["file"] = None
                report.files_missing.append(artifact["target"])
            artifacts.append(record)
    zf.writestr(f"runs/{uid}/record.json", json.dumps({"runs": rows, "artifacts": artifacts}))


# -- import ------------------------------------------------------------------------------------------------


@dataclass
class _Planned:
    """One run of the zip, checked and ready to write: its records, logs, and where each artifact file goes."""

    uid: str
    records: list[RunRecord]
    logs: dict[int, list[list[Any]]]
    artifacts: list[dict[str, Any]]  # rows to add, each with "file": the zip member (or None) and "target"
    project: projectref.ProjectRef  # where it goes (saved when the store has no such project yet)


def import_runs(path: str | os.PathLike[str], project: str | None = None, overwrite: bool = False,
                store: RunStore | None = None) -> ImportReport:
    """Import the runs of a zip ``export_runs`` wrote into ``store`` (default: the configured one), into their
    own projects or, with ``project``, into that one (created when missing, in the current folder). A run whose
    uid is in the store already is skipped (``overwrite=True``: replaced). Everything is checked before
    anything is written: a file that is not a runlab export, or of a newer format, is an ``ExportFileError``."""
    store = store or get_store()
    source = Path(path).expanduser()
    if not source.is_file():
        raise ValidationError(f"{source} does not exist: give the zip `runlab export` wrote")
    try:
        zf = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ExportFileError(f"{source} is not a zip file ({exc}): give a file `runlab export` wrote") from None
    with zf:
        manifest = _manifest(zf, source)
        functions = _read_json(zf, "functions.json", source)
        report = ImportReport()
        plans: list[_Planned] = []
        for uid in manifest["runs"]:
            plan = _plan(zf, source, uid, store, project)
            existing = store.get_run_state(plan.uid)
            if existing is not None and not overwrite:
                report.skipped.append(plan.uid)
                continue
            if existing is not None and not existing.is_terminal:
                raise RunStateError(f"run {plan.uid} is {existing} in this store: wait for it to end (or abort it) "
                                    "before importing over it")
            plans.append(plan)
        for plan in plans:
            if store.get_run_state(plan.uid) is not None:
                remove_run(store, plan.uid)
            _write(zf, store, plan)
            report.imported.append(plan.uid)
            report.files += sum(1 for a in plan.artifacts if a["file"])
        _import_functions(store, functions, project, {r.project for p in plans for r in p.records}, overwrite)
    return report


def _manifest(zf: zipfile.ZipFile, source: Path) -> dict[str, Any]:
    try:
        manifest = json.loads(zf.read(MANIFEST))
    except KeyError:
        raise ExportFileError(f"{source} is not a runlab export (it has no {MANIFEST}): give a file "
                              "`runlab export` wrote") from None
    except ValueError as exc:
        raise ExportFileError(f"{source}: its {MANIFEST} is damaged ({exc}); export the runs again") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ExportFileError(f"{source} is not a runlab export ({MANIFEST} does not say format {FORMAT!r})")
    version = manifest.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ExportFileError(f"{source}: its format version {version!r} is not one runlab wrote")
    if version > FORMAT_VERSION:
        raise ExportFileError(f"{source} was written by a newer runlab (format version {version}; this runlab reads "
                              f"up to {FORMAT_VERSION}): upgrade runlab to import it")
    runs = manifest.get("runs")
    if not isinstance(runs, list) or not all(isinstance(uid, str) and uid.isalnum() for uid in runs):
        raise ExportFileError(f"{source}: its {MANIFEST} lists no valid runs; export the runs again")
    return manifest


def _read_json(zf: zipfile.ZipFile, name: str, source: Path) -> Any:
    try:
        return json.loads(zf.read(name))
    except KeyError:
        raise ExportFileError(f"{source} is damaged: it has no {name}; export the runs again") from None
    except (ValueError, zipfile.BadZipFile) as exc:
        raise ExportFileError(f"{source} is damaged: {name} cannot be read ({exc}); export the runs again") from None


def _plan(zf: zipfile.ZipFile, source: Path, uid: str, store: RunStore, project: str | None) -> _Planned:
    """A run of the zip checked and placed: its records re-rooted to the importing project's artifact path."""
    data = _read_json(zf, f"runs/{uid}/record.json", source)
    try:
        records, logs = [], {}
        for row in data["runs"]:
            logs[row["iteration"]] = row.pop("log", [])
            record = RunRecord.from_row(row)
            if record.uid != uid:
                raise ValueError(f"a record of run {record.uid} is filed under run {uid}")
            records.append(record)
        top = next(r for r in records if r.iteration == 0)
        artifacts = data["artifacts"]
    except (KeyError, TypeError, ValueError, StopIteration) as exc:
        raise ExportFileError(f"{source}: run {uid}'s record cannot be read ({exc!r}); export the runs again") from None
    home = _project(store, project or top.project)
    validate_name(home.name, "project name")
    new_roots: dict[int, str] = {}
    for record in records:
        old_root = record.spec.get("output_path") or ""
        if project:
            _move_to_project(record, project)
        new_roots[record.iteration] = expand_artifact_path(home.artifact_path, uid, top.name, home.name)
        record.spec["output_path"] = new_roots[record.iteration]
        record.spec.setdefault("imported_from", {"output_path": old_root})
    placed = []
    for artifact in artifacts:
        root = new_roots.get(artifact.get("iteration"), new_roots[0])
        row = {k: artifact.get(k) for k in _ARTIFACT_COLUMNS}
        if project:
            row["project"] = project
        row["target"] = _placed(str(artifact.get("target") or ""), str(artifact.get("root") or ""), root, source)
        member = artifact.get("file")
        if member is not None and member not in zf.namelist():
            raise ExportFileError(f"{source} is damaged: {member} is missing; export the runs again")
        placed.append({**row, "file": member})
    return _Planned(uid, records, logs, placed, home)


def _placed(target: str, old_root: str, new_root: str, source: Path) -> str:
    """Where an artifact file recorded at ``target`` (under ``old_root``) goes under ``new_root``; an
    ``ExportFileError`` when its path would lead out of it."""
    old = old_root.removeprefix("file://").rstrip("/")
    plain = target.removeprefix("file://")
    if old and plain.startswith(old + "/"):
        relative = plain[len(old) + 1:]
    else:  # logged outside its run's folder: it goes under the new one, by name
        relative = posixpath.join("imported", posixpath.basename(plain))
    normal = posixpath.normpath(relative)
    if not relative or normal.startswith("../") or normal == ".." or posixpath.isabs(normal) or "\\" in normal:
        raise ExportFileError(f"{source}: artifact file {target!r} would be written outside the run's artifact "
                              "folder: this zip was not written by runlab export, and nothing was imported")
    return f"{new_root.rstrip('/')}/{normal}"


def _project(store: RunStore, name: str) -> projectref.ProjectRef:
    """The importing store's project ``name``, or a new one (not saved yet) with the current folder as its
    context."""
    return projectref.load(name, store=store) or projectref.ProjectRef(name, os.getcwd(), store=store)


def _move_to_project(record: RunRecord, project: str) -> None:
    _, _, name = str(record.spec.get("function") or "").rpartition("/")
    if name:
        record.spec["function"] = f"{project}/{name}"
    record.project = project


def _write(zf: zipfile.ZipFile, store: RunStore, plan: _Planned) -> None:
    """Write a planned run: its artifact files first (each whole or not at all), then its records."""
    if store.get_project(plan.project.name) is None:
        plan.project.save()
    for artifact in plan.artifacts:
        if artifact["file"]:
            with zf.open(artifact["file"]) as data:
                copy_stream(data, artifact["target"], artifact["key"] or "")
    try:
        for record in plan.records:
            store.create_run(record)
            for offset, text, *stamps in plan.logs.get(record.iteration, []):
                store.append_log(plan.uid, record.iteration, offset, text, stamps[0] if stamps else None)
        for artifact in plan.artifacts:
            store.add_artifact({k: artifact[k] for k in _ARTIFACT_COLUMNS})
    except BaseException:
        with contextlib.suppress(RunlabError):  # a run half written is no run: take it out (its files with it)
            remove_run(store, plan.uid)
        raise


def _import_functions(store: RunStore, functions: Any, project: str | None, projects: set[str],
                      overwrite: bool) -> None:
    """Store the definitions of the imported runs' functions a project does not have (or, ``overwrite``, all)."""
    if not isinstance(functions, list):
        return
    for row in functions:
        if not isinstance(row, dict) or not {"project", "name", "kind", "spec"} <= row.keys():
            continue
        target = project or row["project"]
        if target in projects and (overwrite or store.get_function(target, row["name"]) is None):
            store.save_function(target, row["name"], row["kind"], row["spec"])
