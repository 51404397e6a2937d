"""MLRun's packagers: log hints in ``returns=``, inputs parsed by type hints, and ``@mlrun.handler``.

Ported from: tests/package/test_usage.py with tests/package/usage_assets.py (``log_artifacts_and_results``,
``parse_inputs_from_type_annotations``, ``parse_inputs_from_mlrun_function``; MLRun's sklearn ``Pipeline``
object is replaced by usage_assets' ``InheritingClass``, sklearn being no dependency of runlab),
mlrun/package/__init__.py (the ``handler`` docstring example), mlrun/package/utils/log_hint_utils.py
(log hint parsing) and docs/concepts/decorators-and-auto-logging.md.
"""

from __future__ import annotations

import textwrap

import pytest

import runlab as mlrun

USAGE = '''
import os
from typing import Union

import numpy as np
import pandas as pd

import mlrun


class BaseClass:
    def __init__(self, a: int):
        self.a = a


class InheritingClass(BaseClass):
    def __init__(self, a: int, b: str):
        super().__init__(a=a)
        self.b = b


def log_artifacts_and_results():
    context = mlrun.get_or_create_ctx(name="ctx")
    context.log_result(key="manually_logged_result", value=10)
    file_path = os.path.join(context.artifact_path, "my_file.txt")
    with open(file_path, "w") as file:
        file.write("123")
    return (
        np.ones((10, 20)),
        pd.DataFrame(np.zeros((20, 10))),
        file_path,
        {"a": [1, 2, 3, 4], "b": [5, 6, 7, 8]},
        [["A"], ["B"], [""]],
        3,
        "hello",
        InheritingClass(a=1, b="x"),
    )


def _assert_parsing(my_array, my_df, my_file, my_dict, my_list, my_object, my_int, my_str):
    assert isinstance(my_array, np.ndarray)
    assert np.all(my_array == np.ones((10, 20)))
    assert isinstance(my_df, mlrun.DataItem)
    my_df = my_df.as_df()
    assert my_df.shape == (20, 10)
    assert my_df.sum().sum() == 0
    assert isinstance(my_file, mlrun.DataItem)
    my_file = my_file.local()
    with open(my_file) as file:
        file_content = file.read()
    assert file_content == "123"
    assert isinstance(my_dict, dict)
    assert my_dict == {"a": [1, 2, 3, 4], "b": [5, 6, 7, 8]}
    assert isinstance(my_list, list)
    assert my_list == [["A"], ["B"], [""]]
    assert isinstance(my_object, InheritingClass)
    assert (my_object.a, my_object.b) == (1, "x")
    return [my_str] * my_int


def parse_inputs_from_type_annotations(
    my_array: np.ndarray,
    my_df: mlrun.DataItem,
    my_file: Union[int, mlrun.DataItem],
    my_dict: dict,
    my_list: list,
    my_object: InheritingClass,
    my_int: int,
    my_str: str,
):
    return _assert_parsing(my_array=my_array, my_df=my_df, my_file=my_file, my_dict=my_dict, my_list=my_list,
                           my_object=my_object, my_int=my_int, my_str=my_str)


def parse_inputs_from_mlrun_function(my_array, my_df, my_file, my_dict, my_list, my_object, my_int, my_str):
    return _assert_parsing(my_array=my_array, my_df=my_df, my_file=my_file, my_dict=my_dict, my_list=my_list,
                           my_object=my_object, my_int=my_int, my_str=my_str)
'''

RETURNS_LOG_HINTS = [
    "my_array",
    "my_df",
    "my_file: path",
    {"key": "my_dict", "artifact_type": "object"},
    "my_list:  file",
    "my_int",
    "my_str : result",
    "my_object: object",
]


@pytest.fixture
def usage(tmp_path):
    path = tmp_path / "usage.py"
    path.write_text(USAGE.replace("import mlrun", "import runlab as mlrun"))
    (tmp_path / "arts").mkdir()
    return mlrun.code_to_function(name="usage", filename=str(path), kind="job"), str(tmp_path / "arts")


def _log(usage, returns):
    fn, artifact_path = usage
    return fn.run(handler="log_artifacts_and_results", returns=returns, artifact_path=artifact_path, local=True)


