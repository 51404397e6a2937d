"""What the package's seams promise: a store other than the configured one is read from end to end, a stored
schedule is rebuilt like any task, ownership stays out of the user's status, one reset clears every
process global, and a runtime is one small class the registry finds."""

from __future__ import annotations

import pandas as pd
import pytest

import runlab
from runlab import process, projectref
from runlab.config import get_config
from runlab.project import Project
from runlab.record import RunState
from runlab.runtimes import abort_run, get_runtime, owner_runtime
from runlab.scheduler import Scheduler
from runlab.store import get_store

HANDLERS = """
    import pandas as pd

    def make(context, rows=3):
        context.log_dataset("table", pd.DataFrame({"x": list(range(rows))}))
        context.log_result("rows", rows)

    def read(context, table):
        context.log_result("total", int(table.as_df()["x"].sum()))
"""


@pytest.fixture
def other_store(tmp_path, write_file):
    """A project whose runs live in a second SQLite store, not the configured one."""
    write_file("handlers.py", HANDLERS)
    store = get_store(f"sqlite:///{tmp_path / 'other' / 'runs.db'}")
    project = Project("elsewhere", str(tmp_path), store=store).save()
    project.set_function("handlers.py", name="fn", kind="local", handler="make")
    return project


def test_a_run_of_another_store_reads_its_own_artifacts(other_store):
    run = other_store.run_function("fn", params={"rows": 4})
    assert get_store().get_run(run.uid()) is None, "the configured store has never seen it"
    again = runlab.RunObject(run.uid(), 0, other_store.store.url)
    assert again.state() == "completed"
    assert again.artifact("table").as_df().equals(pd.DataFrame({"x": [0, 1, 2, 3]}))


def test_a_store_uri_input_resolves_in_the_runs_own_store(other_store):
    made = other_store.run_function("fn", params={"rows": 5})
    read = other_store.run_function("fn", handler="read", inputs={"table": made.outputs["table"]})
    assert read.status.results == {"total": 10}


def test_run_db_reads_runs_from_its_own_store(other_store):
    run = other_store.run_function("fn")
    db = runlab.get_run_db(other_store.store.url)
    assert db.read_run(run.uid()).status.results == {"rows": 3}
    assert db.read_run(run.uid()[:8]).uid() == run.uid(), "a unique uid prefix is enough"
    with pytest.raises(runlab.RunNotFoundError):
        runlab.get_run_db().read_run(run.uid())


def test_a_stored_schedule_task_with_fields_this_version_does_not_know_still_fires(project):
    sched = project.run_function("trainer", params={"p1": 2}, inputs={"data": "data.csv"}, schedule="@hourly")
    row = get_store().get_schedule("demo", sched.name)
    saved = {**row["task"], "task": {**row["task"]["task"], "priority": "high"}}  # written by a newer runlab
    get_store().update_schedule("demo", sched.name, {"task": saved})
    [run] = Scheduler().tick(sched.next_run_time.timestamp() + 1)
    assert run.wait_for_completion(timeout=60).status.results["accuracy"] == pytest.approx(0.7)
    assert [e["event"] for e in sched.events()] == ["fired"]


def test_who_owns_a_run_is_recorded_apart_from_its_status(project):
    run = project.run_function("trainer", inputs={"data": "data.csv"})
    record = get_store().get_run(run.uid())
    assert record.owner.runtime == "job"
    assert record.owner.pid_started is not None
    assert not {"runtime", "pid_started", "dask_key"} & set(run.status)
    assert not {"runtime", "pid_started", "dask_key"} & set(run.to_dict()["status"])


def test_states_are_run_states_in_records_and_strings_for_users(project):
    run = project.run_function("trainer", inputs={"data": "data.csv"}, local=True)
    assert get_store().get_run(run.uid()).state is RunState.COMPLETED
    assert get_store().get_run_state(run.uid()) is RunState.COMPLETED
    assert type(run.to_dict()["status"]["state"]) is str


def test_abort_asks_the_runtime_that_owns_the_run(project):
    run = project.run_function("trainer", handler="fail", local=True, watch=False)
    assert abort_run(get_store(), run.uid()) is RunState.ERROR, "an ended run is left as it is"
    assert type(owner_runtime("job")).__name__ == "JobRuntime"
    assert owner_runtime("sweep").name == "local", "sweep parents are driven by a thread of their process"
    with pytest.raises(runlab.UnsupportedError, match="no runtime named 'k8s': available runtimes are dask"):
        get_runtime("k8s")


def test_one_reset_clears_every_process_global(project, monkeypatch):
    assert projectref.current() is project
    first_store = get_store()
    monkeypatch.setenv("RUNLAB_MAX_JOBS", "3")
    assert get_config().max_jobs != 3, "settings are read once"
    process.reset()
    assert projectref.current() is None
    assert get_config().max_jobs == 3
    assert get_store() is not first_store
    assert {"config", "store", "projectref", "handlers", "runtimes.processes"} <= set(process.registered())


def test_settings_have_one_home(monkeypatch):
    monkeypatch.setenv("RUNLAB_FORKSERVER", "0")
    monkeypatch.setenv("RUNLAB_FORKSERVER_IDLE", "7")
    monkeypatch.setenv("RUNLAB_DASK_SHARED_FS", "1")
    config = runlab.config.reset_config()
    assert (config.forkserver, config.forkserver_idle, config.dask_shared_fs) == (False, 7.0, True)


def test_a_handler_only_this_process_can_load_runs_here_or_is_refused_saying_why(project):
    def nested(context):
        context.log_result("here", True)

    job = runlab.new_function(name="cell", kind="job")
    with pytest.raises(runlab.ValidationError, match=r"^a lambda cannot be the handler of job 'cell'"):
        project.run_function(job, handler=lambda context: None, local=True)
    with pytest.raises(runlab.ValidationError, match=r"^a nested function cannot be the handler of job 'cell'"):
        project.run_function(job, handler=nested)
    on_dask = runlab.new_function(name="spread", kind="dask")
    with pytest.raises(runlab.ValidationError, match=r"^a nested function cannot be the handler of a background "
                                                     r"'dask' run of 'spread'.* pass local=True to run it here"):
        project.run_function(on_dask, handler=nested)
    assert project.run_function(on_dask, handler=nested, local=True).status.results == {"here": True}
