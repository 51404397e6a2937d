"""MLRun's model and artifact API as its docs use it: log_model, get_model, update_model, the artifact
classes, project artifacts and store:// URIs.

Ported from: docs/store/models.md (``train_iris`` / ``test_model``; sklearn's LogisticRegression and
``mlrun.mlutils.eval_model_v2`` are replaced by a small picklable model and a dict of bytes, as runlab does
not depend on sklearn), mlrun/execution.py (``log_model`` / ``log_artifact`` docstrings),
mlrun/projects/project.py (``get_artifact_uri``, ``log_artifact`` docstrings) and
mlrun/artifacts/model.py (``get_model`` / ``update_model`` docstrings).
"""

from __future__ import annotations

import pickle

import pandas as pd
import pytest

import runlab as mlrun

TRAIN_IRIS = '''
from pickle import dumps

from mlrun.execution import MLClientCtx


class MeanModel:
    def fit(self, x):
        self.mean = sum(x) / len(x)
        return self

    def predict(self, x):
        return [self.mean for _ in x]


def eval_model_v2(context, xtest, ytest, model):
    context.log_result("accuracy", 0.9)
    return {"confusion": b"1,0\\n0,1\\n"}


def train_iris(context: MLClientCtx):
    model = MeanModel().fit([1, 2, 3])

    # Evaluate model results and get the evaluation metrics
    eval_metrics = eval_model_v2(context, None, None, model)

    # Log model
    context.log_model(
        "model",
        body=dumps(model),
        artifact_path=context.artifact_subpath("models"),
        extra_data=eval_metrics,
        model_file="model.pkl",
        metrics=context.results,
        labels={"class": "sklearn.linear_model.LogisticRegression"},
    )
'''

TEST_MODEL = '''
from pickle import load

from mlrun.execution import MLClientCtx
from mlrun.datastore import DataItem
from mlrun.artifacts import get_model, update_model
from train_iris import eval_model_v2


def test_model(
    context: MLClientCtx, models_path: DataItem, test_set: DataItem, label_column: str
):

    if models_path is None:
        models_path = context.artifact_subpath("models")
    xtest = test_set.as_df()
    ytest = xtest.pop(label_column)

    model_file, model_obj, _ = get_model(models_path)
    model = load(open(model_file, "rb"))
    context.log_result("prediction", model.predict([0])[0])

    extra_data = eval_model_v2(context, xtest, ytest.values, model)
    update_model(
        model_artifact=model_obj,
        extra_data=extra_data,
        metrics=context.results,
        key_prefix="validation-",
    )
'''


def _write(tmp_path, name, code):
    (tmp_path / name).write_text(code.replace("from mlrun", "from runlab").replace("import mlrun",
                                                                                   "import runlab as mlrun"))
    return str(tmp_path / name)


def test_train_then_test_model(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    project = mlrun.get_or_create_project("iris", context=str(tmp_path))
    artifact_path = str(tmp_path / "artifacts")
    gen_func = mlrun.code_to_function(name="train-iris", filename=_write(tmp_path, "train_iris.py", TRAIN_IRIS),
                                      handler="train_iris", kind="job")
    train_iris = project.set_function(gen_func).run(name="train-iris", handler="train_iris",
                                                    artifact_path=artifact_path, local=True)
    model = {a["key"]: a for a in train_iris.status.artifacts}["model"]
    assert model["target_path"] == f"{artifact_path}/models/model.pkl"
    assert model["meta"]["metrics"] == {"accuracy": 0.9}
    assert model["labels"] == {"class": "sklearn.linear_model.LogisticRegression"}

    (tmp_path / "iris.csv").write_text("x,label\n1,0\n2,1\n")
    func = mlrun.code_to_function(name="test-model", filename=_write(tmp_path, "test_model.py", TEST_MODEL),
                                  handler="test_model", kind="job")
    run = func.run(name="test-model", handler="test_model", params={"label_column": "label"},
                   inputs={"models_path": train_iris.outputs["model"], "test_set": str(tmp_path / "iris.csv")},
                   artifact_path=artifact_path, local=True)
    assert run.outputs["prediction"] == 2.0
    updated = project.get_artifact("model")
    assert updated["meta"]["metrics"] == {"accuracy": 0.9, "validation-accuracy": 0.9, "validation-prediction": 2.0}
    assert set(updated["meta"]["extra_data"]) == {"confusion", "validation-confusion"}


def test_get_model_returns_file_artifact_and_extra_data(tmp_path):
    """``model_file, model_artifact, extra_data = get_model(models_path, suffix=".pkl")`` (get_model docstring)."""
    from runlab.artifacts import get_model

    def handler(context):
        context.log_model("clf", body=pickle.dumps({"w": 1}), model_file="clf.pkl", metrics={"auc": 0.7},
                          extra_data={"categories": pd.DataFrame({"c": ["a", "b"]})})

    run = mlrun.new_function(kind="local").run(handler=handler)
    project = run.metadata.project
    for uri in (run.outputs["clf"], f"store://models/{project}/clf", mlrun.get_dataitem(run.outputs["clf"])):
        model_file, model_artifact, extra_data = get_model(uri, suffix=".pkl")
        with open(model_file, "rb") as f:
            assert pickle.load(f) == {"w": 1}
        assert model_artifact.metrics == {"auc": 0.7} and model_artifact.model_file == "clf.pkl"
        assert model_artifact.spec.metrics == {"auc": 0.7} and model_artifact.metadata.key == "clf"
        assert extra_data["categories"].as_df()["c"].tolist() == ["a", "b"]


def test_get_model_of_a_folder(tmp_path):
    from runlab.artifacts import get_model

    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "model.pkl").write_bytes(pickle.dumps(3))
    (tmp_path / "m" / "notes.txt").write_text("n")
    model_file, model_artifact, extra_data = get_model(str(tmp_path / "m"))
    assert model_file.endswith("model.pkl") and model_artifact is None
    assert extra_data["notes.txt"].get() == b"n"


