"""A function made from the notebook it is written in, and saved to its project.

Ported from MLRun's ``examples/mlrun_jobs.ipynb`` (handlers written in the notebook;
``trainer = code_to_function(name="my-trainer", kind="job")``, ``trainer.with_code()``,
``new_task(..., base=base_task)``, ``trainer.run(train_task)``) and ``docs/projects/run-build-deploy.md``
(``func.save()``), with only the import changed. The notebook is written by the test; Jupyter tells the
kernel which notebook it serves through ``JPY_SESSION_NAME``, which the test sets the same way.
"""

from __future__ import annotations

import nbformat
import pytest

import runlab as mlrun
from runlab import code_to_function, new_task

TRAINING_CELL = '''
def training(context: MLClientCtx, p1: int = 1, p2: int = 2) -> None:
    context.logger.info("started training")
    context.log_result("accuracy", p1 * 2)
    context.log_result("loss", p1 * 3)
    context.set_label("category", "tests")
    context.log_artifact("somefile", body=b"abc is 123", local_path="myfile.txt")
'''


@pytest.fixture
def notebook(tmp_path, monkeypatch):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in (
        "# mlrun: ignore\n%pip install mlrun",
        "from runlab.execution import MLClientCtx",
        TRAINING_CELL,
        "# mlrun: end-code",
        "trainer = code_to_function(name='my-trainer', kind='job')",
    )]
    path = tmp_path / "mlrun_jobs.ipynb"
    nbformat.write(nb, str(path))
    monkeypatch.setenv("JPY_SESSION_NAME", str(path))
    return path


def test_the_notebooks_handler_runs_as_a_job(notebook, tmp_path):
    mlrun.get_or_create_project("jobs-example", context=str(tmp_path))
    trainer = code_to_function(name="my-trainer", kind="job")
    trainer.with_code()
    base_task = new_task(artifact_path=str(tmp_path / "data")).set_label("stage", "dev")
    train_task = new_task(name="my-training", handler="training", params={"p1": 9}, base=base_task)
    train_run = trainer.run(train_task)
    assert train_run.state() == "completed"
    assert train_run.outputs["accuracy"] == 18 and train_run.outputs["loss"] == 27
    assert train_run.metadata.labels["stage"] == "dev" and train_run.metadata.labels["category"] == "tests"
    assert train_run.artifact("somefile").get() == b"abc is 123"


def test_save_stores_the_function_in_its_project(notebook, tmp_path):
    project = mlrun.get_or_create_project("example-project", context=str(tmp_path))
    func = code_to_function(name="my-func", kind="job", image="mlrun/mlrun")
    uri = func.save()
    assert uri == "db://example-project/my-func"
    assert project.get_function("my-func").handler_name == func.handler_name
    run = project.run_function("my-func", handler="training", params={"p1": 2})
    assert run.outputs["accuracy"] == 4


def test_with_code_outside_a_notebook_asks_for_a_file(monkeypatch):
    # Deliberate difference: MLRun raises a bare error when no notebook is found; runlab names the fix.
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    with pytest.raises(mlrun.ValidationError, match="pass from_file="):
        mlrun.new_function(name="x", kind="job").with_code()
