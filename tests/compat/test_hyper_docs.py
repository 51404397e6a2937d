"""Ported from MLRun's docs/hyper-params.ipynb ("Hyperparameter tuning optimization"): grid, random and
list searches with a selector and a stop condition, and the Dask-cluster variant.

The notebook defines ``hyper_func`` in a cell and runs ``mlrun.new_function().run(task,
handler=hyper_func)``; here the same function is in a handler file run with ``local=True`` (in-process).
"""

from __future__ import annotations

import pytest

import runlab as mlrun

HYPER_FUNC = '''
def hyper_func(context, p1, p2):
    print(f"p1={p1}, p2={p2}, result={p1 * p2}")
    context.log_result("multiplier", p1 * p2)
'''


@pytest.fixture
def fn(write_file):
    path = write_file("hyper_func.py", HYPER_FUNC)
    return mlrun.code_to_function(name="hyper-tst", filename=str(path), kind="job", handler="hyper_func")


def test_grid_search(fn):
    grid_params = {"p1": [2, 4, 1], "p2": [10, 20]}
    task = mlrun.new_task("grid-demo").with_hyper_params(grid_params, selector="max.multiplier")
    run = fn.run(task, local=True)
    # "The result is the six iterations with all the combinations of p1 and p2" and the best is 4 x 20
    assert run.state() == "completed"
    assert len(run["status"]["iterations"]) == 1 + 6
    assert run.outputs["best_iteration"] == 5 and run.outputs["multiplier"] == 80
    header, *rows = run["status"]["iterations"]
    assert header == ["state", "iter", "param.p1", "param.p2", "output.multiplier"]
    assert [row[header.index("output.multiplier")] for row in rows] == [20, 40, 10, 40, 80, 20]


def test_random_search(fn):
    grid_params = {"p1": [2, 4, 1, 3], "p2": [10, 20, 30]}
    task = mlrun.new_task("random-demo")
    task.with_hyper_params(grid_params, selector="max.multiplier", strategy="random", max_iterations=4)
    run = fn.run(task, local=True)
    assert run.state() == "completed"
    assert len(run["status"]["iterations"]) == 1 + 4, "max_iterations random picks"


def test_list_search_with_stop_condition(fn):
    list_params = {"p1": [2, 3, 7, 4, 5], "p2": [15, 10, 10, 20, 30]}
    task = mlrun.new_task("list-demo").with_hyper_params(
        list_params,
        selector="max.multiplier",
        strategy="list",
        stop_condition="multiplier>=70",
    )
    run = fn.run(task, local=True)
    # "the iteration ... stopped after 3 iterations" (7 x 10 = 70 meets the condition)
    assert [row["iter"] for row in run.status.iterations] == [1, 2, 3]
    assert run.outputs["best_iteration"] == 3 and run.outputs["multiplier"] == 70


def test_dask_cluster_uri_is_refused_with_the_runlab_way(fn):
    """runlab differs on purpose: there is no MLRun Dask function to point dask_cluster_uri at; runlab
    reaches a Dask cluster through ``runlab.set_dask_client``. The sweep is refused before any run is
    recorded, with the error naming that."""
    grid_params = {"p2": [2, 1, 4, 1], "p3": [10, 20]}
    task = mlrun.new_task(params={"p1": 8})
    task.with_hyper_params(
        grid_params,
        selector="r1",
        strategy="grid",
        parallel_runs=4,
        dask_cluster_uri="db://default/dask-cluster",
        teardown_dask=True,
    )
    with pytest.raises(mlrun.errors.MLRunInvalidArgumentError, match="set_dask_client"):
        fn.run(task, local=True)
    assert mlrun.get_run_db().list_runs(iter=True) == []
