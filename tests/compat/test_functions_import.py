"""Ported from MLRun's ``mlrun/run.py`` (``import_function`` examples: ``import_function("./func.yaml")``,
``hub://``), ``docs/runtimes/create-and-use-functions.ipynb`` ("Import or use an existing function":
``fn.export()`` then ``project.set_function(name="import", func="function.yaml")``, Function Hub, MLRun DB)
and ``tests/run/test_run_local.py`` (``code_to_function(...).export(path)`` then ``fn.run(..., local=True)``).

Only the import is changed (``import runlab as mlrun``). runlab has no function hub and no MLRun database:
those URLs raise ``UnsupportedError`` naming the runlab way.
"""

from __future__ import annotations

import os

import pytest
import yaml

import runlab as mlrun

JOB = '''
def handler(context, p1=1):
    context.log_result("accuracy", p1 * 2)
'''


@pytest.fixture
def job_py(tmp_path):
    path = tmp_path / "job.py"
    path.write_text(JOB)
    return path


def test_export_then_import_function(job_py, tmp_path):
    fn = mlrun.code_to_function("my-job", filename=str(job_py), kind="job", handler="handler",
                                image="mlrun/mlrun", requirements=["pandas"])
    fn.set_env("MY_VAR", "1")
    fn.export(str(tmp_path / "func.yaml"))

    function = mlrun.import_function(str(tmp_path / "func.yaml"))
    assert (function.metadata.name, function.kind, function.spec.default_handler) == ("my-job", "job", "handler")
    assert function.spec.image == "mlrun/mlrun" and function.spec.build.requirements == ["pandas"]
    assert function.spec.env == {"MY_VAR": "1"}
    result = function.run(params={"p1": 4}, local=True)
    assert result.output("accuracy") == 8


def test_import_keeps_working_without_the_source_file(job_py, tmp_path):
    """MLRun embeds the code in the YAML (``spec.build.functionSourceCode``); so does ``fn.export()``."""
    fn = mlrun.code_to_function("my-job", filename=str(job_py), kind="job", handler="handler")
    fn.export(str(tmp_path / "func.yaml"))
    job_py.unlink()
    with pytest.warns(UserWarning, match="moved_job"):
        function = mlrun.import_function(str(tmp_path / "func.yaml"), new_name="moved_job")
    assert function.metadata.name == "moved-job"
    assert function.run(local=True).output("accuracy") == 2


def test_import_to_dict_and_to_yaml(job_py, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    fn = mlrun.code_to_function("my-job", filename="job.py", kind="job", handler="handler")
    (tmp_path / "flat.yaml").write_text(yaml.safe_dump(fn.to_dict()))
    (tmp_path / "mlrun.yaml").write_text(fn.to_yaml())
    assert mlrun.import_function("./flat.yaml").to_dict() == fn.to_dict()
    assert mlrun.import_function("./mlrun.yaml").to_dict() == fn.to_dict()


def test_set_function_from_yaml(job_py, tmp_path):
    project = mlrun.get_or_create_project("my-project", context=str(tmp_path))
    project.set_function(str(job_py), name="job", kind="job", handler="handler").export(
        str(tmp_path / "function.yaml"))
    fn = project.set_function(name="import", func="function.yaml")
    assert fn.metadata.name == "import" and fn.metadata.project == "my-project"
    assert project.run_function("import", params={"p1": 3}, local=True).output("accuracy") == 6


def test_hub_and_db_functions_are_refused(tmp_path):
    project = mlrun.get_or_create_project("my-project", context=str(tmp_path))
    with pytest.raises(mlrun.UnsupportedError, match="code_to_function"):
        mlrun.import_function("hub://auto-trainer")
    with pytest.raises(mlrun.UnsupportedError, match="get_function"):
        mlrun.import_function("db://my-project/import")
    with pytest.raises(mlrun.UnsupportedError, match="hub"):
        project.set_function(name="describe", func="hub://describe")
    with pytest.raises(mlrun.UnsupportedError, match="database"):
        project.set_function(name="db", func="db://import")
    with pytest.raises(mlrun.UnsupportedError, match="serving"):
        project.set_function(name="serving", kind="serving", image="mlrun/mlrun", with_repo=True)
    assert project.list_functions() == []
    assert os.listdir(tmp_path) == []
