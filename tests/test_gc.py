"""A project's gc: which runs it deletes (older-than, keep-last per job, states), what it never deletes (a live
run, a run whose artifacts a kept run reads), what it reports, its dry run, the post-run policy and the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import runlab
from runlab.record import RunState, new_run
from runlab.store import get_store

DAY = 86400.0


def _age(run, days: float) -> None:
    """Make a run look as if it started ``days`` ago."""
    get_store().update_run(run.uid(), 0, {"start_time": time.time() - days * DAY})


def _trained(project, name: str = "", days: float = 0.0, **kwargs):
    run = project.run_function("trainer", name=name, inputs={"data": "data.csv"}, local=True, **kwargs)
    if days:
        _age(run, days)
    return run


def _failed(project, name: str = "broken", days: float = 0.0):
    with pytest.raises(runlab.RunError) as caught:
        project.run_function("trainer", handler="fail", name=name, local=True)
    if days:
        _age(caught.value.run, days)
    return caught.value.run


def _files(run) -> list[Path]:
    return [Path(a["target_path"]) for a in run.to_dict()["status"]["artifacts"]]


def _uids(project) -> set[str]:
    return {run.uid() for run in project.list_runs()}


def test_gc_deletes_the_runs_every_bound_takes_and_a_dry_run_reports_the_same(project):
    old = [_trained(project, days=40 + i) for i in range(3)]
    recent = _trained(project, days=1)
    old_error = _failed(project, days=50)
    recent_error = _failed(project, days=2)
    old_files = [path for run in old for path in _files(run)]
    assert all(path.is_file() for path in old_files)
    expected_bytes = sum(path.stat().st_size for path in old_files)

    dry = project.gc(older_than="30d", state=["completed"], dry_run=True)
    assert set(dry.runs) == {run.uid() for run in old}
    assert (dry.files, dry.bytes, dry.dry_run) == (3, expected_bytes, True)
    assert "would delete 3 runs, 3 artifact files" in repr(dry)
    assert all(path.is_file() for path in old_files) and len(_uids(project)) == 6, "a dry run deletes nothing"

    done = project.gc(older_than="30d", state=["completed"])
    assert (sorted(done.runs), done.files, done.bytes, done.dry_run) == (sorted(dry.runs), 3, expected_bytes, False)
    assert "deleted 3 runs, 3 artifact files, freed" in repr(done)
    assert _uids(project) == {recent.uid(), old_error.uid(), recent_error.uid()}
    assert not any(path.exists() for path in old_files)
    assert get_store().read_log(old[0].uid()) == ("", 0), "the logs go with the runs"

    assert project.gc(state="error", older_than="30d").runs == [old_error.uid()]
    assert _uids(project) == {recent.uid(), recent_error.uid()}


def test_keep_last_keeps_the_newest_ended_runs_of_each_job(project):
    trains = [_trained(project, name="train", days=10 - i) for i in range(4)]  # oldest first
    prep = _trained(project, name="prep", days=20)
    report = project.gc(keep_last=2)
    assert set(report.runs) == {trains[0].uid(), trains[1].uid()}
    assert _uids(project) == {trains[2].uid(), trains[3].uid(), prep.uid()}, "each job keeps its newest 2"
    assert project.gc(keep_last=2, older_than="30d").runs == [], "every bound must hold"


def test_gc_never_deletes_a_live_run(project):
    store = get_store()
    live = []
    for state in (RunState.PENDING, RunState.RUNNING, RunState.ABORTING):
        record = new_run("demo", "train", "job", state, {}, {"function": "demo/trainer"})
        record.start_time = record.last_update = time.time() - 100 * DAY
        store.create_run(record)
        live.append(record.uid)
    ended = _trained(project, name="train", days=100)
    report = project.gc(older_than="1d")
    assert report.runs == [ended.uid()]
    assert {run.uid() for run in project.list_runs()} == set(live)
    with pytest.raises(runlab.ValidationError, match="only runs that ended"):
        project.gc(state="running")


def test_gc_keeps_a_run_whose_artifact_a_kept_run_reads(project):
    producer = _trained(project, name="train", days=40)
    uri = producer.outputs["summary"]
    consumer = project.run_function("trainer", name="train", inputs={"data": uri}, local=True)
    unrelated = _trained(project, name="train", days=45)
    report = project.gc(keep_last=1)
    assert report.kept_as_inputs == [producer.uid()]
    assert report.runs == [unrelated.uid()]
    assert _uids(project) == {producer.uid(), consumer.uid()}
    assert all(path.is_file() for path in _files(producer)), "the input file stays"
    assert "kept 1 run whose artifacts a kept run reads" in repr(report)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({}, "give older_than, keep_last or state"),
    ({"older_than": "soon"}, "not a duration"),
    ({"older_than": -5}, "negative"),
    ({"keep_last": -1}, "an int >= 0"),
    ({"keep_last": True}, "an int >= 0"),
    ({"state": "done"}, "only runs that ended"),
    ({"state": []}, "selects nothing"),
])
def test_bad_arguments_are_refused_before_anything_is_deleted(project, kwargs, message):
    run = _trained(project, days=40)
    with pytest.raises(runlab.ValidationError, match=message):
        project.gc(**kwargs)
    assert _uids(project) == {run.uid()}


def test_durations_read_as_seconds():
    from datetime import timedelta

    from runlab.gc import parse_duration

    assert [parse_duration(v) for v in ("30d", "12h", "90m", "45s", "2w", 7, timedelta(hours=1))] == [
        30 * DAY, 12 * 3600, 90 * 60, 45, 14 * DAY, 7, 3600]


def test_a_project_policy_runs_gc_after_its_runs_and_is_kept_in_the_store(project):
    first = _trained(project, name="train")
    project.set_gc_policy(keep_last=2, interval=0)
    assert project.gc_policy == {"older_than": None, "keep_last": 2, "state": None, "interval": 0.0}
    assert runlab.load_project("demo", set_current=False).gc_policy == project.gc_policy, "stored with the project"
    second, third = _trained(project, name="train"), _trained(project, name="train")
    assert _uids(project) == {second.uid(), third.uid()}, "the run's end applied the policy"
    assert first.uid() not in _uids(project)
    project.clear_gc_policy()
    assert project.gc_policy is None
    fourth = _trained(project, name="train")
    assert _uids(project) == {second.uid(), third.uid(), fourth.uid()}


def test_the_policy_runs_at_most_once_per_interval_in_a_process(project):
    project.set_gc_policy(keep_last=1, interval=3600)
    runs = [_trained(project, name="train") for _ in range(3)]
    # the first run's end applied it (nothing over the limit yet); the next ones are within the interval
    assert _uids(project) == {run.uid() for run in runs}
    runlab.process.reset("gc")
    last = _trained(project, name="train")
    assert _uids(project) == {last.uid()}


@pytest.fixture
def cli(runlab_home, tmp_path):
    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "runlab.cli", *args], capture_output=True, text=True,
                              cwd=tmp_path, env={**os.environ, "RUNLAB_HOME": str(runlab_home)}, timeout=120)

    return run


def test_the_gc_command_reports_deletes_and_exits_2_on_bad_input(project, cli):
    old = [_trained(project, name="train", days=40 + i) for i in range(2)]
    kept = _trained(project, name="train")
    proc = cli("gc", "--project", "demo", "--older-than", "30d", "--state", "completed", "--dry-run", "-v")
    assert proc.returncode == 0, proc.stderr
    assert "project demo: would delete 2 runs, 2 artifact files" in proc.stdout
    assert all(run.uid() in proc.stdout for run in old)
    assert len(_uids(project)) == 3
    proc = cli("gc", "--project", "demo", "--older-than", "30d")
    assert proc.returncode == 0, proc.stderr
    assert "project demo: deleted 2 runs, 2 artifact files, freed" in proc.stdout
    assert _uids(project) == {kept.uid()}
    bad = cli("gc", "--project", "demo", "--older-than", "soon")
    assert bad.returncode == 2 and "not a duration" in bad.stderr and "Traceback" not in bad.stderr
    missing = cli("gc", "--project", "nope", "--keep-last", "1")
    assert missing.returncode == 2 and "no project named 'nope'" in missing.stderr
    assert cli("gc", "--project", "demo").returncode == 2


@pytest.mark.sqlite_only
def test_a_store_upgraded_to_project_settings_keeps_its_projects_with_no_policy(runlab_home):
    """A store at revision 0008 with a project in it, upgraded: the project reads as before, has empty settings,
    and takes a policy."""
    from sqlalchemy import create_engine, insert

    from runlab.config import get_config
    from runlab.store import schema
    from runlab.store.migrate import HEAD_REVISION, current_revision, upgrade

    engine = create_engine(get_config().db_url)
    try:
        upgrade(engine, "0008")
        with engine.begin() as conn:
            conn.execute(insert(schema.projects).values(
                name="old", context="/tmp", artifact_path="/tmp/a", description="d", created=1.0, updated=1.0))
    finally:
        engine.dispose()
    store = get_store()  # opening it upgrades it
    assert current_revision(store.engine) == HEAD_REVISION
    assert store.get_project("old") == {"name": "old", "context": "/tmp", "artifact_path": "/tmp/a",
                                        "description": "d", "created": 1.0, "updated": 1.0}
    assert store.get_project_settings("old") == {}
    project = runlab.load_project("old", set_current=False)
    assert project.gc_policy is None
    project.set_gc_policy(older_than="30d")
    assert project.gc_policy["older_than"] == 30 * DAY