@pytest.mark.parametrize("returns", [RETURNS_LOG_HINTS, []])
def test_outputs_count_with_and_without_log_hints(usage, returns):
    run = _log(usage, returns)
    if returns:
        assert len(run.outputs) == 1 + len(RETURNS_LOG_HINTS)
    else:
        assert len(run.outputs) == 1 + 1  # the manual result and the whole return value


def test_log_hints_pick_the_artifact_types(usage):
    run = _log(usage, RETURNS_LOG_HINTS)
    kinds = {a["key"]: a for a in run.status.artifacts}
    assert run.outputs["my_int"] == 3 and run.outputs["my_str"] == "hello"
    assert run.outputs["manually_logged_result"] == 10
    assert kinds["my_array"]["target_path"].endswith(".npy")  # 200 elements: a file, not a result
    assert kinds["my_df"]["kind"] == "dataset"
    assert kinds["my_dict"]["target_path"].endswith(".pkl") and kinds["my_list"]["target_path"].endswith(".json")
    assert kinds["my_file"]["target_path"].endswith("my_file.txt")


@pytest.mark.parametrize("handler", ["parse_inputs_from_type_annotations", "parse_inputs_from_mlrun_function"])
def test_inputs_are_parsed_by_type_hints(usage, handler):
    fn, artifact_path = usage
    logged = _log(usage, RETURNS_LOG_HINTS)
    hinted = handler == "parse_inputs_from_mlrun_function"  # the hints are written in the input keys
    inputs = {
        "my_list:list" if hinted else "my_list": logged.outputs["my_list"],
        "my_array : numpy.ndarray" if hinted else "my_array": logged.outputs["my_array"],
        "my_df": logged.outputs["my_df"],
        "my_file": logged.outputs["my_file"],
        "my_object: usage.InheritingClass" if hinted else "my_object": logged.outputs["my_object"],
        "my_dict: dict" if hinted else "my_dict": logged.outputs["my_dict"],
    }
    run = fn.run(handler=handler, inputs=inputs,
                 params={"my_int": logged.outputs["my_int"], "my_str": logged.outputs["my_str"]},
                 artifact_path=artifact_path, local=True)
    assert run.state() == "completed"
    assert run.outputs["return"] == ["hello"] * 3


def test_bad_log_hints_are_refused_before_the_run(usage):
    fn, _ = usage
    with pytest.raises(mlrun.ValidationError, match="more than one ':'"):
        fn.run(handler="log_artifacts_and_results", returns=["a:b:c"], local=True)
    with pytest.raises(mlrun.ValidationError, match="unknown artifact type 'tensor'"):
        fn.run(handler="log_artifacts_and_results", returns=["a: tensor"], local=True)
    with pytest.raises(mlrun.ValidationError, match=r"with a 'key'"):
        fn.run(handler="log_artifacts_and_results", returns=[{"artifact_type": "file"}], local=True)
    assert mlrun.get_run_db().list_runs(name="usage-log-artifacts-and-results") == []


HANDLER_DOC = '''
import numpy as np
import mlrun


@mlrun.handler(
    outputs=[
        "my_string",
        None,
        {"key": "my_array", "artifact_type": "file", "file_format": "npy"},
        "my_multiplier: result"
    ]
)
def my_handler(array: np.ndarray, m: int):
    m += 1
    array = array * m
    return "I will be logged", "I won't be logged", array, m
'''


def test_handler_decorator_docstring_example(tmp_path):
    """mlrun/package/__init__.py: run_object.outputs == {'my_string': ..., 'my_array': 'store://...',
    'my_multiplier': 3}."""
    import numpy as np

    np.save(tmp_path / "array.npy", np.ones(3))
    path = tmp_path / "my_code.py"
    path.write_text(HANDLER_DOC.replace("import mlrun", "import runlab as mlrun"))
    mlrun_function = mlrun.code_to_function(filename=str(path), kind="job")
    run_object = mlrun_function.run(handler="my_handler", inputs={"array": str(tmp_path / "array.npy")},
                                    params={"m": 2}, local=True)
    assert run_object.outputs["my_string"] == "I will be logged"
    assert run_object.outputs["my_array"].startswith("store://")
    assert run_object.outputs["my_multiplier"] == 3
    assert set(run_object.outputs) == {"my_string", "my_array", "my_multiplier"}
    assert np.load(mlrun.get_dataitem(run_object.outputs["my_array"]).local()).tolist() == [3.0, 3.0, 3.0]


