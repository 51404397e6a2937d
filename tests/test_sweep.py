"""Hyper-parameter runs: a parent and its child iterations, recorded and selected."""

from __future__ import annotations

import json

import pytest

import runlab
from runlab.store import get_store

HANDLERS = """
    def product(context, p2, p3):
        context.log_result("r1", p2 * p3)
        context.log_artifact("model", body=f"model {p2}x{p3}")

    def timed(context, p, wait=0.5):
        import time
        context.log_result("began", time.time())
        time.sleep(wait)
        context.log_result("ended", time.time())
        context.log_result("p", p)

    def flaky(context, p):
        if p % 2:
            raise ValueError(f"odd {p}")
        context.log_result("score", p)
"""


@pytest.fixture
def sweeps(write_file, tmp_path):
    write_file("handlers.py", HANDLERS)
    project = runlab.get_or_create_project("sweeps", context=str(tmp_path))
    project.set_function("handlers.py", name="fn", kind="local", handler="product")
    return project


def test_grid_order_results_and_best_pick(sweeps):
    run = sweeps.run_function("fn", hyperparams={"p2": [2, 1, 3], "p3": [10, 20]}, selector="max.r1")
    assert run.state() == "completed"
    table = run.status.iterations
    assert [row["output.r1"] for row in table] == [20, 10, 30, 40, 20, 60]
    assert [row["iter"] for row in table] == [1, 2, 3, 4, 5, 6]
    assert run.status.results == {"best_iteration": 6, "r1": 60}
    assert run.artifact("model").get() == b"model 3x20", "the best child's artifact, from the parent"
    assert run.artifact("iteration_results").as_df()["output.r1"].tolist() == [20, 10, 30, 40, 20, 60]
    children = sweeps.list_runs(iter=True)
    assert sorted(r.metadata.iteration for r in children) == [0, 1, 2, 3, 4, 5, 6]
    assert {r.uid() for r in children} == {run.uid()}
    sixth = runlab.get_run(run.uid(), 6)
    assert (sixth.spec.parameters, sixth.status.results) == ({"p2": 3, "p3": 20}, {"r1": 60})


def test_min_selector_and_options_object(sweeps):
    options = runlab.HyperParamOptions(strategy="list", selector="min.r1")
    run = sweeps.run_function("fn", hyperparams={"p2": [5, -1, 2], "p3": [1, 1, 0]}, hyper_param_options=options)
    assert run.status.results == {"best_iteration": 2, "r1": -1}


def test_stop_condition_ends_the_sweep_early(sweeps):
    run = sweeps.run_function("fn", hyperparams={"p2": [1, 2, 3, 4], "p3": [10]},
                              hyper_param_options={"stop_condition": "r1 >= 20"}, selector="max.r1")
    assert [row["iter"] for row in run.status.iterations] == [1, 2]
    assert run.status.stopped == "stop_condition 'r1 >= 20' met at iteration 2"


def test_failed_children_stay_inspectable_and_max_errors_stops(sweeps):
    run = sweeps.run_function("fn", handler="flaky", hyperparams={"p": [0, 1, 2, 3, 4]}, selector="max.score")
    assert run.state() == "completed"
    assert [row["state"] for row in run.status.iterations] == ["completed", "error", "completed", "error",
                                                                "completed"]
    assert run.status.results == {"best_iteration": 5, "score": 4}
    assert runlab.get_run(run.uid(), 2).error == "ValueError: odd 1"
    with pytest.raises(runlab.RunError, match="2 of 4 iterations failed") as info:
        sweeps.run_function("fn", handler="flaky", hyperparams={"p": [0, 1, 2, 3, 4, 5]},
                            hyper_param_options={"max_errors": 2})
    assert len(info.value.run.status.iterations) == 4


