"""Timeouts and retries of a run: a hung handler is stopped (job, notebook, Dask, in-process) with the processes
it started, a flaky one succeeds on a later attempt with each attempt recorded, and bad values are refused."""

from __future__ import annotations

import json
import time

import nbformat
import pytest

from runlab.bounds import waiting_note
from runlab.errors import InvalidRunLimitError, RunError
from runlab.runtimes.processes import is_alive
from runlab.scheduler import Scheduler
from runlab.store import get_store
from waiting import wait_until

pytestmark = pytest.mark.slow

HANDLERS = """
    import os, subprocess, sys, time

    def hang(context):
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
        context.log_result("child", child.pid)
        context.log_result("me", os.getpid())
        time.sleep(600)

    def busy(context):
        for step in range(100000):
            context.log_result("step", step)
            time.sleep(0.05)

    def flaky(context, counter, fail_times=2):
        count = int(open(counter).read()) + 1 if os.path.exists(counter) else 1
        open(counter, "w").write(str(count))
        print("try", count)
        if count <= fail_times:
            raise RuntimeError(f"flaky failure {count}")
        context.log_result("tries", count)

    def hang_in_steps(context):
        # a thread cannot be interrupted inside one long sleep: a Dask handler stops between two steps
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
        context.log_result("child", child.pid)
        while True:
            time.sleep(0.05)

    def sweep_child(context, x):
        if x == 2:
            time.sleep(600)
        context.log_result("x", x)

    def quick(context):
        context.log_result("done", 1)
"""


@pytest.fixture
def bounded(project, write_file):
    write_file("bounded.py", HANDLERS)
    project.set_function("bounded.py", name="bounded", kind="job", handler="hang")
    return project


def _attempts(run):
    return run.refresh().to_dict()["status"].get("attempts")


@pytest.mark.parametrize("kwargs, named", [
    ({"timeout": 0}, "timeout"), ({"timeout": -1}, "timeout"), ({"timeout": "5"}, "timeout"),
    ({"timeout": True}, "timeout"), ({"timeout": float("nan")}, "timeout"), ({"retry": -1}, "retry"),
    ({"retry": 1.5}, "retry"), ({"retry": 2, "retry_delay": -0.1}, "retry_delay"),
    ({"retry_delay": 1}, "retry_delay"),
])
def test_bad_values_are_refused_before_anything_is_recorded(bounded, kwargs, named):
    with pytest.raises(InvalidRunLimitError, match=named):
        bounded.run_function("bounded", handler="quick", **kwargs)
    with pytest.raises(InvalidRunLimitError, match=named):
        bounded.get_function("bounded").run(handler="quick", **kwargs)
    assert bounded.list_runs().to_objects() == []


def test_a_hung_job_is_stopped_by_its_timeout_with_its_process_tree(bounded):
    with pytest.raises(RunError, match="timed out after 1 s") as caught:
        bounded.run_function("bounded", timeout=1)
    run = caught.value.run.refresh()
    assert run.state() == "error" and run.error == "timed out after 1 s"
    child, worker = run.status.results["child"], run.status.results["me"]
    assert wait_until(lambda: not is_alive(child) and not is_alive(worker), 30), "no process of the run survives"
    assert run.spec.timeout == 1


def test_an_in_process_run_stops_at_its_next_commit(bounded):
    with pytest.raises(RunError, match="timed out after 1 s") as caught:
        bounded.run_function("bounded", handler="busy", local=True, timeout=1)
    run = caught.value.run.refresh()
    assert run.state() == "error" and run.error == "timed out after 1 s"
    assert 5 <= run.status.results["step"] < 100, "it ran until the timeout, then stopped"


def test_a_flaky_job_succeeds_on_its_third_attempt_with_each_attempt_recorded(bounded, tmp_path):
    counter = str(tmp_path / "counter")
    run = bounded.run_function("bounded", handler="flaky", params={"counter": counter}, retry=2, retry_delay=0.1)
    assert run.state() == "completed" and run.status.results["tries"] == 3
    attempts = _attempts(run)
    assert [a["state"] for a in attempts] == ["error", "error", "completed"]
    assert [a["attempt"] for a in attempts] == [1, 2, 3]
    assert attempts[0]["error"] == "RuntimeError: flaky failure 1"
    assert attempts[1]["start_time"] - attempts[0]["end_time"] >= 0.1, "the delay before the second attempt"
    assert attempts[2]["start_time"] - attempts[1]["end_time"] >= 0.2, "twice as long before the third"
    text, _ = get_store().read_log(run.uid())
    assert text.index("attempt 1 of 3") < text.index("flaky failure 1") < text.index("attempt 3 of 3")
    assert "retry" not in run.to_dict()["status"], "no next attempt is announced once it ended"


def test_a_run_out_of_attempts_ends_error_with_the_last_failure(bounded, tmp_path):
    counter = str(tmp_path / "counter")
    with pytest.raises(RunError, match="flaky failure 2") as caught:
        bounded.run_function("bounded", handler="flaky", params={"counter": counter, "fail_times": 5}, retry=1)
    assert [a["state"] for a in _attempts(caught.value.run)] == ["error", "error"]


def test_a_run_waiting_for_its_next_attempt_shows_it_and_an_abort_ends_it(bounded, tmp_path):
    counter = str(tmp_path / "counter")
    run = bounded.run_function("bounded", handler="flaky", params={"counter": counter}, retry=2, retry_delay=30,
                               watch=False)
    assert wait_until(lambda: run.refresh().state() == "pending" and "retry" in run.to_dict()["status"], 60)
    retry = run.to_dict()["status"]["retry"]
    assert (retry["attempt"], retry["of"]) == (2, 3)
    assert waiting_note(retry, time.time()).startswith("attempt 2 of 3 in ")
    assert run.abort() == "aborted"
    assert [a["state"] for a in _attempts(run)] == ["error"]


