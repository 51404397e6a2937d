"""Ported from MLRun's mlrun/lists.py ``RunList.compare(hide_identical=True, exclude=None, show=None,
extend_iterations=True, filename=None, colorscale=None)`` and mlrun/frameworks/parallel_coordinates.py
``compare_run_objects(runs_list, ...)`` (its docstring's examples: two runs compared into ``comp.html``, a
hyper-parameter run compared with ``hide_identical=False``), with only the import changed.

runlab differs on purpose in what they return: MLRun returns the plot's HTML (plotly) when it does not
show it; runlab returns its comparison (``.html()`` is the table's HTML, ``.to_df()`` the values), and the
charts are Vega-Lite, drawn by JupyterLab itself.
"""

from __future__ import annotations

import pytest

import runlab as mlrun

CODE = '''
def handler(context, p1=1, p2=1):
    context.log_result("accuracy", p1 * p2)
    context.log_result("loss", 1 / (p1 + p2))
'''


@pytest.fixture
def fn(write_file):
    path = write_file("code.py", CODE)
    return mlrun.code_to_function("myfunc", filename=str(path), kind="job", handler="handler")


def test_compare_run_objects_two_runs_to_a_file(fn, tmp_path):
    r1 = fn.run(name="r1", params={"p1": 2, "p2": 3}, local=True)
    r2 = fn.run(name="r2", params={"p1": 3, "p2": 5}, local=True)
    comparison = mlrun.compare_run_objects([r1, r2], filename=str(tmp_path / "comp.html"))
    page = (tmp_path / "comp.html").read_text()
    assert page.startswith("<!doctype html>") and "param.p1" in page and "vega-lite" in page
    assert comparison.values("result.accuracy") == [6, 15]
    assert comparison.best("result.accuracy") == [1] and comparison.best("result.loss") == [1]


def test_compare_run_objects_of_a_hyper_param_run(fn):
    task = mlrun.new_task("r1").with_hyper_params({"p1": [1, 5, 3]}, selector="max.accuracy")
    run = fn.run(task, local=True)
    comparison = mlrun.compare_run_objects(run, hide_identical=False, show=False)
    assert [r.metadata.iteration for r in comparison.runs] == [1, 2, 3]
    assert "label.kind" in comparison.shown_fields(), "hide_identical=False keeps the identical fields"
    assert comparison.best("result.accuracy") == [1]


def test_runlist_compare_keywords(fn, tmp_path):
    for p1 in (1, 2, 3):
        fn.run(name="r", params={"p1": p1, "p2": 7}, local=True)
    runs = mlrun.get_run_db().list_runs(name="r")
    hidden = runs.compare(show=False)
    assert "param.p2" not in hidden.shown_fields() and "param.p1" in hidden.shown_fields()
    axes = hidden.charts()[0]["encoding"]["x"]["sort"]
    assert "p2" not in axes and "p1" in axes, "hide_identical hides constant axes"
    assert "param.p2" in runs.compare(hide_identical=False, show=False).shown_fields()
    assert "param.p1" not in runs.compare(exclude=["p1"], show=False).fields, "exclude takes param names"
    chart = runs.compare(colorscale="Viridis", show=False).charts()[0]
    assert chart["layer"][0]["encoding"]["color"]["scale"]["scheme"] == "viridis"
    jet = runs.compare(colorscale="Jet", show=False).charts()[0]
    assert jet["layer"][0]["encoding"]["color"]["scale"]["scheme"] == "tableau10", "no Vega scheme: default"
    runs.compare(show=False, filename=str(tmp_path / "out" / "runs.html"))
    assert (tmp_path / "out" / "runs.html").exists(), "the folder is made, as MLRun does"


def test_runlist_compare_extend_iterations(fn):
    task = mlrun.new_task("sweep").with_hyper_params({"p1": [1, 2]}, selector="max.accuracy")
    fn.run(task, local=True)
    fn.run(name="single", params={"p1": 9}, local=True)
    runs = mlrun.get_run_db().list_runs()
    assert len(runs.compare(show=False).runs) == 3, "the sweep's 2 iterations and the single run"
    assert len(runs.compare(extend_iterations=False, show=False).runs) == 2


def test_show_none_displays_only_in_a_notebook(fn, capsys):
    r1 = fn.run(name="r1", params={"p1": 1}, local=True)
    r2 = fn.run(name="r2", params={"p1": 2}, local=True)
    mlrun.compare_run_objects([r1, r2])
    assert capsys.readouterr().out == "", "show=None outside a notebook: returned, not printed"
    mlrun.compare_run_objects([r1, r2], show=True)
    assert "param.p1" in capsys.readouterr().out