def test_task_with_hyper_params_and_param_files(sweeps, tmp_path):
    task = runlab.new_task().with_hyper_params({"p2": [1, 2], "p3": [3]}, selector="max.r1", strategy="grid")
    assert sweeps.run_function("fn", base_task=task).status.results["best_iteration"] == 2
    (tmp_path / "space.csv").write_text("p2,p3\n1,5\n4,5\n2,5\n")
    run = sweeps.run_function("fn", base_task=runlab.new_task().with_param_file(str(tmp_path / "space.csv"),
                                                                                   selector="max.r1"))
    assert [row["output.r1"] for row in run.status.iterations] == [5, 20, 10]
    (tmp_path / "space.json").write_text(json.dumps({"p2": [1, 2], "p3": [1, 10]}))
    run = sweeps.run_function("fn", base_task=runlab.new_task().with_param_file(str(tmp_path / "space.json")))
    assert [row["output.r1"] for row in run.status.iterations] == [1, 2, 10, 20]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"hyperparams": {"p2": [1, 2], "p3": [1]}, "hyper_param_options": {"strategy": "list"}}, "one length"),
        ({"hyperparams": {"p2": [1]}, "hyper_param_options": {"max_iterations": 3}}, "random"),
        ({"hyperparams": {}, "selector": "max.r1"}, "empty"),
        ({"hyperparams": {"p2": [1], "p3": [1]}, "hyper_param_options": {"stop_condition": "import os"}},
         "not a valid expression"),
        ({"hyperparams": {"p2": [1], "p3": [1]}, "selector": "best.r1"}, "invalid selector"),
    ],
)
def test_bad_sweeps_fail_before_any_child_runs(sweeps, kwargs, match):
    with pytest.raises(runlab.ValidationError, match=match):
        sweeps.run_function("fn", **kwargs)
    assert sweeps.list_runs(iter=True) == []


def test_csv_param_file_with_grid_and_both_sources_are_refused(sweeps, tmp_path):
    (tmp_path / "space.csv").write_text("p2,p3\n1,5\n")
    task = runlab.new_task().with_param_file(str(tmp_path / "space.csv"), strategy="grid")
    with pytest.raises(runlab.ValidationError, match="CSV"):
        sweeps.run_function("fn", base_task=task)
    task.with_hyper_params({"p2": [1]})
    with pytest.raises(runlab.ValidationError, match="not both"):
        sweeps.run_function("fn", base_task=task)
    assert sweeps.list_runs(iter=True) == []


def test_selector_naming_an_unproduced_result_fails_the_parent_with_the_list(sweeps):
    with pytest.raises(runlab.RunError, match=r"no iteration produced a numeric result 'acc' \(results produced: r1\)"):
        sweeps.run_function("fn", hyperparams={"p2": [1], "p3": [2]}, selector="max.acc")


@pytest.mark.slow
def test_job_children_run_in_their_own_processes(sweeps):
    sweeps.set_function("handlers.py", name="jobfn", kind="job", handler="product")
    run = sweeps.run_function("jobfn", hyperparams={"p2": [1, 2], "p3": [3]}, selector="max.r1")
    assert run.status.results == {"best_iteration": 2, "r1": 6}
    assert get_store().get_run(run.uid(), 1).owner.runtime == "job"
    assert run.artifact("model").get() == b"model 2x3"


@pytest.mark.slow
def test_parallel_runs_run_children_side_by_side(sweeps):
    run = sweeps.run_function("fn", handler="timed", hyperparams={"p": [1, 2, 3, 4]},
                              hyper_param_options={"parallel_runs": 2}, selector="max.p")
    rows = run.status.iterations
    assert [r["iter"] for r in rows] == [1, 2, 3, 4] and {r["state"] for r in rows} == {"completed"}
    spans = [(r["output.began"], r["output.ended"]) for r in rows]
    most = max(sum(1 for s, e in spans if s <= began < e) for began, _ in spans)
    assert most == 2, "two children at a time, never more"
    assert run.status.results["best_iteration"] == 4
    assert get_store().get_run(run.uid(), 1).owner.runtime == "job", "in-process functions fan out as jobs"


