"""The ``job`` runtime: one detached OS process per run, followed, aborted, queued and reaped."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pytest

import runlab
from runlab.config import reset_config
from runlab.record import RunRecord
from runlab.runtimes import forkclient
from runlab.store import get_store
from waiting import wait_until

pytestmark = pytest.mark.slow

JOBS = """
    import os, signal, subprocess, sys, time

    def quick(context, x=1):
        print("quick", x)
        context.log_result("double", 2 * x)

    def wait_for_gate(gate):
        # blocks until the test creates the file: till then, the test knows the run is still going
        deadline = time.monotonic() + 60
        while not os.path.exists(gate):
            if time.monotonic() > deadline:
                raise TimeoutError(f"the gate {gate} never opened")
            time.sleep(0.02)

    def stepwise(context, steps=20, gate=None):
        for i in range(steps):
            context.log_result("step", i)
            print("step", i, flush=True)
            time.sleep(0.2)
        if gate:
            wait_for_gate(gate)

    def stubborn(context):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        context.log_result("child", child.pid)
        context.log_result("me", os.getpid())
        time.sleep(60)

    def began(context, wait=0.6, gate=None):
        context.log_result("began", time.time())
        if gate:
            wait_for_gate(gate)
        time.sleep(wait)
        context.log_result("ended", time.time())

    def crash(context):
        raise RuntimeError("bad data")