def test_decorated_handler_called_plainly(tmp_path):
    """mlrun/handler.py: without a run context the decorated function is the function itself."""
    namespace: dict = {}
    exec(textwrap.dedent(HANDLER_DOC).replace("import mlrun", "import runlab as mlrun"), namespace)
    import numpy as np

    result = namespace["my_handler"](np.ones(2), 1)
    assert result[0] == "I will be logged" and result[3] == 2


DECORATORS_DOC = '''
import pandas as pd
import mlrun


@mlrun.handler(
    labels={"framework": "scikit-learn"},
    outputs=["prediction:dataset"],
    inputs={"train_data": pd.DataFrame, "predict_input": pd.DataFrame},
)
def train_and_predict(train_data, predict_input, label_column="label"):
    x = train_data.drop(label_column, axis=1)
    y = train_data[label_column]
    return list(x.sum(axis=1) + y.mean() * 0 + predict_input.shape[0] * 0)
'''


def test_decorator_labels_inputs_and_outputs(tmp_path):
    """docs/concepts/decorators-and-auto-logging.md: a label, DataFrame inputs, a 'prediction' dataset.
    (The model is a row sum instead of sklearn's SVC, which runlab does not depend on.)"""
    (tmp_path / "train.csv").write_text("a,b,label\n1,2,0\n3,4,1\n")
    (tmp_path / "predict.csv").write_text("a,b\n5,6\n")
    (tmp_path / "train.py").write_text(DECORATORS_DOC.replace("import mlrun", "import runlab as mlrun"))
    project = mlrun.get_or_create_project("mlrun-example", context=str(tmp_path))
    # the function is named "train-and-predict": function names are another part of the MLRun mapping
    project.set_function("train.py", name="train-and-predict", kind="job", handler="train_and_predict")
    trainer_run = project.run_function("train-and-predict", local=True, inputs={
        "train_data": str(tmp_path / "train.csv"), "predict_input": str(tmp_path / "predict.csv")})
    assert trainer_run.metadata.labels["framework"] == "scikit-learn"
    prediction = {a["key"]: a for a in trainer_run.status.artifacts}["prediction"]
    assert prediction["kind"] == "dataset"
    assert mlrun.get_dataitem(trainer_run.outputs["prediction"]).as_df().iloc[:, 0].tolist() == [3, 7]


def test_decorated_method_of_a_class_handler(tmp_path):
    """A decorated method run as ``Class::method`` gets its object (MLRun's class handlers)."""
    (tmp_path / "cls.py").write_text(textwrap.dedent('''
        import runlab as mlrun

        class Trainer:
            def __init__(self, base=1):
                self.base = base

            @mlrun.handler(outputs=["total"], labels={"team": "x"})
            def train(self, n: int):
                return self.base + n
    '''))
    fn = mlrun.code_to_function(name="cls", filename=str(tmp_path / "cls.py"), kind="job", handler="Trainer::train")
    run = fn.run(params={"n": 2, "_init_args": {"base": 10}}, local=True)
    assert run.outputs == {"total": 12} and run.metadata.labels["team"] == "x"


def test_decorator_inputs_false_and_a_call_with_a_context(tmp_path):
    """docs/concepts/decorators-and-auto-logging.md: ``inputs=False`` leaves every input a DataItem; and
    mlrun/package/__init__.py: called with a context, the wrapper logs the outputs into that run."""
    import pandas as pd

    (tmp_path / "data.csv").write_text("a\n1\n2\n")

    @mlrun.handler(inputs=False)
    def raw(data: pd.DataFrame):
        return type(data).__name__

    @mlrun.handler(outputs=["total: result"], labels={"via": "call"})
    def total(context, data: pd.DataFrame):
        return int(data["a"].sum())

    def outer(context):
        assert total(context, context.get_input("data")) is None  # the value went to the run

    fn = mlrun.new_function(kind="local", name="deco")
    assert fn.run(handler=raw, inputs={"data": str(tmp_path / "data.csv")}).outputs["return"] == "DataItem"
    run = fn.run(handler=outer, inputs={"data": str(tmp_path / "data.csv")})
    assert run.outputs == {"total": 3} and run.metadata.labels["via"] == "call"