def test_custom_strategy_handler_makes_its_children(sweeps, write_file):
    write_file("custom.py", """
        def search(context, start=1):
            for i, lr in enumerate([0.1, 0.01, 0.001], start=1):
                child = context.get_child_context(lr=lr)
                child.log_result("loss", abs(lr - 0.01))
                if lr == 0.01:
                    child.mark_as_best()
            return "searched"
    """)
    sweeps.set_function("custom.py", name="custom", kind="local", handler="search")
    run = sweeps.run_function("custom", hyper_param_options={"strategy": "custom"})
    assert run.status.results == {"return": "searched", "best_iteration": 2, "loss": 0.0}
    assert [r["param.lr"] for r in run.status.iterations] == [0.1, 0.01, 0.001]
    child = runlab.get_run(run.uid(), 3)
    assert (child.state(), child.spec.parameters) == ("completed", {"lr": 0.001})


def test_custom_strategy_uses_the_selector_without_mark_as_best(sweeps, write_file):
    write_file("custom2.py", """
        def search(context):
            for x in (3, -2, 5):
                context.get_child_context(x=x).log_result("y", x * x)
    """)
    sweeps.set_function("custom2.py", name="custom2", kind="local", handler="search")
    run = sweeps.run_function("custom2", hyper_param_options={"strategy": "custom"}, selector="min.y")
    assert run.status.results == {"best_iteration": 2, "y": 4}


def test_sweep_plot_is_a_png_artifact(sweeps):
    run = sweeps.run_function("fn", hyperparams={"p2": [1, 2, 3], "p3": [1, 2]}, selector="max.r1")
    plot = run.artifact("sweep_plot")
    assert plot.kind == "plot"
    assert plot.get()[:8] == b"\x89PNG\r\n\x1a\n"


def test_show_has_the_iteration_table_with_the_best_marked(sweeps):
    run = sweeps.run_function("fn", hyperparams={"p2": [1, 2], "p3": [1], "note": ["<b>x</b>"]}, selector="max.r1")
    html = run._repr_html_()
    assert 'title="best iteration"' in html and "2 ★" in html
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html


def test_a_selector_over_text_results_says_so(sweeps, write_file):
    write_file("text.py", "def label(context, n):\n    context.log_result('r1', 'x' * n)\n")
    sweeps.set_function("text.py", name="text", kind="local", handler="label")
    with pytest.raises(runlab.RunError, match="'r1' is not a number in any iteration"):
        sweeps.run_function("text", hyperparams={"n": [1, 2]}, selector="max.r1")


def test_stop_condition_naming_nothing_produced_ends_the_parent_with_the_reason(sweeps):
    with pytest.raises(runlab.RunError, match="names accuracy, which the iteration did not produce") as info:
        sweeps.run_function("fn", hyperparams={"p2": [1, 2, 3], "p3": [1]},
                            hyper_param_options={"stop_condition": "accuracy > 0.9"})
    assert info.value.run.state() == "error"
    assert len(info.value.run.status.iterations) == 1


def test_an_interrupted_sweep_ends_its_parent(sweeps, write_file):
    write_file("stop.py", "def halt(context, n):\n    if n == 2:\n        raise KeyboardInterrupt\n")
    sweeps.set_function("stop.py", name="stop", kind="local", handler="halt")
    with pytest.raises(KeyboardInterrupt):
        sweeps.run_function("stop", hyperparams={"n": [1, 2, 3]})
    runs = {r.metadata.iteration: r for r in sweeps.list_runs(iter=True)}
    assert {i: (r.state(), r.error) for i, r in runs.items()} == {
        0: ("aborted", "the sweep stopped: KeyboardInterrupt"),
        1: ("completed", None),
        2: ("aborted", "interrupted (KeyboardInterrupt)"),
    }, "the third iteration never ran"


@pytest.mark.slow
def test_watch_false_sweep_of_jobs_returns_at_once(sweeps):
    sweeps.set_function("handlers.py", name="jobfn2", kind="job", handler="timed")
    run = sweeps.run_function("jobfn2", hyperparams={"p": [1, 2]}, selector="max.p", watch=False)
    assert run.state() == "running"
    run.wait_for_completion(timeout=60)
    assert run.status.results["best_iteration"] == 2


