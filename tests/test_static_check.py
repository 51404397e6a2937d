"""A run prepared with ``static=True`` (what the Jupyter server and schedulers do) is checked by reading its file
with ``ast``: the file's top level never runs in the caller, and every refusal is the one (type and message) that
importing the file would give. By default the file is imported, as ever (a notebook kernel's run_function)."""

from __future__ import annotations

import os
import textwrap

import pytest

import runlab
from runlab.errors import HandlerNotFoundError, MissingParameterError, ValidationError
from runlab.launch import prepare
from runlab.project import Project
from runlab.task import Task

SOURCE = '''
    import os
    from pathlib import Path

    Path(__file__).with_name("imported-by.txt").write_text(str(os.getpid()))

    try:
        import json as loaded
    except ImportError:
        loaded = None

    if loaded is not None:
        def train(context, lr, epochs=3, *, seed):
            pass

    alias = train


    class Model:
        def predict(self, x, scale=1):
            pass

        @staticmethod
        def build(size):
            pass


    async def stream(context, n):
        pass
'''


@pytest.fixture
def source(tmp_path):
    path = tmp_path / "model.py"
    path.write_text(textwrap.dedent(SOURCE))
    project = Project("static", str(tmp_path)).save()
    return project, runlab.code_to_function(name="model", filename=str(path), kind="job"), tmp_path / "imported-by.txt"


@pytest.mark.parametrize(("handler", "params", "error"), [
    ("nope", {}, HandlerNotFoundError),
    ("train", {"lr": 1}, MissingParameterError),
    ("train", {"seed": 1}, MissingParameterError),
    ("Model::fit", {}, HandlerNotFoundError),
    ("Model::predict", {}, MissingParameterError),
    ("Model::build", {}, MissingParameterError),
    ("stream", {}, MissingParameterError),
])
def test_a_static_check_refuses_as_the_import_does_without_running_the_file(source, handler, params, error):
    project, function, marker = source
    with pytest.raises(error) as statically:
        prepare(function, project, Task(params=params), handler=handler, static=True)
    assert not marker.exists(), "the file's top level did not run"
    with pytest.raises(error) as imported:
        prepare(function, project, Task(params=params), handler=handler)
    assert marker.read_text() == str(os.getpid()), "by default the file is imported here"
    # the same message; the listing of a missing handler's alternatives names the file's own functions and
    # classes (what an imported or assigned name holds is known only by running the file)
    assert str(statically.value).split("; callables there")[0] == str(imported.value).split("; callables there")[0]
    if "callables there" in str(imported.value):
        assert str(statically.value).endswith("callables there: Model, stream, train")


@pytest.mark.parametrize(("handler", "params"), [
    ("train", {"lr": 1, "seed": 2}), ("alias", {}), ("Model::predict", {"x": 1}), ("Model::build", {"size": 2}),
    ("stream", {"n": 1}), ("loaded.dumps", {}), (None, {}),
])
def test_what_the_file_defines_passes_the_static_check(source, handler, params):
    project, function, marker = source
    checked = prepare(function, project, Task(params=params), handler=handler, static=True)
    assert checked.handler.func is None and checked.handler.cls is None, "nothing was loaded"
    assert checked.record.spec["handler_path"] == handler
    assert not marker.exists()


def test_a_static_check_refuses_a_run_in_this_process(source):
    project, function, marker = source
    with pytest.raises(ValidationError, match="runs no user code"):
        prepare(function, project, Task(params={"lr": 1, "seed": 2}), handler="train", local=True, static=True)
    assert not marker.exists()


def test_a_file_that_does_not_parse_is_left_to_the_runs_own_process(tmp_path):
    path = tmp_path / "broken.py"
    path.write_text("def train(context:\n")
    project = Project("static", str(tmp_path)).save()
    function = runlab.code_to_function(name="broken", filename=str(path), kind="job")
    checked = prepare(function, project, Task(), handler="train", static=True)
    assert checked.handler.required is None and checked.handler.import_error is None
    path.unlink()
    with pytest.raises(ValidationError, match="no longer exists"):
        prepare(function, project, Task(), handler="train", static=True)