def test_a_timed_out_attempt_is_retried(bounded, tmp_path):
    with pytest.raises(RunError, match="timed out after 1 s") as caught:
        bounded.run_function("bounded", timeout=1, retry=1, retry_delay=0.1)
    attempts = _attempts(caught.value.run)
    assert [(a["state"], a["error"]) for a in attempts] == [("error", "timed out after 1 s")] * 2


def test_a_schedule_keeps_its_bounds_and_its_firing_retries(bounded, tmp_path):
    counter = str(tmp_path / "counter")
    sched = bounded.run_function("bounded", handler="flaky", params={"counter": counter}, schedule="@hourly",
                                 retry=2, retry_delay=0.1, timeout=30)
    [run] = Scheduler().tick(sched.next_run_time.timestamp() + 0.5)
    run = run.wait_for_completion(timeout=60, poll=0.05, raise_on_failure=False)
    assert run.state() == "completed" and len(_attempts(run)) == 3
    assert run.spec.timeout == 30


def test_a_sweep_applies_the_timeout_to_each_child(bounded):
    run = bounded.run_function("bounded", handler="sweep_child", hyperparams={"x": [1, 2]}, timeout=1, watch=True)
    children = [r for r in get_store().list_runs(uid=run.uid(), iterations=True) if r.iteration]
    states = {r.iteration: (r.state.value, r.error) for r in children}
    assert states == {1: ("completed", None), 2: ("error", "timed out after 1 s")}


NOTEBOOK_HANG = "import subprocess, sys, time\nchild = subprocess.Popen([sys.executable, '-c', " \
    "'import time; time.sleep(600)'])\nopen(pidfile, 'w').write(str(child.pid))\ntime.sleep(600)"


def test_a_hung_notebook_is_stopped_by_its_timeout_with_its_kernel(bounded, tmp_path):
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "python3", "language": "python"}
    notebook.cells = [nbformat.v4.new_code_cell("pidfile = ''", metadata={"tags": ["parameters"]}),
                      nbformat.v4.new_code_cell(NOTEBOOK_HANG)]
    nbformat.write(notebook, tmp_path / "hang.ipynb")
    bounded.set_function("hang.ipynb", name="hang-nb")
    pidfile = tmp_path / "child.pid"
    with pytest.raises(RunError, match="timed out after 5 s") as caught:
        bounded.run_function("hang-nb", params={"pidfile": str(pidfile)}, timeout=5)
    assert caught.value.run.refresh().error == "timed out after 5 s"
    child = int(pidfile.read_text())
    assert wait_until(lambda: not is_alive(child), 30), "the kernel's child is gone with the kernel"


def test_the_attempts_are_in_the_run_dict(bounded, tmp_path):
    counter = str(tmp_path / "counter")
    run = bounded.run_function("bounded", handler="flaky", params={"counter": counter, "fail_times": 1}, retry=1)
    data = json.loads(run.to_json())
    assert [a["state"] for a in data["status"]["attempts"]] == ["error", "completed"]
    assert data["spec"]["retry"] == {"count": 1, "delay": 0.0}


@pytest.fixture
def dask_project(bounded, monkeypatch):
    from distributed import Client, LocalCluster

    from runlab.config import reset_config
    from runlab.runtimes import dask as dask_runtime

    cluster = LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None)
    client = Client(cluster, set_as_default=False)
    monkeypatch.setenv("RUNLAB_DASK_SHARED_FS", "1")  # the test cluster shares this machine's disk
    reset_config()
    dask_runtime.set_dask_client(client)
    bounded.set_function("bounded.py", name="on-dask", kind="dask", handler="busy")
    yield bounded
    dask_runtime.set_dask_client(None)
    client.close()
    cluster.close()


def test_a_hung_dask_run_is_stopped_by_its_timeout_and_a_flaky_one_retried(dask_project, tmp_path):
    with pytest.raises(RunError, match="timed out after 1 s") as caught:
        dask_project.run_function("on-dask", handler="hang_in_steps", timeout=1)
    run = caught.value.run.refresh()
    assert run.state() == "error" and run.error == "timed out after 1 s"
    assert wait_until(lambda: not is_alive(run.status.results["child"]), 30), "the handler's child is gone"
    counter = str(tmp_path / "counter")
    run = dask_project.run_function("on-dask", handler="flaky", params={"counter": counter}, retry=2,
                                    retry_delay=0.1)
    assert run.state() == "completed" and [a["state"] for a in _attempts(run)] == ["error", "error", "completed"]


def test_a_dask_run_stuck_in_one_long_sleep_has_its_worker_restarted(dask_project):
    with pytest.raises(RunError, match="timed out after 1 s") as caught:
        dask_project.run_function("on-dask", handler="hang", timeout=1)
    run = caught.value.run.refresh()
    assert run.state() == "error" and run.error == "timed out after 1 s"
    child, worker = run.status.results["child"], run.status.results["me"]  # sent live, before the end
    assert wait_until(lambda: not is_alive(child) and not is_alive(worker), 30), "the worker's process tree is gone"


def test_a_rerun_keeps_the_bounds(bounded, tmp_path):
    counter = str(tmp_path / "counter")
    run = bounded.run_function("bounded", handler="flaky", params={"counter": counter, "fail_times": 0}, retry=2,
                               retry_delay=0.5, timeout=30)
    again = run.rerun()
    assert again.spec.timeout == 30 and again.spec.retry == {"count": 2, "delay": 0.5}