def test_a_childs_spec_is_its_own_copy_of_the_template():
    from runlab.record import RunRecord, RunState

    def spec():
        return {"parameters": {"b": 2, "nested": {"k": [1, 2]}}, "inputs": {"data": "x.csv"}, "outputs": ["m"]}

    parent = RunRecord(uid="u" * 32, iteration=0, project="p", name="n", kind="local", state=RunState.RUNNING,
                       labels={"a": "1"}, spec=spec(), start_time=1.0, last_update=1.0)
    child = parent.child(1, {"a": 5})
    child.spec["parameters"]["nested"]["k"].append(3)
    child.spec["inputs"]["more"] = "y.csv"
    child.spec["outputs"].append("n")
    child.labels["c"] = "2"
    assert child.spec["parameters"] == {"b": 2, "nested": {"k": [1, 2, 3]}, "a": 5}
    assert parent.spec == spec() and parent.labels == {"a": "1"}, "the template is untouched"


# -- the sweep's chart (Vega-Lite) and its PNG plot ------------------------------------------------------

MARKS = ["point", "line", "text", "circle", "square", "tick", "bar", "area", "rule"]
TYPES = ["quantitative", "ordinal", "nominal", "temporal"]
CHANNEL = {"type": "object", "required": ["field", "type"], "properties": {
    "field": {"type": "string"}, "type": {"enum": TYPES}, "title": {"type": "string"}}}
VEGA_LITE_LAYERED = {  # what Vega-Lite 5's schema asks of a layered spec with inline data (the parts used here)
    "type": "object",
    "required": ["$schema", "data", "layer"],
    "properties": {
        "$schema": {"type": "string", "pattern": r"^https://vega\.github\.io/schema/vega-lite/v5(\.\d+)*\.json$"},
        "title": {"type": "string"}, "width": {"type": "number"}, "height": {"type": "number"},
        "data": {"type": "object", "required": ["values"], "additionalProperties": False,
                 "properties": {"values": {"type": "array", "items": {"type": "object"}}}},
        "layer": {"type": "array", "minItems": 1, "items": {
            "type": "object", "required": ["mark", "encoding"], "additionalProperties": False,
            "properties": {
                "mark": {"type": "object", "required": ["type"], "properties": {"type": {"enum": MARKS}}},
                "transform": {"type": "array", "items": {"type": "object", "required": ["filter"]}},
                "encoding": {"type": "object", "additionalProperties": False, "properties": {
                    "x": CHANNEL, "y": CHANNEL, "color": CHANNEL,
                    "tooltip": {"type": "array", "items": CHANNEL},
                    "text": {"type": "object", "required": ["value"]}}},
            }}},
    },
}


def _unescaped(field: str) -> str:
    """A Vega-Lite field name back to the data's key (``\\.`` is a literal dot)."""
    out, escaped = [], False
    for ch in field:
        if escaped or ch != "\\":
            out.append(ch)
            escaped = False
        else:
            escaped = True
    return "".join(out)


def _checked(spec: dict) -> dict:
    """The spec as the renderer gets it: valid against the layered Vega-Lite schema above, plain JSON (no NaN),
    and every field it draws is a key of its data."""
    import jsonschema

    jsonschema.validate(spec, VEGA_LITE_LAYERED)
    spec = json.loads(json.dumps(spec, allow_nan=False))
    keys = {k for row in spec["data"]["values"] for k in row}
    for layer in spec["layer"]:
        encoding = layer["encoding"]
        for channel in [encoding.get(c) for c in ("x", "y", "color")] + encoding.get("tooltip", []):
            if channel is not None:
                assert _unescaped(channel["field"]) in keys, channel
    return spec


