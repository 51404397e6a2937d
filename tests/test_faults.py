"""Fault scenarios with real processes: sweeps aborted from the process that started them, from another
Python process and through the REST API; processes killed with ``kill -9`` while nobody but the Jupyter
server or the scheduler looks. Every process a test starts is stopped by the test."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from pytest_jupyter.jupyter_core import *  # noqa: F403 - jp_fetch and the server it talks to
from pytest_jupyter.jupyter_server import *  # noqa: F403
from pytest_jupyter.pytest_tornasync import *  # noqa: F403
from tornado.httpclient import HTTPClientError

import runlab
from runlab.config import reset_config
from runlab.runtimes import abort_run
from runlab.runtimes.processes import is_alive
from runlab.scheduler import Scheduler
from runlab.store import get_store
from waiting import wait_until

pytestmark = pytest.mark.slow

ABORT_BOUND = 10.0
"""The issue asks for 5 s, as a plain job's abort; twice that keeps a loaded machine from failing the test."""

HANDLERS = """
    import os, time

    def hold(context, p, gate):
        # holds its slot until the gate file appears (in these tests it never does), so the sweep is mid-flight
        deadline = time.monotonic() + 60
        while not os.path.exists(gate):
            if time.monotonic() > deadline:
                raise TimeoutError(f"the gate {gate} never opened")
            time.sleep(0.02)
        context.log_result("p", p)
"""


@pytest.fixture
def jp_server_config():
    """The server without its scheduler thread: what it reads is what its own requests did."""
    return {"ServerApp": {"jpserver_extensions": {"runlab.server": True}},
            "RunlabServerApp": {"scheduler": False}}


@pytest.fixture(autouse=True)
def stop_what_is_left(runlab_home):
    """A failing test still stops what it started: its runs' processes and the threads driving its sweeps."""
    yield
    store = get_store()
    for run in sorted(store.live_runs(), key=lambda r: r.iteration):  # sweeps first: they start no more children
        with contextlib.suppress(runlab.RunlabError):
            abort_run(store, run.uid, run.iteration)
    for thread in threading.enumerate():
        if thread.name.startswith("runlab-sweep"):
            thread.join(30)


@pytest.fixture
def faults(write_file, tmp_path):
    write_file("handlers.py", HANDLERS)
    project = runlab.get_or_create_project("faults", context=str(tmp_path))
    project.set_function("handlers.py", name="hold", kind="job", handler="hold")
    return project


def states(uid: str) -> dict[int, str]:
    """Every iteration's state, read from the store (no reaper: only what others recorded)."""
    return {r.iteration: r.state.value for r in get_store().list_runs(uid=uid, iterations=True)}


def start_held_sweep(project, gate: Path, width: int = 2, count: int = 6):
    """A watch=False sweep of job children that never finish on their own; returns once ``width`` run."""
    run = project.run_function("hold", hyperparams={"p": list(range(count))}, params={"gate": str(gate)},
                               hyper_param_options={"parallel_runs": width}, watch=False)
    wait_until(lambda: [s for it, s in states(run.uid()).items() if it].count("running") == width)
    return run


def join_sweep_thread(uid: str) -> None:
    """The thread driving a watch=False sweep in this process has finished (none is left behind)."""
    for thread in threading.enumerate():
        if thread.name == f"runlab-sweep-{uid[:8]}":
            thread.join(30)
            assert not thread.is_alive()


def check_aborted_sweep(uid: str, width: int) -> None:
    """Parent aborted; only the children in flight at the abort were ever started, and all were aborted."""
    join_sweep_thread(uid)
    found = states(uid)
    assert found[0] == "aborted"
    assert sorted(found) == list(range(width + 1)), "no child started after the abort"
    assert {found[i] for i in range(1, width + 1)} == {"aborted"}, "no child completed (or ran on)"
    children = get_store().list_runs(uid=uid, iterations=True)
    assert not any(is_alive(r.pid, r.owner.pid_started) for r in children if r.iteration and r.pid)
    assert get_store().get_run(uid, 0).error == "aborted by request"


