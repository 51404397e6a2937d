"""Ported from MLRun's sweep outcome rules in mlrun/runtimes/utils.py (``results_to_iter``: the parent's
iteration table, ``"<k> of <n> tasks failed, check logs in db for details"``), mlrun/runtimes/generators.py
(``selector`` skips failed children; ``max_errors``) and mlrun/runtimes/local.py (iterations stop once the
errors pass ``max_errors``), with the docs' ``max_errors`` option (docs/hyper-params.ipynb).

runlab differs on purpose in one rule: in MLRun any failed child makes the parent ``error``; in runlab
the parent of a sweep where some children failed still completes with the best of the rest (its
children stay inspectable, and the failures are in its iteration table). The parent ends in ``error``
when every child failed or when ``max_errors`` failures were reached; ``run_function`` then raises
``RunError`` (MLRun's ``MLRunRuntimeError``) saying ``"<k> of <n> iterations failed"``. runlab's own
tests (tests/test_sweep.py) promise that behaviour, so it stays.
"""

from __future__ import annotations

import pytest

import runlab as mlrun

HANDLERS = '''
def flaky(context, p):
    if p % 2:
        raise ValueError(f"odd {p}")
    context.log_result("score", p)


def broken(context, p):
    raise RuntimeError("always")
'''


@pytest.fixture
def fn(write_file):
    path = write_file("flaky.py", HANDLERS)
    return mlrun.code_to_function(name="flaky", filename=str(path), kind="job", handler="flaky")


def test_failed_children_are_in_the_table_and_the_selector_skips_them(fn):
    task = mlrun.new_task("flaky").with_hyper_params({"p": [0, 1, 2, 3, 4]}, selector="max.score")
    run = fn.run(task, local=True)
    header, *rows = run["status"]["iterations"]
    assert header == ["state", "iter", "param.p", "output.score"]
    assert [row[0] for row in rows] == ["completed", "error", "completed", "error", "completed"]
    assert run.outputs["best_iteration"] == 5 and run.outputs["score"] == 4
    assert run.state() == "completed", "runlab: some failed children do not fail the parent"
    failed = mlrun.get_run_db().read_run(run.uid(), run.metadata.project, iter=2)
    assert failed["status"]["state"] == "error" and failed["status"]["error"] == "ValueError: odd 1"


def test_every_child_failing_fails_the_parent(fn):
    task = mlrun.new_task("broken").with_hyper_params({"p": [1, 2, 3]})
    with pytest.raises(mlrun.errors.MLRunRuntimeError, match="3 of 3 iterations failed") as info:
        fn.run(task, handler="broken", local=True)
    assert info.value.run.state() == "error"


def test_max_errors_stops_the_sweep(fn):
    task = mlrun.new_task("flaky").with_hyper_params({"p": [1, 3, 5, 7, 9, 2]}, max_errors=3)
    with pytest.raises(mlrun.errors.MLRunRuntimeError, match="3 of 3 iterations failed") as info:
        fn.run(task, local=True)
    assert len(info.value.run["status"]["iterations"]) == 1 + 3, "the later children never ran"
