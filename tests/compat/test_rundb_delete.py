"""From MLRun's run DB API (mlrun/db/httpdb.py ``del_run(uid, project="", iter=0)``) and its server
(server/api/crud/runs.py ``delete_run``): a run not in the store is nothing to delete; a run still running or
pending is refused ("consider aborting the run first"); every iteration of an ended run goes.

runlab raises ``RunStateError`` for a live run (MLRun's conflict error, ``MLRunConflictError``), as its
REST API's DELETE does, where MLRun's server answers a bad request.
"""

from __future__ import annotations

import time

import pytest

import runlab as mlrun

HANDLER = '''
import os
import time

def handler(context, gate=""):
    deadline = time.time() + 60
    while gate and not os.path.exists(gate) and time.time() < deadline:
        time.sleep(0.05)
    context.log_result("accuracy", 1)
    context.log_artifact("chart", body="abc", format="txt")
'''


@pytest.fixture
def fn(write_file):
    path = write_file("handler.py", HANDLER)
    return mlrun.code_to_function(name="fn", filename=str(path), kind="job", handler="handler")


def _wait_for(condition, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def test_del_run_deletes_an_ended_run_and_ignores_an_unknown_uid(fn):
    mlrun.get_or_create_project("del-project", context="./")
    run = fn.run(name="gone", project="del-project", local=True)
    db = mlrun.get_run_db()
    db.del_run("0" * 32, "del-project")  # MLRun: "Run not found, nothing to delete"
    db.del_run(run.uid(), "other-project", iter=0)  # another project's uid: not found there, nothing deleted
    assert db.read_run(run.uid()).uid() == run.uid()
    db.del_run(run.uid(), "del-project", iter=0)
    with pytest.raises(mlrun.errors.MLRunNotFoundError):
        db.read_run(run.uid())
    assert db.list_artifacts("del-project") == []


def test_del_run_refuses_a_running_run_until_it_ended(fn, tmp_path):
    mlrun.get_or_create_project("del-project", context="./")
    gate = tmp_path / "gate"
    run = fn.run(name="busy", project="del-project", params={"gate": str(gate)}, watch=False)
    db = mlrun.get_run_db()
    _wait_for(lambda: run.refresh().state() in ("pending", "running"), "the run to start")
    with pytest.raises(mlrun.errors.MLRunConflictError, match="abort it before deleting it"):
        db.del_run(run.uid())
    assert db.read_run(run.uid()).state() in ("pending", "running"), "a live run is left as it was"
    gate.write_text("go")
    run.wait_for_completion(timeout=60)
    db.del_run(run.uid())
    with pytest.raises(mlrun.errors.MLRunNotFoundError):
        db.read_run(run.uid())
