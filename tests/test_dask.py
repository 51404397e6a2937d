"""The ``dask`` runtime against a real LocalCluster with two worker processes."""

from __future__ import annotations

import os
import time

import pytest

import runlab
from runlab.runtimes import dask as dask_runtime
from waiting import wait_until

pytestmark = pytest.mark.slow

HANDLERS = """
    import os
    import time

    def train(context, lr=0.1):
        print("training with", lr)
        context.log_result("score", lr * 10)
        context.log_artifact("notes", body=f"lr={lr}")
        return "done"

    def crash(context):
        raise ValueError("bad input")

    def sleepy(context, seconds=30):
        time.sleep(seconds)

    def stepwise(context, steps=10, gate=None):
        for i in range(steps):
            context.log_result("step", i)
            print("step", i, flush=True)
            time.sleep(0.3)
        deadline = time.monotonic() + 60
        while gate and not os.path.exists(gate):  # the test knows the run goes on until it opens the gate
            if time.monotonic() > deadline:
                raise TimeoutError(f"the gate {gate} never opened")
            time.sleep(0.02)
"""


@pytest.fixture(scope="module")
def cluster():
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    client = Client(cluster, set_as_default=False)
    yield client
    client.close()
    cluster.close()


@pytest.fixture
def project(cluster, write_file, tmp_path, monkeypatch):
    monkeypatch.setenv("RUNLAB_DASK_SHARED_FS", "1")  # the test cluster shares this machine's disk
    dask_runtime.set_dask_client(cluster)
    write_file("handlers.py", HANDLERS)
    project = runlab.get_or_create_project("dask", context=str(tmp_path))
    project.set_function("handlers.py", name="fn", kind="dask", handler="train")
    yield project
    dask_runtime.set_dask_client(None)


def test_dask_run_is_recorded_like_any_run(project, capsys):
    run = project.run_function("fn", params={"lr": 0.5})
    assert run.state() == "completed"
    assert run.status.results == {"score": 5.0, "return": "done"}
    assert run.artifact("notes").get() == b"lr=0.5"
    assert run.status.pid == os.getpid(), "the submitting process owns the record"
    assert "training with 0.5" in capsys.readouterr().out
    run.logs(watch=False)
    assert "training with 0.5" in capsys.readouterr().out


def test_watch_false_and_wait(project, tmp_path):
    gate = tmp_path / "gate"
    run = project.run_function("fn", handler="stepwise", params={"steps": 1, "gate": str(gate)}, watch=False)
    try:
        wait_until(lambda: run.refresh().status.results == {"step": 0})
        assert run.state() == "running", "watch=False returned while the run goes on"
    finally:
        gate.touch()
    assert run.wait_for_completion(timeout=60).status.results == {"step": 0}
    assert run.state() == "completed"


def test_failure_is_recorded_with_traceback(project):
    with pytest.raises(runlab.RunError, match="ValueError: bad input") as info:
        project.run_function("fn", handler="crash")
    assert 'raise ValueError("bad input")' in info.value.run.status.traceback


def test_abort_cancels_the_future(project):
    run = project.run_function("fn", handler="sleepy", watch=False)
    wait_until(lambda: run.state() == "running")
    started = time.monotonic()
    assert run.abort() == "aborted"
    assert time.monotonic() - started < 5
    assert (run.state(), run.error) == ("aborted", "aborted by request")


def test_relogged_artifacts_do_not_overwrite_earlier_runs(project):
    first = project.run_function("fn", params={"lr": 1})
    second = project.run_function("fn", params={"lr": 2})
    assert first.artifact("notes").get() == b"lr=1"
    assert second.artifact("notes").get() == b"lr=2"


def test_remote_cluster_needs_shared_storage(project, monkeypatch):
    from runlab.config import reset_config

    monkeypatch.delenv("RUNLAB_DASK_SHARED_FS")
    reset_config()  # settings are read from the environment once
    with pytest.raises(runlab.ValidationError, match="on this machine's disk"):
        project.run_function("fn")


