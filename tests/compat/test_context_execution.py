"""MLRun's execution context as its docs and examples use it in job code.

Ported from: docs/concepts/mlrun-execution-context.md and examples/training.py (``my_job`` and the
``get_or_create_ctx`` main block), mlrun/execution.py (docstrings of ``get_input``, ``artifact_subpath``,
``get_child_context``, ``log_artifact``), mlrun/model.py (``RunTemplate.with_secrets``) and
tests/run/assets/envfile (a secrets file of KEY=value lines).
"""

from __future__ import annotations

import textwrap

import pytest

import runlab as mlrun

# examples/training.py, as written except for the plotly block: plotly is no dependency of runlab (the
# PlotlyArtifact case below runs it where plotly is installed).
MY_JOB = '''
import numpy as np
import pandas as pd

from mlrun import get_or_create_ctx


def my_job(context, p1=1, p2="x"):
    # access input metadata, values, files, and secrets (passwords)
    print(f"Run: {context.name} (uid={context.uid})")
    print(f"Params: p1={p1}, p2={p2}")
    access_key = context.get_secret("ACCESS_KEY")
    print(f"Access key = {access_key}")
    input_file = context.get_input("infile.txt", "infile.txt").get()
    print(f"File\\n{input_file}\\n")

    # log scalar result values (job result metrics)
    context.log_result("accuracy", p1 * 2)
    context.log_result("loss", p1 * 3)
    context.set_label("framework", "sklearn")

    # log various types of artifacts (file, web page, table), will be versioned and visible in the UI
    context.log_artifact(
        "model",
        body=b"abc is 123",
        local_path="model.txt",
        labels={"framework": "xgboost"},
    )
    context.log_artifact(
        "html_result", body=b"<b> Some HTML <b>", local_path="result.html"
    )

    raw_data = {
        "first_name": ["Jason", "Molly", "Tina", "Jake", "Amy"],
        "last_name": ["Miller", "Jacobson", "Ali", "Milner", "Cooze"],
        "age": [42, 52, 36, 24, 73],
        "testScore": [25, 94, 57, 62, 70],
    }
    df = pd.DataFrame(raw_data, columns=["first_name", "last_name", "age", "testScore"])
    context.log_dataset("mydf", df=df, stats=True)


if __name__ == "__main__":
    context = get_or_create_ctx("train")
    p1 = context.get_param("p1", 1)
    p2 = context.get_param("p2", "a-string")
    my_job(context, p1, p2)
'''


def _job_file(tmp_path, code: str, name: str = "job.py"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(code).replace("from mlrun", "from runlab").replace("import mlrun",
                                                                                       "import runlab as mlrun"))
    return str(path)


def test_my_job_logs_results_labels_artifacts_and_dataset(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "infile.txt").write_text("some input")
    monkeypatch.setenv("ACCESS_KEY", "k-123")
    fn = mlrun.code_to_function(name="training", filename=_job_file(tmp_path, MY_JOB), kind="job", handler="my_job")
    task = mlrun.new_task(params={"p1": 5}).with_secrets("env", "ACCESS_KEY")
    run = fn.run(task, local=True)

    assert run.state() == "completed"
    assert run.outputs["accuracy"] == 10 and run.outputs["loss"] == 15
    assert run.metadata.labels["framework"] == "sklearn"
    assert "Access key = k-123" in capsys.readouterr().out
    arts = {a["key"]: a for a in run.status.artifacts}
    assert arts["model"]["target_path"].endswith("/model.txt")  # local_path names the file written
    assert arts["model"]["labels"] == {"framework": "xgboost"}
    assert mlrun.get_dataitem(run.outputs["model"]).get() == b"abc is 123"
    assert arts["html_result"]["target_path"].endswith("/result.html")
    assert arts["mydf"]["kind"] == "dataset"
    assert arts["mydf"]["meta"]["stats"]["age"]["max"] == 73  # stats=True keeps per-column statistics
    assert run.spec.inputs["infile.txt"].endswith("infile.txt")  # the url default was recorded as the input


