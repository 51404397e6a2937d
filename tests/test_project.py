"""Projects: creation, the current project, functions kept in the store for other processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import runlab


def test_get_or_create_sets_current_and_persists(tmp_path):
    project = runlab.get_or_create_project("alpha", context=str(tmp_path), description="first")
    assert runlab.get_current_project() is project
    assert project.artifact_path == str(tmp_path / "artifacts")
    again = runlab.load_project("alpha")
    assert (again.context, again.description) == (str(tmp_path), "first")


def test_moving_the_context_moves_the_default_artifact_path(tmp_path):
    runlab.get_or_create_project("moved", context=str(tmp_path / "a"))
    project = runlab.get_or_create_project("moved", context=str(tmp_path / "b"))
    assert project.artifact_path == str(tmp_path / "b" / "artifacts")


def test_new_project_refuses_an_existing_name_unless_overwrite(tmp_path):
    runlab.new_project("beta", context=str(tmp_path))
    with pytest.raises(runlab.ValidationError, match="get_or_create_project"):
        runlab.new_project("beta", context=str(tmp_path))
    assert runlab.new_project("beta", context=str(tmp_path), overwrite=True).name == "beta"


def test_no_current_project_and_unknown_project():
    assert runlab.get_current_project() is None
    with pytest.raises(runlab.ProjectNotFoundError, match="get_or_create_project"):
        runlab.get_current_project(required=True)
    with pytest.raises(runlab.ProjectNotFoundError, match="no project named 'ghost'"):
        runlab.load_project("ghost")


@pytest.mark.parametrize("name", ["Bad_Name", "a/b", "", "-x"])
def test_project_names_are_validated(name, tmp_path):
    with pytest.raises(runlab.InvalidNameError):
        runlab.get_or_create_project(name, context=str(tmp_path))


def test_functions_are_stored_for_other_processes(project, runlab_home, tmp_path):
    assert project.list_functions() == ["trainer"]
    code = (
        "import runlab; p = runlab.load_project('demo'); fn = p.get_function('trainer'); "
        "print(fn.handler_name, fn.kind); "
        "print(p.run_function('trainer', inputs={'data': 'data.csv'}, local=True).state())"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "RUNLAB_HOME": str(runlab_home)}).stdout
    assert out.splitlines()[0] == "train job"
    assert out.splitlines()[-1] == "completed"


def test_set_function_from_a_callable_or_a_function_object(project):
    def handler(x=1):
        return x

    project.set_function(handler, name="inline", kind="local")
    assert project.run_function("inline", params={"x": 5}).status.results == {"return": 5}
    fn = runlab.new_function(name="ignored", kind="local", handler=handler)
    project.set_function(fn, name="renamed")
    assert project.list_functions() == ["inline", "renamed", "trainer"]
    assert project.run_function("renamed", params={"x": 7}).status.results == {"return": 7}


def test_a_notebook_callable_is_not_runnable_from_another_kernel(project):
    project.set_function(lambda: 1, name="cellfn", kind="local")
    fresh = runlab.load_project("demo")  # a new Project object reads functions from the store only
    with pytest.raises(runlab.UnsupportedError, match="put the handler in a file"):
        fresh.get_function("cellfn")


def test_set_function_errors(project):
    with pytest.raises(runlab.ValidationError, match="does not exist"):
        project.set_function("missing.py", name="m")
    Path(project.context, "nb.ipynb").write_text("{}")
    assert project.set_function("nb.ipynb", name="nb").kind == "notebook"
    with pytest.raises(runlab.UnsupportedError, match="use kind='notebook'"):
        project.set_function("nb.ipynb", name="nb2", kind="dask")
    with pytest.raises(runlab.InvalidNameError, match="function name"):
        project.set_function("trainer.py", name="bad/name")  # MLRun refuses it too
    with pytest.warns(UserWarning, match="'Bad Name' becomes 'bad-name'"):  # MLRun normalises it
        assert project.set_function("trainer.py", name="Bad Name").name == "bad-name"