def test_unreachable_scheduler_is_a_clear_error_within_the_timeout(write_file, tmp_path, monkeypatch):
    from runlab.config import reset_config

    dask_runtime.set_dask_client(None)
    monkeypatch.setenv("RUNLAB_DASK_ADDRESS", "tcp://127.0.0.1:9")
    config = reset_config()
    config.dask_connect_timeout = 2
    write_file("handlers.py", HANDLERS)
    project = runlab.get_or_create_project("nodask", context=str(tmp_path))
    project.set_function("handlers.py", name="fn", kind="dask", handler="train")
    started = time.monotonic()
    with pytest.raises(dask_runtime.ClusterUnavailableError, match="no Dask scheduler answered"):
        project.run_function("fn")
    assert time.monotonic() - started < 10
    assert project.list_runs() == []


def test_state_log_and_results_stream_while_running(project, tmp_path):
    gate = tmp_path / "gate"
    run = project.run_function("fn", handler="stepwise", params={"steps": 10, "gate": str(gate)}, watch=False)
    try:
        wait_until(lambda: run.refresh().status.results.get("step", -1) >= 2)
        assert run.state() == "running"
        from runlab.store import get_store

        text, _ = get_store().read_log(run.uid())
        assert "step 1\n" in text
    finally:
        gate.touch()
    run.wait_for_completion(timeout=30)
    text, _ = get_store().read_log(run.uid())
    assert text == "".join(f"step {i}\n" for i in range(10)), "every chunk once, in order"


def test_a_sweep_runs_its_children_on_dask_side_by_side(project):
    run = project.run_function("fn", hyperparams={"lr": [0.1, 0.2, 0.3]}, selector="max.score",
                               hyper_param_options={"parallel_runs": 2})
    assert run.status.results["best_iteration"] == 3
    assert {r["state"] for r in run.status.iterations} == {"completed"}
    from runlab.store import get_store

    assert get_store().get_run(run.uid(), 1).owner.runtime == "dask"
    assert "runtime" not in runlab.get_run(run.uid(), 1).status, "who owns a run is not the user's status"


def test_a_waiter_sees_the_end_as_it_is_recorded_not_at_its_next_poll(project):
    run = project.run_function("fn", params={"lr": 0.3}, watch=False)
    started = time.monotonic()
    # one poll an hour: the wait ends early only because this process recorded the run's end and woke the waiter
    assert run.wait_for_completion(poll=3600, timeout=120).state() == "completed"
    assert time.monotonic() - started < 60, "the waiter slept until its deadline"  # generous: the run takes < 1 s
    assert run.status.results == {"score": 3.0, "return": "done"}


def test_the_submitting_process_is_recorded_as_the_owner_while_the_run_goes_on(project, tmp_path):
    from runlab.store import get_store

    gate = tmp_path / "gate"
    run = project.run_function("fn", handler="stepwise", params={"steps": 1, "gate": str(gate)}, watch=False)
    try:
        wait_until(lambda: get_store().get_run(run.uid(), 0).pid is not None)
        record = get_store().get_run(run.uid(), 0)
        assert (record.pid, record.owner.runtime, record.owner.dask_key) == (os.getpid(), "dask",
                                                                             dask_runtime.topic(run.uid(), 0))
    finally:
        gate.touch()
    run.wait_for_completion(timeout=60)


def test_a_run_asked_to_abort_as_it_finishes_ends_aborted_with_what_it_recorded(project, tmp_path):
    from runlab.record import RunState
    from runlab.store import get_store

    gate = tmp_path / "gate"
    run = project.run_function("fn", handler="stepwise", params={"steps": 1, "gate": str(gate)}, watch=False)
    wait_until(lambda: run.refresh().status.results == {"step": 0})
    # an abort asked (the state) but not yet acted on: the task then finishes on its own
    assert get_store().update_run_if(run.uid(), 0, {"state": RunState.ABORTING}, (RunState.RUNNING,))
    gate.touch()
    wait_until(lambda: run.refresh().state() == "aborted")
    assert (run.error, run.status.results) == ("aborted by request", {"step": 0})


def test_a_worker_runs_the_handler_file_as_it_is_now(project, write_file):
    """A worker that ran a function's handler runs the edited file the next time (same function, same path)."""
    assert project.run_function("fn", params={"lr": 1}).status.results["score"] == 10
    write_file("handlers.py", HANDLERS.replace("lr * 10", "lr * 100 + 1"))
    for lr in (1, 2):  # both workers (a run lands on either)
        assert project.run_function("fn", params={"lr": lr}).status.results["score"] == lr * 100 + 1
