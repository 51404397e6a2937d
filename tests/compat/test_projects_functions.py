"""Ported from MLRun's ``tests/projects/test_project.py`` (``set_function`` names and tags,
``user_project``), ``tests/run/test_run_local.py`` (``test_default_handler``) and
``docs/runtimes/create-and-use-functions.ipynb`` (``set_function`` with MLRun's build keywords, and what
needs Kubernetes).

Only the import is changed (``import runlab as mlrun``); MLRun's ``tests/run/assets/handler.py`` is written
into ``tmp_path``. ``save=False`` is accepted; runlab keeps every project in its store all the same.
"""

from __future__ import annotations

import textwrap

import pytest

import runlab as mlrun

HANDLER = '''
import os

import runlab as mlrun


def myhandler(context: mlrun.MLClientCtx, tag=None):
    print(f"Run: {context.name} (uid={context.uid})")
    artifact_params = {
        "item": "file_result",
        "body": b"abc123",
        "local_path": "result.txt",
    }
    if tag:
        artifact_params["tag"] = tag
    context.log_artifact(**artifact_params)


def handler2(context: mlrun.MLClientCtx):
    context.log_result("handler", "2")
'''


@pytest.fixture
def function_path(tmp_path):
    path = tmp_path / "assets" / "handler.py"
    path.parent.mkdir()
    path.write_text(textwrap.dedent(HANDLER))
    return str(path)


def test_default_handler(function_path):
    project = mlrun.new_project("test-handler", save=False)
    project.set_function(function_path, "myfunc", handler="myhandler", image="mlrun/mlrun")

    run = project.run_function("myfunc", handler="handler2", local=True)
    # verify that the 2nd handler was running (not the default)
    assert run.output("handler") == "2"


def test_user_project(monkeypatch):
    project_name = "project-name"
    usernames = ["valid-username", "require_Normalization"]
    for username in usernames:
        monkeypatch.setenv("V3IO_USERNAME", username)
        project = mlrun.new_project(project_name, user_project=True, save=False, overwrite=True)
        assert (
            project.metadata.name == f"{project_name}-{username.lower().replace('_', '-')}"
        ), "project name doesnt include user name"


@pytest.mark.parametrize(
    "name, tag, expected_name, expected_tag",
    [
        ("handler:v2", None, "handler", "v2"),
        ("handler", None, "handler", "latest"),
        ("handler", "v2", "handler", "v2"),
    ],
)
def test_set_function_name_and_tag(function_path, name, tag, expected_name, expected_tag):
    project = mlrun.new_project("set-func-untagged-name", save=False)
    func = project.set_function(
        func=function_path,
        name=name,
        kind="job",
        image="mlrun/mlrun",
        handler="myhandler",
        tag=tag,
    )
    assert func.metadata.name == expected_name
    assert func.metadata.tag == expected_tag


def test_set_function_with_conflicting_tag(function_path):
    project = mlrun.new_project("set-func-conflicting-tag", save=False)
    with pytest.raises(ValueError) as exc:
        project.set_function(
            func=function_path,
            name="handler:v2",
            kind="job",
            image="mlrun/mlrun",
            handler="myhandler",
            tag="v1",
        )
    assert "v1" in str(exc.value) and "handler:v2" in str(exc.value) and "must match" in str(exc.value)


def test_set_function_with_multiple_tags(function_path):
    project = mlrun.new_project("set-func-multi-tags", save=False)
    name = "handler:v2:v3"
    with pytest.raises(ValueError) as exc:
        project.set_function(
            func=function_path,
            name=name,
            kind="job",
            image="mlrun/mlrun",
            handler="myhandler",
        )
    assert "must be <name> or <name>:<tag>" in str(exc.value)


def test_set_function_update_code(function_path):
    project = mlrun.new_project("set-func-update-code", save=False)
    for i in range(2):
        func = project.set_function(
            func=function_path,
            name="handler",
            kind="job",
            image="mlrun/mlrun",
            handler="myhandler",
            tag="v1",
        )

        assert id(func) == id(project.get_function("handler")), f"Function of index {i} was not set correctly"
        assert id(func) == id(
            project.get_function("handler:v1")
        ), f"Function of index {i} was not set and tagged correctly"


def test_set_function_underscore_name(function_path):
    project = mlrun.new_project("project", save=False)
    func_name = "name_with_underscores"

    # create a function with a name that includes underscores
    with pytest.warns(UserWarning, match="name_with_underscores"):
        func = mlrun.code_to_function(
            name=func_name,
            kind="job",
            image="mlrun/mlrun",
            handler="myhandler",
            filename=function_path,
        )
    with pytest.warns(UserWarning):
        project.set_function(name=func_name, func=func)

    # runlab looks functions up by their normalised name only (MLRun also finds the original spelling)
    normalized_name = "name-with-underscores"
    enriched_function = project.get_function(key := normalized_name)
    assert enriched_function.metadata.name == normalized_name == key


def test_set_function_with_build_keywords(tmp_path):
    """docs/runtimes/create-and-use-functions.ipynb, "Using set_function"."""
    (tmp_path / "my_function.py").write_text("def train_model(context):\n    context.log_result('ok', 1)\n")
    project = mlrun.get_or_create_project("my-project", context=str(tmp_path))
    fn = project.set_function(
        name="my-function", tag="latest", func="my_function.py",
        image="mlrun/mlrun", kind="job", handler="train_model",
        requirements=["pandas==1.3.5"], with_repo=True
    )
    assert fn.spec.build.requirements == ["pandas==1.3.5"]
    stored = mlrun.load_project("my-project").get_function("my-function")
    assert (stored.spec.image, stored.spec.build.requirements, stored.metadata.tag) == (
        "mlrun/mlrun", ["pandas==1.3.5"], "latest")
    assert project.run_function("my-function", local=True).output("ok") == 1


def test_what_needs_kubernetes_raises_and_records_nothing(tmp_path):
    """docs/runtimes/create-and-use-functions.ipynb: serving functions, ``build_function``, ``fn.apply``,
    resources, the function hub. runlab has no Kubernetes: each raises ``UnsupportedError`` naming what to
    use instead (a job run), before anything is recorded."""
    (tmp_path / "job.py").write_text("def handler(context):\n    pass\n")
    project = mlrun.get_or_create_project("my-project", context=str(tmp_path))
    with pytest.raises(mlrun.UnsupportedError, match="kind='job'"):
        project.set_function(name="serving", kind="serving", image="mlrun/mlrun", func="job.py")
    fn = project.set_function(name="python", func="job.py", kind="job", image="mlrun/mlrun", handler="handler")
    with pytest.raises(mlrun.UnsupportedError, match="run_function"):
        project.build_function(fn)
    with pytest.raises(mlrun.UnsupportedError, match="job"):
        project.deploy_function(fn)
    with pytest.raises(mlrun.UnsupportedError, match=r"fn\.run"):
        fn.deploy()
    with pytest.raises(mlrun.UnsupportedError, match="pod"):
        fn.with_limits(mem="2G", cpu=2)
    with pytest.raises(mlrun.UnsupportedError, match="pod"):
        fn.with_requests(mem="1G")
    with pytest.raises(mlrun.UnsupportedError, match="auto_mount"):
        fn.apply(mlrun.auto_mount())
    with pytest.raises(mlrun.UnsupportedError, match="hub"):
        project.set_function("hub://auto-trainer", "train")
    assert len(project.list_runs()) == 0
    assert project.list_functions() == ["python"]