def test_the_sweep_chart_draws_the_result_over_both_swept_params(sweeps):
    from runlab.charts import VEGA_LITE_MIME, sweep_chart

    run = sweeps.run_function("fn", hyperparams={"p2": [1, 2, 3], "p3": [10, 20]}, selector="max.r1")
    spec = _checked(sweep_chart(run.status.iterations, "max.r1", run.status.best_iteration,
                                list(run.spec.hyperparams)))
    assert VEGA_LITE_MIME == "application/vnd.vegalite.v5+json"
    assert len(spec["data"]["values"]) == 6
    assert {row["param.p2"] for row in spec["data"]["values"]} == {1, 2, 3}
    line, points, ring, label = spec["layer"]
    assert (line["mark"]["type"], points["mark"]["type"], label["mark"]["type"]) == ("line", "point", "text")
    encoding = points["encoding"]
    assert (encoding["x"]["field"], encoding["x"]["title"], encoding["x"]["type"]) == ("param\\.p2", "p2",
                                                                                       "quantitative")
    assert (encoding["y"]["field"], encoding["y"]["title"]) == ("output\\.r1", "r1 (max)")
    assert (encoding["color"]["field"], encoding["color"]["title"]) == ("param\\.p3", "p3")
    assert [t["title"] for t in encoding["tooltip"]] == ["iteration", "p2", "p3", "r1"]
    assert run.status.best_iteration == 6
    assert ring["transform"] == label["transform"] == [{"filter": "datum.iter === 6"}]
    assert label["encoding"]["text"] == {"value": "best #6"}
    assert "r1 (max) by p2 and p3" in spec["title"]


def test_a_chart_without_a_second_param_or_a_varying_one(sweeps):
    from runlab.charts import sweep_chart

    one = sweeps.run_function("fn", hyperparams={"p2": [1, 2, 3], "p3": [5]}, selector="min.r1")
    spec = _checked(sweep_chart(one.status.iterations, "min.r1", one.status.best_iteration))
    assert "color" not in spec["layer"][1]["encoding"]
    assert spec["layer"][1]["encoding"]["x"]["title"] == "p2"  # p3 does not vary: it is not an axis
    assert spec["layer"][1]["encoding"]["y"]["title"] == "r1 (min)"
    listed = [{"state": "completed", "iter": i, "param.p": 1, "output.score": s} for i, s in ((1, 0.5), (2, 0.7))]
    spec = _checked(sweep_chart(listed))  # no selector: the first numeric result, over the iterations
    assert [spec["layer"][0]["encoding"][c]["title"] for c in ("x", "y")] == ["iteration", "score"]
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["point"]  # no best: no ring, no line


def test_chart_values_names_and_what_cannot_be_drawn():
    from runlab.charts import sweep_chart

    rows = [{"state": "completed", "iter": 1, "param.opt.name": "adam", "param.lr": 0.1, "output.loss": float("nan")},
            {"state": "completed", "iter": 2, "param.opt.name": "sgd", "param.lr": 0.2, "output.loss": 0.3},
            {"state": "error", "iter": 3, "param.opt.name": "sgd", "param.lr": 0.3}]
    spec = _checked(sweep_chart(rows, "min.loss", 2, ["opt.name", "lr"]))
    assert [row["iter"] for row in spec["data"]["values"]] == [1, 2]  # only iterations that completed
    assert spec["data"]["values"][0]["output.loss"] is None  # NaN is not JSON
    x = spec["layer"][1]["encoding"]["x"]
    assert (x["field"], x["title"], x["type"]) == ("param\\.opt\\.name", "opt.name", "ordinal")
    assert sweep_chart(rows, "max.accuracy", None) is None  # a selector over a result nobody logged
    assert sweep_chart(rows[2:], "min.loss", None) is None  # nothing completed
    assert sweep_chart([], "", None) is None


def test_the_sweep_plot_png_has_labelled_axes_and_its_legend_off_the_lines():
    import pandas as pd

    from runlab.sweepplot import sweep_plot

    rows = [{"state": "completed", "iter": i, "param.lr": lr, "param.batch": b, "output.accuracy": lr * b}
            for i, (lr, b) in enumerate(((0.1, 8), (0.2, 8), (0.1, 16), (0.2, 16)), start=1)]
    figure = sweep_plot(pd.DataFrame(rows), "max.accuracy", 4)
    axes = figure.axes[0]
    texts = {t.get_text() for t in axes.texts}
    assert {"0.1", "0.2", "8", "16", "0.8", "3.2"} <= texts  # each axis with its real lowest and highest value
    assert [t.get_text() for t in axes.get_yticklabels()] == []  # no more bare "min"/"max"
    assert axes.get_xlabel() and figure.axes[1].get_ylabel() == "line colour: accuracy"
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(figure).get_renderer()
    figure.draw(renderer)
    legend = axes.get_legend().get_window_extent(renderer)
    assert not legend.overlaps(axes.get_window_extent(renderer))
