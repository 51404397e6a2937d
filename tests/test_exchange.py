"""Export runs to a zip and import them into another store: what travels (records of every iteration, logs with
their line times, artifact files, functions), where artifact files land, uids already there, and the zips
that are refused (not an export, a newer format, a path leading out of the artifact folder)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import runlab
from runlab import process
from runlab.store import get_store


def _snapshot(uid: str) -> list[tuple]:
    """What must round-trip of a run: each iteration's fields and its log with line times."""
    store = get_store()
    out = []
    for run in store.list_runs(uid=uid, iterations=True, newest_first=False):
        text, _, times = store.read_log_times(uid, run.iteration)
        out.append((run.uid, run.iteration, run.project, run.name, run.state.value, run.labels,
                    run.spec.get("parameters"), run.results, run.error, run.start_time, run.end_time, run.notes, text,
                    sorted(times.items()), sorted(a["key"] for a in run.artifacts)))
    return out


def _second_store(monkeypatch, tmp_path_factory) -> Path:
    """Switch this process to a fresh RUNLAB_HOME (another store) and a fresh current folder."""
    home = tmp_path_factory.mktemp("second-home")
    monkeypatch.setenv("RUNLAB_HOME", str(home))
    if os.environ.get("RUNLAB_DB_URL", "").startswith("postgresql"):
        pytest.skip("the second store of this test is a SQLite file")
    monkeypatch.chdir(tmp_path_factory.mktemp("second-cwd"))
    process.reset()
    return home


@pytest.fixture
def exported(project, tmp_path):
    """A plain run and a sweep of project demo, with their snapshots, written to runs.zip."""
    single = project.run_function("trainer", name="single", inputs={"data": "data.csv"}, params={"p1": 3},
                                  labels={"team": "a"}, local=True)
    sweep = project.run_function("trainer", name="sweep", inputs={"data": "data.csv"},
                                 hyperparams={"p1": [1, 2]}, local=True)
    get_store().set_notes(single.uid(), "a note")
    snapshots = {run.uid(): _snapshot(run.uid()) for run in (single, sweep)}
    files = sum(len(snapshot[-1]) for snapshots_of_run in snapshots.values() for snapshot in snapshots_of_run)
    snapshots["frame"] = runlab.get_run(sweep.uid(), 2).artifact("summary").as_df()
    zip_path = tmp_path / "out" / "runs.zip"
    report = runlab.export_runs([single.uid(), sweep.uid()[:10]], zip_path)
    assert report.runs == [single.uid(), sweep.uid()] and report.files == files and not report.files_missing
    return zip_path, single, sweep, snapshots


def test_export_then_import_into_a_second_store_round_trips(exported, monkeypatch, tmp_path_factory):
    zip_path, single, sweep, snapshots = exported
    frame = snapshots.pop("frame")
    old_targets = [a["target_path"] for a in single.to_dict()["status"]["artifacts"]]
    _second_store(monkeypatch, tmp_path_factory)
    assert get_store().list_runs() == []
    report = runlab.import_runs(zip_path)
    assert (report.imported, report.skipped) == ([single.uid(), sweep.uid()], [])
    assert report.files == sum(len(s[-1]) for run in snapshots.values() for s in run) == 5, "sweep table too"
    assert {uid: _snapshot(uid) for uid in snapshots} == snapshots
    run = runlab.get_run(single.uid())
    project = runlab.load_project("demo", set_current=False)
    target = run.to_dict()["status"]["artifacts"][0]["target_path"]
    assert target.startswith(project.artifact_path) and target not in old_targets, "re-rooted here"
    assert run.artifact("summary").as_df().shape[0] > 0
    assert runlab.get_run(sweep.uid(), 2).artifact("summary").as_df().equals(frame), "a child's artifact reads the same"
    assert project.get_function("trainer").handler == "train", "the function travels too"


def test_a_uid_already_in_the_store_is_skipped_unless_overwritten(exported):
    zip_path, single, sweep, snapshots = exported
    snapshots.pop("frame")
    report = runlab.import_runs(zip_path)
    assert (report.imported, sorted(report.skipped)) == ([], sorted([single.uid(), sweep.uid()]))
    assert "skipped 2 runs already in the store" in repr(report)
    get_store().set_notes(single.uid(), "changed here")
    report = runlab.import_runs(zip_path, overwrite=True)
    assert report.imported == [single.uid(), sweep.uid()]
    assert {uid: _snapshot(uid) for uid in snapshots} == snapshots
    assert runlab.get_run(single.uid()).artifact("summary").as_df().shape[0] > 0


