"""Ported from MLRun's ``mlrun/model.py`` (``new_task``, ``RunTemplate``: ``spec``/``metadata``, ``copy``,
``with_params``/``with_input``/``set_label``), ``tests/run/test_run.py`` and ``tests/run/test_hyper.py``
(the module-level ``base_spec`` built with ``new_task(params=..., out_path=...)`` and changed through
``spec.inputs``/``spec.param_file``), and ``docs/projects/run-build-deploy.md`` (``new_task(name=,
handler=, artifact_path=, project=)`` passed as ``base_task``).

Only the import is changed (``import runlab as mlrun``); data files are written into ``tmp_path``.
"""

from __future__ import annotations

import pytest

import runlab as mlrun
from runlab import new_function, new_task
from runlab.model import RunTemplate


def my_func(context, p1=1, p2="a-string"):
    context.log_result("accuracy", p1 * 2)


def tag_test(spec: RunTemplate, name) -> RunTemplate:
    """MLRun's ``tests/conftest.py`` helper, with its type hint."""
    spec = spec.copy()
    spec.metadata.name = name
    spec.metadata.labels["test"] = name
    return spec


def test_base_spec_with_out_path_and_spec_inputs(tmp_path):
    out_path = str(tmp_path / "out")
    input_file_path = str(tmp_path / "test_run_input_file.txt")
    base_spec = new_task(params={"p1": 8}, out_path=out_path)
    base_spec.spec.inputs = {"infile.txt": str(input_file_path)}

    assert base_spec.spec.parameters == {"p1": 8}
    assert base_spec.spec.output_path == out_path
    assert base_spec.spec.inputs == {"infile.txt": input_file_path}

    spec = tag_test(base_spec, "test_with_params")
    assert (spec.metadata.name, spec.metadata.labels) == ("test_with_params", {"test": "test_with_params"})
    assert base_spec.metadata.name == "" and base_spec.metadata.labels == {}, "copy() is deep"


def test_handler_hyperlist_param_file(tmp_path):
    """tests/run/test_hyper.py::test_handler_hyperlist: ``spec.param_file`` set on a copied task."""
    (tmp_path / "param_file.csv").write_text("p1,p2\n10,100\n11,110\n12,120\n")
    base_spec = new_task(params={"p1": 8}, out_path=str(tmp_path / "out"))
    run_spec = tag_test(base_spec, "test-handler-hyperlist")
    run_spec.spec.param_file = f"{tmp_path}/param_file.csv"
    result = new_function().run(run_spec, handler=my_func)
    print(result)
    assert result.status.state == "completed"
    # MLRun asserts len(result.status.iterations) == 3 + 1 (the run table's shape); the same 3 children here:
    assert len(mlrun.get_run_db().list_runs(uid=result.uid(), iter=True)) == 3 + 1
    assert base_spec.spec.param_file is not None and base_spec.spec.param_file == ""


def test_new_task_base_and_template():
    """mlrun/model.py: ``new_task(base=...)`` starts from a copy of another task; ``RunTemplate`` takes
    ``spec`` and ``metadata``."""
    template = RunTemplate(spec={"parameters": {"p1": 1}, "handler": "train"},
                           metadata={"name": "base", "labels": {"team": "a"}})
    task = new_task(name="derived", params={"p2": 2}, base=template)
    assert task.metadata.name == "derived"
    assert task.spec.parameters == {"p2": 2}, "given params replace the base's, as in MLRun"
    assert task.spec.handler == "train" and task.metadata.labels == {"team": "a"}
    assert template.metadata.name == "base", "the base is not changed"

    task.with_params(p3=3).with_input("data", "data.csv").set_label("stage", "dev")
    assert task.spec.parameters == {"p2": 2, "p3": 3}  # runlab adds to params (MLRun's with_params replaces)
    assert task.spec.inputs == {"data": "data.csv"}
    assert task.metadata.labels == {"team": "a", "stage": "dev"}


def test_hyper_param_options_through_spec():
    """mlrun/model.py ``new_task``: ``run.spec.hyper_param_options.selector = selector``."""
    task = mlrun.new_task("grid-demo").with_hyper_params({"p1": [1, 2]}, selector="max.accuracy")
    assert task.spec.hyper_param_options.selector == "max.accuracy"
    task.spec.hyper_param_options.selector = "min.loss"
    task.spec.hyper_param_options.strategy = "list"
    assert task.spec.hyperparams == {"p1": [1, 2]}
    assert task.spec.hyper_param_options.to_dict() == {"selector": "min.loss", "strategy": "list"}
    assert task.spec.hyper_param_options.stop_condition is None


def test_task_with_callable_handler_and_project(tmp_path):
    """docs/projects/run-build-deploy.md: a task with a handler and a project, passed as ``base_task``."""
    artifact_path = str(tmp_path / "artifacts")

    def handler(context, param="x"):
        context.logger.info("Running handler")
        context.set_label("category", "tests")
        context.log_result("param", param)

    task = new_task(name="mytask", handler=handler, artifact_path=artifact_path, project="project-name")
    run_object = mlrun.run_function(new_function(), base_task=task)
    assert run_object.metadata.project == "project-name"
    assert run_object.metadata.name == "mytask"
    assert run_object.output("param") == "x"
    assert mlrun.load_project("project-name").name == "project-name", "the project was created"


def test_a_task_field_that_does_not_exist_is_refused():
    task = new_task()
    with pytest.raises(mlrun.ValidationError, match="parameters"):
        task.spec.paramters = {"p1": 1}