# -- 1. aborting a sweep ------------------------------------------------------------------------------------


def test_sweep_aborted_from_the_process_that_started_it(faults, tmp_path):
    run = start_held_sweep(faults, tmp_path / "never")
    began = time.monotonic()
    state = run.abort()
    took = time.monotonic() - began
    print(f"sweep abort from the same process took {took:.2f} s")
    assert (state, type(state)) == ("aborted", str)
    assert took < ABORT_BOUND
    check_aborted_sweep(run.uid(), 2)
    assert run.refresh().status.iterations == [], "no iteration ended before the abort"


def test_sweep_aborted_from_another_process(faults, tmp_path):
    run = start_held_sweep(faults, tmp_path / "never")
    code = ("import sys, time, runlab; t = time.monotonic(); s = runlab.get_run_db().abort_run(sys.argv[1]); "
            "print(s, time.monotonic() - t)")
    out = subprocess.run([sys.executable, "-c", code, run.uid()], capture_output=True, text=True, check=True,
                         timeout=60).stdout.split()
    print(f"sweep abort from another process took {float(out[1]):.2f} s")
    # abort_run returns the state it finds once its grace time is over: on a loaded machine the sweep's own
    # process may still be stopping its children then ("aborting"); it must end "aborted" all the same (below)
    assert out[0] in ("aborting", "aborted") and float(out[1]) < ABORT_BOUND
    check_aborted_sweep(run.uid(), 2)


def test_sweep_aborted_through_the_rest_api(jp_fetch, jp_asyncio_loop, faults, tmp_path):
    run = start_held_sweep(faults, tmp_path / "never")
    began = time.monotonic()
    response = jp_asyncio_loop.run_until_complete(
        jp_fetch("runlab", "api", "runs", run.uid(), "abort", method="POST", body=b""))
    took = time.monotonic() - began
    print(f"sweep abort through the REST API took {took:.2f} s")
    assert json.loads(response.body) == {"uid": run.uid(), "state": "aborted"}
    assert took < ABORT_BOUND
    check_aborted_sweep(run.uid(), 2)
    with pytest.raises(HTTPClientError) as info:
        jp_asyncio_loop.run_until_complete(jp_fetch("runlab", "api", "runs", run.uid(), "abort", method="POST",
                                                    body=b""))
    assert info.value.code == 409, "an ended sweep answers as any ended run"


def test_abort_of_an_ended_sweep_leaves_it_as_it_is(faults, tmp_path, capsys):
    gate = tmp_path / "open"
    gate.touch()
    run = faults.run_function("hold", hyperparams={"p": [1, 2]}, params={"gate": str(gate)})
    assert run.abort() == "completed"
    assert "already ended (completed); nothing to abort" in capsys.readouterr().err
    assert states(run.uid()) == {0: "completed", 1: "completed", 2: "completed"}


def test_in_process_sweep_aborted_from_another_process_stops_before_its_next_child(tmp_path):
    gate = tmp_path / "never"

    def step(context, p, gate):
        deadline = time.monotonic() + 60
        while not os.path.exists(gate) and time.monotonic() < deadline:
            context.commit()  # where an in-process run notices an abort
            time.sleep(0.05)

    project = runlab.get_or_create_project("inproc", context=str(tmp_path))
    project.set_function(step, name="steps", kind="local")
    outcome: list = []
    sweep = threading.Thread(target=lambda: outcome.append(project.run_function(
        "steps", hyperparams={"p": [1, 2, 3]}, params={"gate": str(gate)}, watch=True)), name="runlab-sweep-test")
    sweep.start()
    wait_until(lambda: any(r.iteration == 1 and r.state == "running" for r in get_store().live_runs()))
    uid = get_store().live_runs()[0].uid
    code = "import sys, runlab; print(runlab.get_run_db().abort_run(sys.argv[1]))"
    out = subprocess.run([sys.executable, "-c", code, uid], capture_output=True, text=True, check=True,
                         timeout=60).stdout.strip()
    sweep.join(30)
    assert not sweep.is_alive()
    assert out == "aborted"
    assert outcome[0].state() == "aborted"
    assert states(uid) == {0: "aborted", 1: "aborted"}, "the sweep stopped before its next child"


