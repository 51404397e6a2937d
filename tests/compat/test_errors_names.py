"""MLRun's error names catch what runlab raises.

Ported from MLRun's ``docs/data-prep/ingest-data-fs.md`` (``except mlrun.errors.MLRunNotFoundError:``) and
``mlrun/errors.py`` (the class names MLRun code catches), with only the import changed.
"""

from __future__ import annotations

import pytest

import runlab as mlrun


def test_not_found_is_caught_by_mlruns_name():
    # docs/data-prep/ingest-data-fs.md: try to get something, create it when MLRun says it is not found.
    try:
        run = mlrun.get_run_db().read_run("0" * 32)
    except mlrun.errors.MLRunNotFoundError:
        run = None
    assert run is None
    with pytest.raises(mlrun.errors.MLRunNotFoundError):
        mlrun.load_project("no-such-project")


def _identity(context, p):
    return p


def test_invalid_argument_is_a_value_error():
    with pytest.raises(mlrun.errors.MLRunInvalidArgumentError) as caught:
        task = mlrun.new_task(params={"p": 1}).with_hyper_params({"p": [1, 2]}, strategy="sideways")
        mlrun.new_function(kind="local").run(task, handler=_identity)
    assert isinstance(caught.value, ValueError)


def test_a_failed_run_raises_mlruns_runtime_error():
    def fails(context):
        raise ZeroDivisionError("no")

    with pytest.raises(mlrun.errors.MLRunRuntimeError) as caught:
        mlrun.new_function(kind="local").run(handler=fails)
    assert caught.value.run.state() == "error"


def test_every_mlrun_name_is_a_runlab_error():
    names = [n for n in dir(mlrun.errors) if n.startswith("MLRun")]
    assert {"MLRunBaseError", "MLRunNotFoundError", "MLRunInvalidArgumentError", "MLRunRuntimeError",
            "MLRunTimeoutError", "MLRunConflictError"} <= set(names)
    for name in names:
        assert issubclass(getattr(mlrun.errors, name), mlrun.RunlabError)
