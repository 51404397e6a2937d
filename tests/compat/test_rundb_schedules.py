"""Ported from MLRun's docs/concepts/scheduled-jobs.md (a job run on an hourly cron schedule) and the
schedule API of mlrun/db/httpdb.py (``get_schedule(project, name)``, ``list_schedules(project)`` returning
``.schedules``) with the fields of mlrun/common/schemas/schedule.py ``ScheduleOutput`` (``name``,
``kind``, ``cron_trigger``, ``next_run_time``, ``last_run_uri``, ``scheduled_object``).

The docs' ``set_function(..., image="mlrun/mlrun")`` and ``job.run(schedule=...)`` are written as
``set_function(...)`` without an image (runlab runs on this machine) and ``project.run_function(...,
schedule=...)``.
"""

from __future__ import annotations

import pytest

import runlab as mlrun


@pytest.fixture
def project(write_file, tmp_path):
    write_file("schedule.py", '''
def hello(context):
    print("You just ran a scheduled job!")
''')
    project = mlrun.get_or_create_project("schedule", context=str(tmp_path))
    project.set_function("schedule.py", name="my-scheduled-job", kind="job", handler="hello")
    return project


def test_a_scheduled_job_reads_back_from_the_db(project):
    project.run_function("my-scheduled-job", schedule="0 * * * *")
    db = mlrun.get_run_db()
    schedule = db.get_schedule("schedule", "my-scheduled-job")
    assert schedule.name == "my-scheduled-job" and schedule.project == "schedule"
    assert schedule.kind == "job"
    trigger = schedule.cron_trigger
    assert (trigger.minute, trigger.hour, trigger.day, trigger.month, trigger.day_of_week) == ("0", "*", "*", "*", "*")
    assert str(trigger) == "0 * * * *"
    assert schedule.next_run_time.minute == 0
    assert schedule.last_run_uri is None and schedule.last_run is None, "it has not fired yet"
    assert set(schedule.scheduled_object) == {"task", "handler", "selector"}
    schedules = db.list_schedules("schedule").schedules
    assert [s.name for s in schedules] == ["my-scheduled-job"]
    assert db.list_schedules("schedule", name="other") == []


def test_an_unknown_schedule_is_not_found(project):
    with pytest.raises(mlrun.errors.MLRunNotFoundError, match="has no schedule 'nope'"):
        mlrun.get_run_db().get_schedule("schedule", "nope")


def test_a_pipeline_schedule_kind_is_refused(project):
    """runlab differs on purpose: it has no pipelines, so only job schedules exist to list."""
    with pytest.raises(mlrun.errors.MLRunInvalidArgumentError, match="kind must be 'job'"):
        mlrun.get_run_db().list_schedules("schedule", kind="pipeline")


def test_last_run_after_run_now(project):
    schedule = project.run_function("my-scheduled-job", schedule="0 * * * *")
    run = schedule.run_now()
    run.wait_for_completion(timeout=60)
    again = mlrun.get_run_db().get_schedule("schedule", "my-scheduled-job", include_last_run=True)
    assert again.last_run_uri == f"schedule@{run.uid()}#0"
    assert again.last_run["metadata"]["uid"] == run.uid()
    assert again.last_run["status"]["state"] == "completed"
