"""Ported from MLRun's ``tests/run/test_run.py`` and ``tests/run/test_run_local.py``: ``new_function()``
with no kind runs a handler in this process, tasks built with ``new_task`` (``out_path``, ``copy``,
``spec.inputs``, ``metadata.project``), command functions, and what MLRun refuses.

Only the import is changed (``import runlab as mlrun``); MLRun's ``tests/run/common.py`` ``my_func`` and its
``assets/`` files are written into ``tmp_path``.
"""

from __future__ import annotations

import textwrap

import pandas as pd
import pytest

import runlab as mlrun
from runlab import new_function, new_task


def my_func(context, p1=1, p2="a-string", input_name="infile.txt"):
    print(f"Run: {context.name} (uid={context.uid})")
    print(f"Params: p1={p1}, p2={p2}\n")
    input_str = context.get_input(input_name).get()
    print(f"file\n{input_str}\n")

    context.log_result("accuracy", p1 * 2)
    context.logger.info("some info")
    context.logger.debug("debug info")
    context.log_artifact("chart", body="abc")

    raw_data = {
        "first_name": ["Jason", "Molly", "Tina", "Jake", "Amy"],
        "last_name": ["Miller", "Jacobson", "Ali", "Milner", "Cooze"],
        "age": [42, 52, 36, 24, 73],
        "postTestScore": [25, 94, 57, 62, 70],
    }
    df = pd.DataFrame(raw_data, columns=["first_name", "last_name", "age", "postTestScore"])
    context.log_dataset("mydf", df=df)


KWARGS = '''
def func(context, x, **kwargs):
    context.logger.info(x)
    context.logger.info(kwargs)
    return kwargs


def func_with_default(context, x=4, **kwargs):
    context.logger.info(x)
    context.logger.info(kwargs)
    if not kwargs:
        raise Exception("kwargs is empty")
    return kwargs
'''

FAIL = '''
import notexisting  # noqa: F401


def handler(context):
    context.log_result("accuracy", 16)
'''


def tag_test(spec, name):
    """MLRun's ``tests/conftest.py`` helper."""
    spec = spec.copy()
    spec.metadata.name = name
    spec.metadata.labels["test"] = name
    return spec


def verify_state(result):
    state = result.status.state
    assert state == "completed", f"wrong state ({state}) {result.status.error}"


@pytest.fixture
def base_spec(tmp_path):
    out_path = str(tmp_path / "results" / "out")
    input_file_path = tmp_path / "test_run_input_file.txt"
    input_file_path.write_text("some input text")
    spec = new_task(params={"p1": 8}, out_path=out_path)
    spec.spec.inputs = {"infile.txt": str(input_file_path)}
    return spec


@pytest.fixture
def assets_path(tmp_path):
    assets = tmp_path / "assets"
    assets.mkdir()
    (assets / "kwargs.py").write_text(textwrap.dedent(KWARGS))
    (assets / "fail.py").write_text(textwrap.dedent(FAIL))
    return str(assets)


def test_with_params(base_spec):
    mlrun.get_or_create_project("default", allow_cross_project=True)
    spec = tag_test(base_spec, "test_with_params")
    result = new_function().run(spec, handler=my_func)

    assert result.output("accuracy") == 16, "failed to run"
    # MLRun's artifact record nests the key under "metadata"; runlab's record has it at the top (the
    # form MLRun's test_with_params_s3 reads)
    assert result.status.artifacts[0].get("key") == "chart", "failed to run"
    assert result.artifact("chart").url, "failed to return artifact data item"
    assert result.metadata.labels["kind"] == "local", "no kind: MLRun's in-process runtime"
    assert base_spec.metadata.name == "", "tag_test works on a copy"


def test_handler_project(base_spec):
    spec = tag_test(base_spec, "test_handler_project")
    spec.metadata.project = "myproj"
    spec.metadata.labels = {"owner": "yaronh"}
    result = new_function().run(spec, handler=my_func)
    print(result)
    assert result.output("accuracy") == 16, "failed to run"
    verify_state(result)
    assert result.metadata.project == "myproj", "the task's project, created on the way as in MLRun"
    assert result.metadata.labels["owner"] == "yaronh"


def test_invalid_name():
    with pytest.raises(ValueError) as excinfo:
        # name cannot have / in it
        new_function().run(name="asd/asd", handler=my_func)
    # runlab's message differs from MLRun's ("Field 'run.metadata.name' is malformed"); the class is the same
    assert "asd/asd" in str(excinfo.value)
    assert isinstance(excinfo.value, mlrun.errors.MLRunInvalidArgumentError)


def test_schedule_with_local_exploding():
    function = new_function()
    with pytest.raises(mlrun.errors.MLRunInvalidArgumentError) as excinfo:
        function.run(local=True, schedule="* * * * *")
    assert "schedule='* * * * *'" in str(excinfo.value)
    with pytest.raises(mlrun.errors.MLRunInvalidArgumentError) as excinfo:
        function.run(schedule="* * * * *")
    # runlab's reason: the function has no file a scheduler (another process) could load
    assert "cannot load it" in str(excinfo.value)


def test_local_runtime_failure_before_executing_the_function_code(assets_path):
    function = new_function(command=f"{assets_path}/fail.py")
    with pytest.raises(mlrun.errors.MLRunRuntimeError) as exc:
        function.run(local=True, handler="handler")
    # MLRun says "Failed on pre-loading"; runlab records the run and chains the ImportError
    assert isinstance(exc.value.__cause__, ImportError)
    assert exc.value.run.state() == "error"
    assert "notexisting" in exc.value.run.error


@pytest.mark.parametrize(
    "handler_name,params,kwargs,expected_kwargs",
    [
        ("func", {"x": 2}, {"y": 3, "z": 4}, {"y": 3, "z": 4}),
        ("func", {"x": 2}, {}, {}),
        ("func_with_default", {}, {"y": 3, "z": 4}, {"y": 3, "z": 4}),
    ],
)
def test_local_runtime_with_kwargs(assets_path, handler_name, params, kwargs, expected_kwargs):
    params.update(kwargs)
    function = new_function(command=f"{assets_path}/kwargs.py")
    result = function.run(local=True, params=params, handler=handler_name)
    verify_state(result)
    assert result.outputs.get("return", {}) == expected_kwargs


def test_local_runtime_with_kwargs_with_code_to_function(assets_path):
    mlrun.get_or_create_project("default", allow_cross_project=True)
    function = mlrun.code_to_function(
        "kwarg",
        filename=f"{assets_path}/kwargs.py",
        image="mlrun/mlrun",
        kind="job",
        handler="func",
    )
    kwargs = {"y": 3, "z": 4}
    params = {"x": 2}
    params.update(kwargs)
    result = function.run(local=True, params=params)
    assert result.outputs["return"] == kwargs
    assert function.spec.image == "mlrun/mlrun", "recorded, unused"