def test_import_into_another_project(exported, monkeypatch, tmp_path_factory):
    zip_path, single, _, _ = exported
    _second_store(monkeypatch, tmp_path_factory)
    runlab.import_runs(zip_path, project="copy")
    run = runlab.get_run(single.uid())
    assert (run.metadata.project, run.spec.function) == ("copy", "copy/trainer")
    assert run.artifact("summary").as_df().shape[0] > 0
    assert runlab.load_project("copy", set_current=False).list_functions() == ["trainer"]


def test_a_live_run_is_not_exported(project, tmp_path):
    from runlab.record import RunState, new_run

    record = new_run("demo", "train", "job", RunState.RUNNING, {}, {})
    get_store().create_run(record)
    with pytest.raises(runlab.RunStateError, match="wait for it to end"):
        runlab.export_runs([record.uid], tmp_path / "x.zip")
    assert not (tmp_path / "x.zip").exists()


def _zip(path: Path, members: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in members.items():
            zf.writestr(name, text)
    return path


def test_files_that_are_not_runlab_exports_are_refused_by_name(tmp_path):
    not_zip = tmp_path / "notes.zip"
    not_zip.write_text("hello")
    with pytest.raises(runlab.ExportFileError, match="is not a zip file"):
        runlab.import_runs(not_zip)
    with pytest.raises(runlab.ExportFileError, match="is not a runlab export"):
        runlab.import_runs(_zip(tmp_path / "other.zip", {"a.txt": "x"}))
    newer = _zip(tmp_path / "newer.zip", {"runlab-export.json": json.dumps(
        {"format": "runlab-runs", "version": 99, "runs": []})})
    with pytest.raises(runlab.ExportFileError, match=r"newer runlab \(format version 99; this runlab reads up to 1\)"):
        runlab.import_runs(newer)
    with pytest.raises(runlab.ValidationError, match="does not exist"):
        runlab.import_runs(tmp_path / "missing.zip")
    assert get_store().list_runs() == []


def test_an_artifact_path_leading_out_of_the_artifact_folder_imports_nothing(exported, monkeypatch,
                                                                             tmp_path_factory):
    zip_path, single, _, _ = exported
    evil = zip_path.with_name("evil.zip")
    with zipfile.ZipFile(zip_path) as src, zipfile.ZipFile(evil, "w") as out:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == f"runs/{single.uid()}/record.json":
                record = json.loads(data)
                artifact = record["artifacts"][0]
                artifact["target"] = artifact["root"] + "/../../../escaped.csv"
                data = json.dumps(record).encode()
            out.writestr(item, data)
    home = _second_store(monkeypatch, tmp_path_factory)
    with pytest.raises(runlab.ExportFileError, match="outside the run's artifact folder"):
        runlab.import_runs(evil)
    assert get_store().list_runs() == [], "nothing recorded"
    assert not list(Path.cwd().parent.rglob("escaped.csv")) and not list(home.parent.rglob("escaped.csv"))


@pytest.fixture
def cli(tmp_path):
    def run(*args: str, home: Path) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "runlab.cli", *args], capture_output=True, text=True,
                              cwd=tmp_path, env={**os.environ, "RUNLAB_HOME": str(home)}, timeout=120)

    return run


def test_the_export_and_import_commands(project, cli, runlab_home, tmp_path, tmp_path_factory):
    if os.environ.get("RUNLAB_DB_URL"):
        pytest.skip("the commands here use each home's SQLite store")
    runs = [project.run_function("trainer", name="train", inputs={"data": "data.csv"}, local=True) for _ in range(3)]
    zip_path = tmp_path / "runs.zip"
    proc = cli("export", "--project", "demo", "--keep-last", "1", "-o", str(zip_path), home=runlab_home)
    assert proc.returncode == 0, proc.stderr
    assert f"exported 2 runs and 2 artifact files to {zip_path}" in proc.stdout
    other = tmp_path_factory.mktemp("cli-home")
    proc = cli("import", str(zip_path), home=other)
    assert proc.returncode == 0, proc.stderr
    assert "imported 2 runs and 2 artifact files" in proc.stdout
    again = cli("import", str(zip_path), home=other)
    assert again.returncode == 0 and again.stdout.count("skipped") == 2
    from runlab.config import sqlite_url
    from runlab.store.runstore import RunStore

    second = RunStore(sqlite_url(other / "runlab.db"))
    try:
        assert {run.uid for run in second.list_runs(project="demo")} == {runs[0].uid(), runs[1].uid()}
    finally:
        second.close()
    bad = cli("import", str(tmp_path / "data.csv"), home=other)
    assert bad.returncode == 2 and "is not a zip file" in bad.stderr and "Traceback" not in bad.stderr
    assert cli("export", "-o", str(zip_path), home=runlab_home).returncode == 2