# -- 3. the REST API and the scheduler reap dead runs --------------------------------------------------------


def started_elsewhere(runlab_home: Path, code: str) -> subprocess.Popen:
    """A Python process that starts runs and then waits (until the test kills it); it prints a uid."""
    env = {**os.environ, "RUNLAB_HOME": str(runlab_home), "RUNLAB_FORKSERVER": "0"}  # no server watching runs
    return subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True, env=env)


def test_the_rest_api_reaps_a_killed_worker(jp_fetch, jp_asyncio_loop, faults, runlab_home):
    code = ("import runlab, sys; p = runlab.load_project('faults'); "
            "r = p.run_function('hold', params={'p': 1, 'gate': 'never'}, watch=False); print(r.uid(), flush=True)")
    starter = started_elsewhere(runlab_home, code)
    uid = starter.stdout.readline().strip()
    assert starter.wait(60) == 0, "it exits: nothing that started the run watches it any more"
    wait_until(lambda: get_store().get_run_state(uid) == "running")
    record = get_store().get_run(uid)
    os.kill(record.pid, signal.SIGKILL)

    def state_served() -> dict:  # only the server looks at runs now
        return json.loads(jp_asyncio_loop.run_until_complete(jp_fetch("runlab", "api", "runs", uid)).body)

    wait_until(lambda: state_served()["status"]["state"] != "running")
    data = state_served()
    assert data["status"]["state"] == "error"
    assert data["status"]["error"] == (f"process {record.pid} exited without reporting "
                                       "(killed, out of memory, or the machine restarted)")


SWEEP_IN_ANOTHER_PROCESS = (
    "import runlab, sys; p = runlab.load_project('faults'); "
    "r = p.run_function('hold', hyperparams={'p': [1, 2, 3]}, params={'gate': 'never'}, "
    "hyper_param_options={'parallel_runs': 2}, watch=False); print(r.uid(), flush=True); sys.stdin.read()")
"""A process that starts a three-child job sweep (two at a time), prints its uid and stays until killed."""


def test_a_scheduler_tick_ends_a_sweep_whose_process_died_and_stops_its_children(faults, runlab_home,
                                                                                  monkeypatch):
    monkeypatch.setenv("RUNLAB_MAX_JOBS", "1")  # child 2 waits as 'pending' with no process
    reset_config()
    owner = started_elsewhere(runlab_home, SWEEP_IN_ANOTHER_PROCESS)
    try:
        uid = owner.stdout.readline().strip()
        wait_until(lambda: states(uid) == {0: "running", 1: "running", 2: "pending"})
    finally:
        owner.kill()  # kill -9 of the process that drives the sweep
        owner.wait(30)
    worker = get_store().get_run(uid, 1)
    scheduler = Scheduler(get_store())
    wait_until(lambda: scheduler.tick() == [] and all(s in ("error", "aborted") for s in states(uid).values()))
    assert states(uid) == {0: "error", 1: "aborted", 2: "aborted"}
    assert "exited without reporting" in get_store().get_run(uid, 0).error
    assert get_store().get_run(uid, 2).error == "aborted before it started: the process running its sweep died"
    wait_until(lambda: not is_alive(worker.pid, worker.owner.pid_started))


def test_a_sweep_whose_process_died_while_aborting_ends_aborted(faults, runlab_home):
    owner = started_elsewhere(runlab_home, SWEEP_IN_ANOTHER_PROCESS)
    try:
        uid = owner.stdout.readline().strip()
        wait_until(lambda: states(uid) == {0: "running", 1: "running", 2: "running"})
        owner.send_signal(signal.SIGSTOP)  # it cannot act on the abort: the parent stays 'aborting'
        assert abort_run(get_store(), uid) == "aborting"
    finally:
        owner.kill()
        owner.wait(30)
    scheduler = Scheduler(get_store())
    wait_until(lambda: scheduler.tick() == [] and all(s == "aborted" for s in states(uid).values()))
    assert get_store().get_run(uid, 0).error == "aborted by request"