def test_main_block_with_get_or_create_ctx(tmp_path, monkeypatch):
    """The script form of the same example: the context comes from the environment."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "infile.txt").write_text("x")
    fn = mlrun.code_to_function(name="train-script", filename=_job_file(tmp_path, MY_JOB), kind="job")
    run = fn.run(local=True)
    assert run.outputs["accuracy"] == 2  # p1 = context.get_param("p1", 1)
    assert run.spec.parameters["p1"] == 1 and run.spec.parameters["p2"] == "a-string"


def test_get_input_takes_the_runs_input_over_the_default_url(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "given.txt").write_text("given")
    (tmp_path / "infile.txt").write_text("default")
    fn = mlrun.code_to_function(name="training", filename=_job_file(tmp_path, MY_JOB), kind="job", handler="my_job")
    run = fn.run(inputs={"infile.txt": str(tmp_path / "given.txt")}, local=True)
    assert run.state() == "completed"
    assert "File\nb'given'" in capsys.readouterr().out


def test_child_contexts_in_with_blocks(tmp_path):
    """mlrun/execution.py ``get_child_context`` docstring: each ``with`` block is one child iteration."""
    code = '''
    import mlrun

    def child_handler(context, df, myparam):
        return float(myparam) / 10

    def handler(context: mlrun.MLClientCtx, data: mlrun.DataItem):
        param_list = [1, 5, 3]
        df = data.as_df()
        best_accuracy = accuracy_sum = 0
        for param in param_list:
            with context.get_child_context(myparam=param) as child:
                accuracy = child_handler(child, df, **child.parameters)
                accuracy_sum += accuracy
                child.log_result("accuracy", accuracy)
                if accuracy > best_accuracy:
                    child.mark_as_best()
                    best_accuracy = accuracy

        context.log_result("avg_accuracy", accuracy_sum / len(param_list))
    '''
    (tmp_path / "data.csv").write_text("a\n1\n")
    fn = mlrun.code_to_function(name="children", filename=_job_file(tmp_path, code), kind="job", handler="handler")
    run = fn.run(inputs={"data": str(tmp_path / "data.csv")}, local=True)
    assert run.outputs["avg_accuracy"] == pytest.approx(0.3)
    assert run.status.results["best_iteration"] == 2
    children = mlrun.get_run_db().list_runs(uid=run.uid(), iter=True)
    states = sorted((r.to_dict()["metadata"]["iteration"], r.to_dict()["status"]["state"]) for r in children
                    if r.to_dict()["metadata"]["iteration"])
    assert states == [(1, "completed"), (2, "completed"), (3, "completed")]


def test_artifact_subpath_and_state(tmp_path):
    """``context.artifact_subpath("data")`` as an ``artifact_path`` (log_artifact docstring)."""
    code = '''
    def handler(context):
        data_path = context.artifact_subpath("data")
        context.log_artifact("sub", body=b"123", artifact_path=data_path)
        context.log_result("state", context.state)
    '''
    fn = mlrun.code_to_function(name="sub", filename=_job_file(tmp_path, code), kind="job", handler="handler")
    run = fn.run(local=True, artifact_path=str(tmp_path / "arts"))
    assert run.status.artifacts[0]["target_path"] == str(tmp_path / "arts" / "data" / "sub")
    assert run.outputs["state"] == "running"


def test_secrets_inline_env_and_file(tmp_path, monkeypatch):
    """mlrun/model.py ``with_secrets``: task.with_secrets('file', ...), ('inline', {...}), ('env', 'A,B')."""
    code = '''
    def handler(context):
        for key in ("ENV_ARG1", "ENV_ARG2", "INLINE", "FROM_ENV"):
            context.log_result(key, context.get_secret(key))
    '''
    envfile = tmp_path / "envfile"
    envfile.write_text("ENV_ARG1=123\nENV_ARG2=abc\n")  # tests/run/assets/envfile
    monkeypatch.setenv("FROM_ENV", "e-1")
    fn = mlrun.code_to_function(name="secrets", filename=_job_file(tmp_path, code), kind="job", handler="handler")
    task = mlrun.new_task().with_secrets("file", str(envfile)).with_secrets("inline", {"INLINE": "in-1"})
    task.with_secrets("env", "FROM_ENV")
    run = fn.run(task, local=True)
    assert run.outputs == {"ENV_ARG1": "123", "ENV_ARG2": "abc", "INLINE": "in-1", "FROM_ENV": "e-1"}
    stored = run.to_json()
    assert "in-1" not in stored.replace('"INLINE": "in-1"', "")  # only the result itself holds the value
    assert run.to_dict()["spec"]["secret_sources"][1]["keys"] == ["INLINE"]


def test_inline_secrets_are_refused_for_background_runs(tmp_path):
    """runlab differs: MLRun ships inline secrets inside the run spec; runlab never stores a secret's value,
    so a background run (another process) cannot receive them and the run is refused before it is recorded."""
    code = '''
    def handler(context):
        return context.get_secret("INLINE")
    '''
    fn = mlrun.code_to_function(name="bg", filename=_job_file(tmp_path, code), kind="job", handler="handler")
    with pytest.raises(mlrun.UnsupportedError, match="use with_secrets\\('env'"):
        fn.run(mlrun.new_task().with_secrets("inline", {"INLINE": "x"}), watch=False)
    assert mlrun.get_run_db().list_runs(name="bg") == []


def test_plotly_artifact(tmp_path):
    pytest.importorskip("plotly")
    code = '''
    import numpy as np
    import plotly.graph_objects as go
    from mlrun.artifacts import PlotlyArtifact

    def handler(context):
        x = np.arange(10)
        fig = go.Figure(data=go.Scatter(x=x, y=x**2))
        plotly_artifact = PlotlyArtifact(figure=fig, key="plotly")
        context.log_artifact(plotly_artifact)
    '''
    fn = mlrun.code_to_function(name="plotly", filename=_job_file(tmp_path, code), kind="job", handler="handler")
    run = fn.run(local=True)
    assert run.status.artifacts[0]["kind"] == "plot"
