"""Ported from MLRun's docs/concepts/submitting-tasks-jobs-to-functions.md ("Run result object and UI":
``uid()``, ``state()``, ``outputs``, ``logs()``, ``artifact(key)``, ``output(key)``,
``wait_for_completion()``, ``refresh()``, ``to_dict()``), with the return values mlrun/model.py
``RunObject`` gives (``logs`` → ``(state, offset)``, ``wait_for_completion`` → the final state), the
artifact dicts of ``status.artifacts`` (mlrun/artifacts/base.py: ``kind``, ``metadata``, ``spec``,
``status``) and mlrun/lists.py ``RunList`` (``to_objects``, ``to_df`` with ``artifact_uris``).
"""

from __future__ import annotations

import pandas as pd
import pytest

import runlab as mlrun

TRAINER = '''
import pandas as pd


def train(context, p1=1):
    print(f"training with p1={p1}")
    context.log_result("accuracy", p1 * 2)
    context.log_dataset("mydf", df=pd.DataFrame({"a": [1, 2, 3]}), format="csv")


def fail(context):
    raise ValueError("bad data")
'''


@pytest.fixture
def fn(write_file):
    path = write_file("trainer.py", TRAINER)
    return mlrun.code_to_function(name="trainer", filename=str(path), kind="job", handler="train")


def test_run_result_object(fn):
    run_results = fn.run(params={"p1": 5}, local=True)
    assert len(run_results.uid()) == 32
    assert run_results.state() == "completed"
    assert run_results.outputs["accuracy"] == 10
    assert run_results.output("mydf").startswith("store://")
    assert run_results.artifact("mydf").as_df()["a"].tolist() == [1, 2, 3]
    assert run_results.refresh().state() == "completed"
    assert run_results.to_dict()["status"]["results"] == {"accuracy": 10}


def test_logs_returns_the_state_and_the_offset(fn, capsys):
    run = fn.run(params={"p1": 2}, local=True)
    capsys.readouterr()
    state, offset = run.logs(watch=False)
    assert state == "completed"
    assert "training with p1=2" in capsys.readouterr().out
    assert offset > 0
    assert run.logs(watch=False, offset=offset) == ("completed", offset), "nothing new after the offset"
    assert capsys.readouterr().out == ""


def test_wait_for_completion_returns_the_final_state(fn):
    run = fn.run(params={"p1": 2}, local=True)
    state = run.wait_for_completion(sleep=0.1, timeout=0, show_logs=False)
    assert state == "completed"
    assert state in ("completed", "error", "aborted")
    assert run.wait_for_completion().status.results == {"accuracy": 4}, "runlab's chained form keeps working"


def test_wait_for_completion_raise_on_failure(fn):
    """mlrun/model.py wait_for_completion(raise_on_failure=True) raises MLRunRuntimeError (runlab's
    RunError) for a failed run; with raise_on_failure=False it returns the state."""
    with pytest.raises(mlrun.errors.MLRunRuntimeError):
        fn.run(handler="fail", local=True)
    run = mlrun.get_run_db().list_runs(name="~fail")[0]
    with pytest.raises(mlrun.errors.MLRunRuntimeError, match="bad data"):
        run.wait_for_completion(sleep=0.1)
    assert run.wait_for_completion(raise_on_failure=False) == "error"


def test_status_artifacts_are_mlrun_artifact_dicts(fn):
    run = fn.run(local=True)
    artifact = run.status.artifacts[0]
    assert artifact["kind"] == "dataset"
    assert artifact["metadata"]["key"] == "mydf"
    assert artifact["metadata"]["project"] == run.metadata.project
    assert artifact["metadata"]["iter"] == 0
    assert artifact["metadata"]["tree"] == run.uid()
    assert artifact["spec"]["target_path"].endswith("mydf.csv")
    assert artifact["spec"]["format"] == "csv"
    assert artifact["status"]["state"] == "created"
    assert artifact["key"] == "mydf" and artifact["uri"] == run.outputs["mydf"], "runlab's flat keys stay"
    assert run["status"]["artifacts"][0]["metadata"]["key"] == "mydf"


def test_run_list_to_objects_and_to_df(fn):
    fn.run(params={"p1": 1}, local=True)
    fn.run(params={"p1": 2}, local=True)
    runs = mlrun.get_run_db().list_runs()
    objects = runs.to_objects()
    assert [type(o) for o in objects] == [mlrun.RunObject, mlrun.RunObject]
    assert [o.status.results["accuracy"] for o in objects] == [4, 2], "newest first"
    df = runs.to_df(artifact_uris=True)
    assert isinstance(df, pd.DataFrame)
    assert list(df.columns) == ["project", "uid", "iter", "start", "state", "kind", "name", "labels", "inputs",
                                "parameters", "results", "artifacts", "artifact_uris", "error"]
    assert df["artifact_uris"][0] == {"mydf": objects[0].outputs["mydf"]}
    assert mlrun.model.RunObject is mlrun.RunObject