"""


@pytest.fixture
def jobs(write_file, tmp_path):
    write_file("jobs.py", JOBS)
    project = runlab.get_or_create_project("jobs", context=str(tmp_path))
    project.set_function("jobs.py", name="jobs", kind="job", handler="quick")
    return project


def alive(pid: int) -> bool:
    from runlab.runtimes.processes import is_alive

    return is_alive(pid)


def test_job_runs_in_its_own_process_and_streams_output(jobs, capsys):
    run = jobs.run_function("jobs", params={"x": 21})
    assert run.state() == "completed"
    assert run.status.results == {"double": 42}
    assert run.status.pid != os.getpid()
    assert "quick 21" in capsys.readouterr().out


def test_watch_false_returns_at_once_and_results_are_live(jobs, tmp_path):
    gate = tmp_path / "gate"  # the run goes on until the test opens it
    run = jobs.run_function("jobs", handler="stepwise", params={"steps": 3, "gate": str(gate)}, watch=False)
    wait_until(lambda: run.refresh().status.results.get("step") == 2)
    assert run.state() == "running"
    gate.touch()
    run.wait_for_completion(timeout=30)
    assert (run.state(), run.status.results) == ("completed", {"step": 2})


def test_failed_job_raises_run_error_with_the_traceback(jobs):
    with pytest.raises(runlab.RunError, match="RuntimeError: bad data") as info:
        jobs.run_function("jobs", handler="crash")
    assert 'raise RuntimeError("bad data")' in info.value.run.status.traceback


def test_run_outlives_the_process_that_started_it(jobs, runlab_home, tmp_path):
    code = (
        "import runlab; p = runlab.load_project('jobs'); "
        "r = p.run_function('jobs', handler='stepwise', params={'steps': 5}, watch=False); print(r.uid())"
    )
    uid = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "RUNLAB_HOME": str(runlab_home)}).stdout.strip()
    run = runlab.get_run(uid).wait_for_completion(timeout=30)
    assert (run.state(), run.status.results) == ("completed", {"step": 4})


def test_abort_stops_the_process_tree_even_if_it_ignores_sigterm(jobs):
    run = jobs.run_function("jobs", handler="stubborn", watch=False)
    wait_until(lambda: "me" in run.refresh().status.results)
    child, worker = run.status.results["child"], run.status.results["me"]
    started = time.monotonic()
    state = run.abort()
    assert (state, type(state)) == ("aborted", str)
    assert time.monotonic() - started < 5
    assert run.state() == "aborted"
    wait_until(lambda: not alive(child) and not alive(worker), timeout=5)


def test_abort_during_sleep_records_aborted_from_the_worker(jobs, capsys):
    run = jobs.run_function("jobs", handler="stepwise", params={"steps": 100}, watch=False)
    wait_until(lambda: run.refresh().status.results.get("step", -1) >= 1)
    assert run.abort() == "aborted"
    assert run.error == "aborted by request"
    capsys.readouterr()
    run.logs(watch=False)
    *steps, last = capsys.readouterr().out.splitlines()
    assert last == f"run {run.uid()} aborted", "the worker itself stopped and said so"
    assert steps[0] == "step 0" and steps == [f"step {i}" for i in range(len(steps))]


def test_abort_of_a_finished_run_is_a_no_op_that_says_so(jobs, capsys):
    run = jobs.run_function("jobs")
    assert run.abort() == "completed"
    assert "already ended (completed)" in capsys.readouterr().err


def test_two_aborts_at_once_leave_one_consistent_end(jobs):
    run = jobs.run_function("jobs", handler="stepwise", params={"steps": 100}, watch=False)
    wait_until(lambda: run.refresh().state() == "running")
    results = []
    threads = [threading.Thread(target=lambda: results.append(runlab.get_run(run.uid()).abort())) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == ["aborted", "aborted"]
    assert run.state() == "aborted"


def test_killed_worker_is_reaped_with_the_reason(jobs):
    run = jobs.run_function("jobs", handler="stepwise", params={"steps": 100}, watch=False)
    wait_until(lambda: run.refresh().state() == "running")
    os.kill(run.status.pid, signal.SIGKILL)
    # read the state without refresh(): its reaper would race the fork server to record the death
    wait_until(lambda: get_store().get_run_state(run.uid(), 0) == "error", timeout=10)
    assert run.refresh().error == f"process {run.status.pid} was killed by signal 9 without reporting"


def test_dead_owner_found_by_another_process_is_reaped(jobs, runlab_home):
    """With no parent left to collect the exit (another kernel started it), the reaper finds it by pid."""
    code = (
        "import runlab, time; p = runlab.load_project('jobs'); "
        "r = p.run_function('jobs', handler='stepwise', params={'steps': 100}, watch=False); "
        "[time.sleep(0.05) for _ in range(200) if r.refresh().state() != 'running']; print(r.uid(), r.status.pid)"
    )
    env = {**os.environ, "RUNLAB_HOME": str(runlab_home), "RUNLAB_FORKSERVER": "0"}  # no server watching it
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env).stdout
    uid, pid = out.split()[0], int(out.split()[1])
    os.kill(pid, signal.SIGKILL)
    wait_until(lambda: runlab.get_run(uid).state() == "error", timeout=10)
    assert "exited without reporting" in runlab.get_run(uid).error


def test_concurrency_limit_queues_runs_in_submission_order(jobs, monkeypatch, tmp_path):
    monkeypatch.setenv("RUNLAB_MAX_JOBS", "2")
    reset_config()
    gate = tmp_path / "gate"  # the first two hold their slots until the test opens it
    runs = [jobs.run_function("jobs", handler="began", name=f"q{i}", params={"gate": str(gate)}, watch=False)
            for i in range(5)]
    wait_until(lambda: all("began" in r.refresh().status.results for r in runs[:2]))
    assert [r.state() for r in runs] == ["running", "running", "pending", "pending", "pending"]
    assert [r.status.get("pid") is None for r in runs] == [False, False, True, True, True], "queued: no process"
    gate.touch()
    for run in runs:
        run.wait_for_completion(timeout=60)
    spans = [(r.status.results["began"], r.status.results["ended"]) for r in runs]
    # kernel clock ticks of each run's process start
    process_starts = [get_store().get_run(r.uid()).owner.pid_started for r in runs]
    assert process_starts == sorted(process_starts), "queued runs start in submission order"
    for began, _ in spans:
        overlapping = sum(1 for s, e in spans if s <= began < e)
        assert overlapping <= 2


def test_notebook_callable_cannot_be_a_background_job(jobs):
    namespace = {"__name__": "__main__"}  # what a notebook cell's globals look like
    exec("def cell_handler():\n    return 1\n", namespace)
    cell_handler = namespace["cell_handler"]
    with pytest.raises(runlab.ValidationError, match=r"put it in a \.py file"):
        jobs.run_function(runlab.new_function(name="cell", kind="job"), handler=cell_handler)


def test_source_file_that_no_longer_exists(jobs, tmp_path):
    (tmp_path / "jobs.py").rename(tmp_path / "moved.py")
    fresh = runlab.load_project("jobs")
    with pytest.raises(runlab.ValidationError, match="no longer exists"):
        fresh.run_function("jobs")


@pytest.mark.parametrize("fork_server", ["1", "0"], ids=["fork-server", "new-interpreter"])
def test_both_ways_of_starting_a_worker(jobs, monkeypatch, fork_server):
    monkeypatch.setenv("RUNLAB_FORKSERVER", fork_server)
    monkeypatch.setenv("SECRET_TOKEN", "from-the-kernel")
    assert jobs.run_function("jobs", params={"x": 2}).status.results == {"double": 4}
    if fork_server == "1":  # the first run went to a new interpreter, which started the server: wait for it
        wait_until(lambda: forkclient.socket_path(os.environ["RUNLAB_HOME"]).exists(), timeout=60)
    run = jobs.run_function("jobs", handler="stepwise", params={"steps": 100}, watch=False)
    wait_until(lambda: run.refresh().state() == "running")
    os.kill(run.status.pid, signal.SIGKILL)
    # read the state without refresh(): its reaper would race the fork server (or the watcher) to record it
    wait_until(lambda: get_store().get_run_state(run.uid(), 0) == "error", timeout=10)
    assert run.refresh().error == f"process {run.status.pid} was killed by signal 9 without reporting"


def test_worker_gets_the_submitters_environment_and_folder(jobs, write_file, monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_TOKEN", "from-the-kernel")
    write_file("env.py", "import os\n\ndef show():\n    return [os.environ.get('SECRET_TOKEN'), os.getcwd()]\n")
    jobs.set_function("env.py", name="env", kind="job", handler="show")
    assert jobs.run_function("env").status.results["return"] == ["from-the-kernel", str(tmp_path)]


def test_source_removed_while_queued_is_a_recorded_error(jobs, monkeypatch, tmp_path):
    monkeypatch.setenv("RUNLAB_MAX_JOBS", "1")
    reset_config()
    blocker = jobs.run_function("jobs", handler="began", params={"wait": 1.5}, watch=False)
    queued = jobs.run_function("jobs", watch=False)
    assert queued.state() == "pending"
    wait_until(lambda: "began" in blocker.refresh().status.results)  # it has loaded the file
    (tmp_path / "jobs.py").unlink()
    blocker.wait_for_completion(timeout=30)
    with pytest.raises(runlab.RunError, match=r"cannot load the handler: the function's source file .* no longer"):
        queued.wait_for_completion(timeout=30)


def test_waiting_for_a_queued_run_starts_it_when_the_run_before_it_died(jobs, monkeypatch, tmp_path):
    monkeypatch.setenv("RUNLAB_MAX_JOBS", "1")
    reset_config()
    blocker = jobs.run_function("jobs", handler="began", params={"gate": str(tmp_path / "never")}, watch=False)
    queued = jobs.run_function("jobs", params={"x": 5}, watch=False)
    wait_until(lambda: "began" in blocker.refresh().status.results)
    assert queued.state() == "pending"
    os.kill(blocker.status.pid, signal.SIGKILL)  # no worker ends normally, so none starts the queued run
    wait_until(lambda: get_store().get_run_state(blocker.uid(), 0) == "error", timeout=10)
    assert queued.refresh().state() == "pending", "reading a run never starts another"
    assert queued.wait_for_completion(timeout=60).status.results == {"double": 10}


def test_a_run_on_another_host_is_reaped_when_its_heartbeat_stops(jobs):
    import dataclasses

    from runlab.runtimes.processes import death_reason, reap

    run = jobs.run_function("jobs")
    now = time.time()
    away = RunRecord.from_row({"uid": "u", "iteration": 0, "project": "p", "name": "n", "kind": "job", "labels": {},
                               "spec": {}, "start_time": now - 5, "pid": 4242, "host": "elsewhere",
                               "last_update": now - 3, "state": "running"})
    assert death_reason(away, now, reap_after=10) is None
    assert death_reason(dataclasses.replace(away, last_update=now - 11), now, 10) == (
        "no heartbeat from process 4242 on elsewhere for 11 s")
    get_store().update_run(run.uid(), 0, {"state": "running", "host": "elsewhere", "pid": 4242,
                                          "last_update": now - 60})
    assert reap(get_store(), force=True) == [(run.uid(), 0)]
    assert "no heartbeat from process 4242 on elsewhere" in run.refresh().error