def test_model_metrics_never_overwrite_results():
    """``context.log_model(..., metrics=context.results)`` (log_model docstring): the run's own results stay."""

    def handler(context):
        context.log_result("accuracy", 0.95)
        context.log_model("model", body=b"m", model_file="model.txt", metrics={"accuracy": 0.5, "f1": 0.4})

    run = mlrun.new_function(kind="local").run(handler=handler)
    assert run.status.results == {"accuracy": 0.95, "f1": 0.4}
    assert {a["key"]: a for a in run.status.artifacts}["model"]["meta"]["metrics"] == {"accuracy": 0.5, "f1": 0.4}


def test_log_model_from_a_model_dir(tmp_path):
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "model.pkl").write_bytes(b"weights")
    (tmp_path / "model" / "vocab.json").write_text("{}")

    def handler(context):
        context.log_model("m", model_dir=str(tmp_path / "model"), model_file="model.pkl")

    run = mlrun.new_function(kind="local").run(handler=handler)
    from runlab.artifacts import get_model

    model_file, _, extra = get_model(run.outputs["m"])
    with open(model_file, "rb") as f:
        assert f.read() == b"weights"
    assert extra["vocab.json"].get() == b"{}"


def test_artifact_objects_logged_by_the_context():
    from runlab.artifacts import Artifact, DatasetArtifact, ModelArtifact, PlotArtifact, TableArtifact

    def handler(context):
        context.log_artifact(item=Artifact("notes", body="hello", format="txt"))
        context.log_artifact(DatasetArtifact("ds", df=pd.DataFrame({"a": [1, 2]}), stats=True))
        context.log_artifact(ModelArtifact("mdl", body=b"x", model_file="mdl.bin", metrics={"m": 1}))
        context.log_artifact(PlotArtifact("chart", body="<html><body>plot</body></html>"))
        context.log_artifact(TableArtifact("tbl", df=pd.DataFrame({"b": [3]})))

    run = mlrun.new_function(kind="local").run(handler=handler)
    kinds = {a["key"]: a["kind"] for a in run.status.artifacts}
    assert kinds == {"notes": "file", "ds": "dataset", "mdl": "model", "chart": "plot", "tbl": "table"}
    assert mlrun.get_dataitem(run.outputs["tbl"]).as_df()["b"].tolist() == [3]


def test_project_artifacts_and_uris(tmp_path):
    """project.log_artifact / get_artifact / get_artifact_uri / list_artifacts (mlrun/projects/project.py)."""
    project = mlrun.get_or_create_project("arts-demo", context=str(tmp_path))
    project.log_artifact("some-data", body=b"abc is 123", local_path="model.txt", labels={"team": "a"})
    uri = project.get_artifact_uri("my_model", category="model", tag="prod", iter=0)
    assert uri == "store://models/arts-demo/my_model#0:prod"
    assert project.get_artifact("some-data").to_dataitem().get() == b"abc is 123"
    assert project.get_artifact("some-data").target_path.endswith("/model.txt")
    assert [a["key"] for a in project.list_artifacts(labels={"team": "a"})] == ["some-data"]
    assert project.list_artifacts(labels="team=b") == []
    with pytest.raises(mlrun.ArtifactNotFoundError, match="no artifact 'missing'"):
        project.get_artifact("missing")


def test_output_uris_keep_their_tag():
    def handler(context):
        context.log_artifact("data", body=b"1", tag="v1")

    run = mlrun.new_function(kind="local").run(handler=handler)
    assert run.outputs["data"] == f"store://artifacts/{run.metadata.project}/data:v1@{run.uid()}"
    assert mlrun.get_dataitem(run.outputs["data"]).get() == b"1"
    assert mlrun.get_dataitem(f"store://datasets/{run.metadata.project}/data:v1").get() == b"1"
