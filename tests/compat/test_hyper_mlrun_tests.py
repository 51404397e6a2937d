"""Ported from MLRun's tests/run/test_hyper.py (with tests/run/common.py ``my_func`` and
tests/run/assets/hyper_func.py re-created as small handler files).

The handlers run in-process: MLRun's ``new_function().run(spec, handler=hyper_func)`` is written here as
``code_to_function(..., kind="job", handler=...)`` over the handler file and ``run(spec, local=True)``.
MLRun's in-memory ``memory://params.json`` items are JSON files in ``tmp_path``; ``out_path=`` and
``tag_test`` are left out (runlab's artifact path defaults to the project's).

One deliberate difference, asserted in each case: ``run.status.iterations`` in runlab lists one row (a
dict keyed ``state``, ``iter``, ``param.<name>``, ``output.<name>``) per child, without MLRun's header row,
because runlab code already reads it that way. MLRun's table, header first, is what the run gives as
MLRun's run dict: ``run["status"]["iterations"]`` (also ``get_run_db().read_run(uid)["status"]``).
"""

from __future__ import annotations

import json

import pytest

import runlab as mlrun
from runlab import new_task

HANDLERS = '''
def hyper_func(context, p1, p2, p3):
    print(f"p2={p2}, p3={p3}")
    context.log_result("r1", p2 * p3)


def my_func(context, p1=1, p2="a-string", input_name="infile.txt"):
    print(f"Run: {context.name} (uid={context.uid})")
    print(f"Params: p1={p1}, p2={p2}")
    context.log_result("accuracy", p1 * 2)
    context.logger.info("some info")
    context.log_artifact("chart", body="abc")
'''


def verify_state(result):
    state = result.status.state
    assert state == "completed", f"wrong state ({state}) {result.status.error}"


@pytest.fixture
def fn(write_file):
    path = write_file("hyper_funcs.py", HANDLERS)
    return mlrun.code_to_function(name="hyper", filename=str(path), kind="job", handler="hyper_func")


@pytest.fixture
def params_file(tmp_path):
    def write(text: str) -> str:
        path = tmp_path / "params.json"
        path.write_text(text)
        return str(path)

    return write


def test_handler_hyper(fn):
    run_spec = new_task(params={"p1": 8})
    run_spec.with_hyper_params({"p1": [1, 5, 3]}, selector="max.accuracy")
    result = fn.run(run_spec, handler="my_func", local=True)
    assert len(result["status"]["iterations"]) == 3 + 1, "hyper parameters test failed"
    assert len(result.status.iterations) == 3, "runlab: one row per child, no header"
    assert result.status.results["best_iteration"] == 2, "failed to select best iteration"
    verify_state(result)


def test_hyper_grid(fn, params_file):
    grid_params = '{"p2": [2,1,3], "p3": [10,20]}'
    run_spec = new_task(params={"p1": 8})
    run_spec.with_param_file(params_file(grid_params), selector="r1", strategy="grid")
    run = fn.run(run_spec, local=True)

    verify_state(run)
    iterations = run["status"]["iterations"]
    # 3 x p2, 2 x p3 = 6 iterations + 1 header line
    assert len(iterations) == 1 + 2 * 3, "wrong number of iterations"
    assert iterations[0] == ["state", "iter", "param.p1", "param.p2", "param.p3", "output.r1"]
    results = [line[5] for line in iterations[1:]]
    assert results == [20, 10, 30, 40, 20, 60], "unexpected results"
    assert run.output("best_iteration") == 6, "wrong best iteration"
    assert [row["output.r1"] for row in run.status.iterations] == results


def test_hyper_list(fn, params_file):
    list_params = '{"p2": [2,3,1], "p3": [10,30,20]}'
    run_spec = new_task(params={"p1": 8})
    run_spec.with_param_file(params_file(list_params), selector="r1", strategy="list")
    run = fn.run(run_spec, local=True)

    verify_state(run)
    assert len(run["status"]["iterations"]) == 1 + 3, "wrong number of iterations"
    results = [line[5] for line in run["status"]["iterations"][1:]]
    assert results == [20, 90, 20], "unexpected results"
    assert run.output("best_iteration") == 2, "wrong best iteration"


def test_hyper_list_with_stop(fn, params_file):
    list_params = '{"p2": [2,3,7,4,5], "p3": [10,10,10,10,10]}'
    run_spec = new_task(params={"p1": 8})
    run_spec.with_param_file(params_file(list_params), selector="max.r1", strategy="list",
                             stop_condition="r1>=70")
    run = fn.run(run_spec, local=True)

    verify_state(run)
    # result: r1 = p2 * p3, r1 >= 70 lead to stop on third run
    assert len(run["status"]["iterations"]) == 1 + 3, "wrong number of iterations"
    assert run.output("best_iteration") == 3, "wrong best iteration"


@pytest.mark.slow
def test_hyper_parallel_with_stop(fn):
    p2 = [2, 3, 7, 4, 5]
    p3 = [10, 10, 10, 10, 10]
    run_spec = mlrun.new_task(params={"p1": 1})
    run_spec.with_hyper_params(
        {"p2": p2, "p3": p3},
        parallel_runs=2,
        selector="max.r1",
        strategy=mlrun.model.HyperParamStrategies.list,
        stop_condition="r1>=70",
    )
    run = fn.run(run_spec, local=True)

    verify_state(run)
    # + 1 for results header; len(p2) tho we will stop on 3rd, there might be inflight runs going on
    assert len(run["status"]["iterations"]) <= len(p2) + 1, "wrong number of iterations"
    assert run.output("best_iteration") == 3, "wrong best iteration"


def test_hyper_random(fn):
    grid_params = {"p2": [2, 1, 3], "p3": [10, 20, 30]}
    run_spec = new_task(params={"p1": 8})
    run_spec.with_hyper_params(grid_params, selector="r1", strategy="random", max_iterations=5)
    run = fn.run(run_spec, local=True)

    verify_state(run)
    assert len(run["status"]["iterations"]) == 1 + 5, "wrong number of iterations"


def test_hyper_param_options_object_and_strategies(fn, tmp_path):
    """mlrun/model.py HyperParamOptions (param_file, strategy, selector, stop_condition) and
    HyperParamStrategies, as a RunTemplate's spec.hyper_param_options holds them."""
    (tmp_path / "space.json").write_text(json.dumps({"p2": [2, 3, 7], "p3": [10, 10, 10]}))
    options = mlrun.model.HyperParamOptions(param_file=str(tmp_path / "space.json"),
                                            strategy=mlrun.model.HyperParamStrategies.list,
                                            selector="max.r1", stop_condition="r1>=30")
    assert mlrun.model.HyperParamStrategies.all() == ["grid", "list", "random", "custom"]
    run = fn.run(new_task(params={"p1": 1}), hyper_param_options=options, local=True)
    verify_state(run)
    assert run.output("best_iteration") == 2
    assert len(run["status"]["iterations"]) == 1 + 2


def test_hyper_param_options_validate_refuses_max_iterations_outside_random():
    """mlrun/model.py HyperParamOptions.validate: max_iterations is only valid in the random strategy
    (MLRun raises MLRunInvalidArgumentError, which is runlab's ValidationError)."""
    options = mlrun.model.HyperParamOptions(strategy="grid", max_iterations=3)
    with pytest.raises(mlrun.errors.MLRunInvalidArgumentError, match="'random' strategy only"):
        options.validate()
    with pytest.raises(mlrun.ValidationError, match="unknown strategy"):
        mlrun.model.HyperParamOptions(strategy="bayes").validate()
