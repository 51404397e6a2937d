"""Comparing runs: which fields differ, which run is best, the table, the charts and artifacts side by side."""

from __future__ import annotations

import html
import json
import re
from typing import Any

import pytest

import runlab
from runlab.charts import MAX_PARALLEL_AXES, VEGA_LITE_MIME, compare_parallel_chart, vega_scheme
from runlab.compare import RunComparison, direction
from runlab.errors import RunNotFoundError, ValidationError

HANDLERS = """
    import base64

    import pandas as pd

    PNG = base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")

    def fit(context, **params):
        for key, value in params.pop("results", {}).items():
            context.log_result(key, value)

    def report(context, shade=0, image=True, table=True, page=True):
        if image:
            context.log_artifact("plot", body=PNG, local_path="plot.png")
        if table:
            context.log_dataset("table", pd.DataFrame({"x": [shade, shade + 1], "y": ["a", "b"]}))
        if page:
            context.log_artifact("page", body=f"<h1>shade {shade}</h1><script>alert(1)</script>", format="html")
"""


@pytest.fixture
def lab(write_file, tmp_path):
    write_file("handlers.py", HANDLERS)
    project = runlab.get_or_create_project("cmp", context=str(tmp_path))
    project.set_function("handlers.py", name="fit", kind="local", handler="fit")
    project.set_function("handlers.py", name="report", kind="local", handler="report")
    return project


def fit(lab, name="fit", **params):
    return lab.run_function("fit", name=name, params=params)


# -- which fields, which differ --------------------------------------------------------------------------


def test_two_runs_differing_in_one_of_117_params_show_exactly_one_row(lab):
    base = {f"p{i:03d}": i for i in range(117)}
    first = fit(lab, **base)
    second = fit(lab, **{**base, "p042": "changed"})
    comparison = runlab.compare_runs([first, second])
    params = [f for f in comparison.fields if f.startswith("param.")]
    assert len(params) == 117
    assert [f for f in comparison.fields if comparison.differs(f)] == ["param.p042"]
    page = comparison.html()
    shown, _, hidden = page.partition("<details>")
    assert _row_fields(shown) == ["param.p042"], "by default only the differing row"
    total = len(comparison.fields)
    assert total >= 119, "state, duration, 117 params and the runs' default labels"
    assert f"All {total} fields" in hidden
    assert _row_fields(hidden) == comparison.fields
    assert _row_fields(comparison.html(all=True).partition("<details>")[0]) == comparison.fields
    frame = comparison.to_df(only_differences=True)
    assert list(frame.index) == ["param.p042"]
    assert frame.iloc[0].tolist() == [42, "changed"]


def test_fields_are_ordered_by_group_then_name_and_values_are_as_stored(lab):
    one = lab.run_function("fit", params={"b": 1, "a": [1, 2], "results": {"acc": 0.5}}, labels={"team": "x"},
                           inputs={"data": __file__})
    two = lab.run_function("fit", params={"a": [1, 2], "results": {"acc": 0.7, "loss": 0.1}})
    comparison = runlab.compare_runs([one, two])
    assert comparison.fields[:2] == ["state", "duration"]
    rest = comparison.fields[2:]
    assert rest[:4] == ["param.a", "param.b", "param.results", "result.acc"]
    assert rest.index("result.loss") < rest.index("label.team") < rest.index("input.data")
    assert comparison.values("param.b") == [1, None]
    assert comparison.differs("param.b") and not comparison.differs("param.a")
    assert comparison.values("state") == ["completed", "completed"] and not comparison.differs("state")
    assert all(isinstance(v, float) and v >= 0 for v in comparison.values("duration"))
    frame = comparison.to_df()
    assert frame.shape == (len(comparison.fields), 2)
    assert list(frame.columns) == [f"fit@{one.uid()[:8]}", f"fit@{two.uid()[:8]}"]
    assert frame.loc["param.a"].tolist() == [[1, 2], [1, 2]]
    assert frame.loc["label.team"].tolist() == ["x", None]


def test_artifacts_differ_by_content_not_by_uri(lab):
    lab.set_function("handlers.py", name="report", kind="local", handler="report")
    same = [lab.run_function("report", params={"shade": 1, "image": False, "page": False}) for _ in range(2)]
    other = lab.run_function("report", params={"shade": 2, "image": False, "page": False})
    comparison = runlab.compare_runs([*same, other])
    uris = comparison.values("artifact.table")
    assert len(set(uris)) == 3 and all(u.startswith("store://") for u in uris)
    assert comparison.differs_from_first("artifact.table") == [False, False, True]
    assert not runlab.compare_runs(same).differs("artifact.table")


# -- best values -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("key", "order"), [
    ("accuracy", "max"), ("f1", "max"), ("val_loss", "min"), ("logloss", "min"), ("error_rate", "min"),
    ("test.err", "min"), ("rmse", "min"), ("MAE", "min"), ("p99_latency", "min"), ("train_time", "min"),
    ("timestamp", "max"), ("merit", "max"), ("score", "max"),
])
def test_direction_rule(key, order):
    assert direction(key) == order


def test_best_marks_max_min_ties_non_numeric_and_missing(lab):
    runs = [
        fit(lab, results={"acc": 0.9, "loss": 0.3, "tag": "a", "odd": 1, "flag": True}),
        fit(lab, results={"acc": 0.9, "loss": 0.1, "tag": "b", "flag": False}),
        fit(lab, results={"acc": 0.5, "loss": 0.1, "tag": "c", "odd": "x"}),
        fit(lab, results={"loss": 0.2}),
    ]
    comparison = runlab.compare_runs(runs)
    assert comparison.best("result.acc") == [0, 1], "a tie: both, the run without the result never"
    assert comparison.best("result.loss") == [1, 2], "lower is better for a loss"
    assert comparison.direction("result.loss") == "min" and comparison.direction("result.acc") == "max"
    assert comparison.best("result.tag") == [] and comparison.best("result.odd") == []
    assert comparison.best("result.flag") == [], "booleans are not numbers"
    assert comparison.best("param.results") == [] and comparison.direction("state") is None
    data = comparison.to_dict()
    row = next(r for r in data["rows"] if r["field"] == "result.loss")
    assert row == {"field": "result.loss", "values": [0.3, 0.1, 0.1, 0.2], "differs": True, "best": [1, 2],
                   "direction": "min"}
    json.dumps(data, allow_nan=False)
    page = comparison.html()
    loss_row = _row(page, "result.loss")
    assert loss_row.count("★") == 2 and 'title="best result.loss: the lowest of the compared runs"' in loss_row
    with pytest.raises(ValidationError, match=r"no field 'result.nope'"):
        comparison.best("result.nope")


def test_table_rounds_numbers_keeps_the_full_value_and_escapes_text(lab):
    one = fit(lab, x=0.123456789, note="<b>bold</b>")
    two = fit(lab, x=0.2, note="plain")
    page = runlab.compare_runs([one, two]).html()
    x_row = _row(page, "param.x")
    assert ">0.1235<" in x_row and 'title="0.123456789"' in x_row
    assert "<b>bold</b>" not in page and "&lt;b&gt;bold&lt;/b&gt;" in page
    assert 'class="diff"' in x_row and x_row.count('class="diff"') == 1, "the first run is the reference"
    assert one.uid()[:8] in page and "completed" in page
    assert "background:#fff" not in page and "background:white" not in page


# -- inputs, sweeps, errors ------------------------------------------------------------------------------


def test_uids_prefixes_pairs_and_runlists(lab):
    one, two = fit(lab, a=1), fit(lab, a=2)
    by_prefix = runlab.compare_runs([one.uid()[:6], (two.uid(), 0)])
    assert [r.uid() for r in by_prefix.runs] == [one.uid(), two.uid()]
    listed = lab.list_runs(name="fit")
    comparison = listed.compare(show=False)
    assert isinstance(comparison, RunComparison)
    assert {r.uid() for r in comparison.runs} == {one.uid(), two.uid()}


def test_a_sweep_parent_stands_for_its_children(lab):
    parent = lab.run_function("fit", hyperparams={"lr": [0.1, 0.2, 0.3]}, params={"results": {"acc": 1}})
    comparison = runlab.compare_runs(parent)
    assert [r.metadata.iteration for r in comparison.runs] == [1, 2, 3]
    assert comparison.labels() == [f"fit@{parent.uid()[:8]}#{i}" for i in (1, 2, 3)]
    assert [f for f in comparison.fields if comparison.differs(f)] == ["param.lr"]
    assert [r.metadata.iteration for r in parent.compare(show=False).runs] == [1, 2, 3]
    other = fit(lab, lr=0.4)
    both = runlab.compare_runs([parent, other], extend_iterations=False)
    assert [r.metadata.iteration for r in both.runs] == [0, 0]
    assert len(runlab.compare_runs([parent, other]).runs) == 4


def test_bad_inputs_name_the_problem_and_the_fix(lab, tmp_path):
    one, two = fit(lab, a=1), fit(lab, a=2)
    with pytest.raises(ValidationError, match="at least 2 runs, got 1"):
        runlab.compare_runs([one])
    with pytest.raises(ValidationError, match="at least 2 runs, got 0"):
        runlab.compare_runs([])
    with pytest.raises(RunNotFoundError, match="matches no run"):
        runlab.compare_runs([one, "ffffffffff"])
    with pytest.raises(RunNotFoundError, match="at least 6"):
        runlab.compare_runs([one, two.uid()[:4]])
    with pytest.raises(RunNotFoundError, match="not in the store"):
        runlab.compare_runs([one, (two.uid(), 7)])
    with pytest.raises(ValidationError, match="given twice"):
        runlab.compare_runs([one, one.uid()])
    with pytest.raises(ValidationError, match="cannot compare int"):
        runlab.compare_runs([one, 5])
    with pytest.raises(ValidationError, match="not dict"):
        runlab.compare_runs({"a": 1})
    with pytest.raises(ValidationError, match="exclude must be a list"):
        runlab.compare_runs([one, two], exclude="a")
    from runlab.store import get_store

    other = get_store(f"sqlite:///{tmp_path / 'other.db'}")
    with pytest.raises(ValidationError, match="another store"):
        runlab.compare_runs([one, two], store=other)


def test_ambiguous_prefix(lab, monkeypatch):
    one, two = fit(lab, a=1), fit(lab, a=2)
    store = runlab.run.get_store()
    monkeypatch.setattr(type(store), "find_runs_by_uid_prefix", lambda self, prefix, limit=2: [one.uid(), two.uid()])
    with pytest.raises(RunNotFoundError, match="matches several runs: give more characters"):
        runlab.compare_runs([one.uid()[:6], two])


# -- charts ----------------------------------------------------------------------------------------------


def test_charts_are_vega_lite_v5_over_fields_in_their_data(lab):
    runs = [fit(lab, lr=lr, opt=opt, fixed=1, results={"acc": acc, "loss": 1 - acc})
            for lr, opt, acc in ((0.1, "adam", 0.7), (0.2, "sgd", 0.8), (0.3, "adam", 0.75))]
    comparison = runlab.compare_runs(runs)
    bundles = comparison.bundles()
    assert "text/html" in bundles[0] and "text/plain" in bundles[0]
    specs = [b[VEGA_LITE_MIME] for b in bundles[1:]]
    assert len(specs) == 2 and all("text/plain" in b for b in bundles[1:])
    for spec in specs:
        assert spec["$schema"] == "https://vega.github.io/schema/vega-lite/v5.json"
        assert "background" not in spec and "config" not in spec, "the theme's colours"
        _check_fields(spec)
    parallel, scatter = specs
    axes = parallel["layer"][0]["encoding"]
    assert parallel["encoding"]["x"]["sort"] == ["lr", "opt", "acc ▸", "loss ▸"], "params, then results"
    assert "fixed" not in {row["axis"] for row in parallel["data"]["values"]}, "constant axes hidden"
    assert {t["field"] for t in axes["tooltip"]} >= {"run", "uid", "value"}
    positions = {(r["run"], r["axis"]): r["position"] for r in parallel["data"]["values"]}
    labels = comparison.labels()
    assert [positions[(label, "lr")] for label in labels] == [0.0, pytest.approx(0.5), 1.0]
    assert [positions[(label, "opt")] for label in labels] == [0.0, 1.0, 0.0]
    pickers = {p["name"]: p for p in scatter["params"]}
    assert pickers["x_field"]["bind"]["input"] == "select" and pickers["x_field"]["value"] == "param.lr"
    assert pickers["y_field"]["value"] == "result.acc"
    assert pickers["x_field"]["bind"]["options"] == ["param.lr", "result.acc", "result.loss"], "what varies"
    assert {t["field"] for t in scatter["encoding"]["tooltip"]} >= {"run", "uid"}
    everything = runlab.compare_runs(runs, hide_identical=False).charts()
    assert "fixed" in everything[0]["encoding"]["x"]["sort"]
    assert everything[1]["params"][0]["bind"]["options"] == ["duration", "param.fixed", "param.lr", "result.acc",
                                                              "result.loss"]


def test_parallel_coordinates_of_many_params_keep_every_result_and_say_what_they_leave_out():
    runs = [{"run": f"r{i}", "uid": f"u{i}", **{f"param.p{n:03d}": i * n for n in range(200)},
             "result.acc": i / 10, "result.loss": 1 - i / 10} for i in range(3)]
    axes = [f"param.p{n:03d}" for n in range(200)] + ["result.acc", "result.loss"]
    spec = compare_parallel_chart(runs, axes)
    drawn = spec["encoding"]["x"]["sort"]
    assert len(drawn) == MAX_PARALLEL_AXES and drawn[-2:] == ["acc ▸", "loss ▸"], "every result, after the params"
    assert drawn[:-2] == [f"p{n:03d}" for n in range(MAX_PARALLEL_AXES - 2)], "the first params fill the room"
    assert spec["title"] == f"3 runs: params → results (the first {MAX_PARALLEL_AXES - 2} of 200 params)"
    assert {row["axis"] for row in spec["data"]["values"]} == set(drawn)
    few = compare_parallel_chart(runs, [*axes[1:4], "result.acc"])
    assert few["title"] == "3 runs: params → results" and len(few["encoding"]["x"]["sort"]) == 4


def test_colour_scheme_names():
    assert vega_scheme("Viridis") == "viridis" and vega_scheme("RdBu") == "redblue"
    assert vega_scheme("Blues") == "blues" and vega_scheme("Jet") is None and vega_scheme(None) is None


def test_sweep_children_chart(lab):
    parent = lab.run_function("fit", hyperparams={"lr": [0.1, 0.2], "k": [1, 2]}, params={"results": {"acc": 1}})
    specs = parent.compare(show=False, colorscale="Blues").charts()
    assert specs[0]["layer"][0]["encoding"]["color"]["scale"]["scheme"] == "blues"
    assert len({row["run"] for row in specs[0]["data"]["values"]}) == 4


# -- artifacts side by side ------------------------------------------------------------------------------


def test_show_artifact_images_datasets_html_and_missing(lab, capsys):
    full = lab.run_function("report", params={"shade": 1})
    bare = lab.run_function("report", params={"shade": 2, "image": False, "page": False})
    comparison = runlab.compare_runs([full, bare])
    image = comparison.artifact_html("plot")
    assert image.count("<img ") == 1 and 'src="data:image/png;base64,' in image
    assert image.count("not logged") == 1
    table = comparison.artifact_html("table")
    assert table.count("<table>") == 2 and "<th>x</th>" in table and "2 x 2" in table
    page = comparison.artifact_html("page")
    frame = re.search(r'<iframe sandbox="" srcdoc="([^"]*)"', page)
    assert frame and html.unescape(frame.group(1)).startswith("<h1>shade 1</h1>")
    assert "<script>" not in page, "the page's HTML only inside the frame's escaped srcdoc"
    with pytest.raises(ValidationError, match=r"no compared run logged an artifact 'nope'.*page, plot, table"):
        comparison.artifact_html("nope")
    comparison.show_artifact("plot")
    out = capsys.readouterr().out
    assert f"report@{bare.uid()[:8]}: not logged" in out


# -- helpers ---------------------------------------------------------------------------------------------


def _row_fields(page: str) -> list[str]:
    return re.findall(r'<tr><th class="field" title="([^"]*)"', page)


def _row(page: str, field: str) -> str:
    match = re.search(r'<tr><th class="field" title="' + re.escape(field) + r'".*?</tr>', page)
    assert match, field
    return match.group()


def _check_fields(spec: dict[str, Any]) -> None:
    """Every field an encoding names is in the data (or made by a transform)."""
    known = set().union(*(row.keys() for row in spec["data"]["values"]))
    known |= {t["as"] for t in spec.get("transform", [])}
    encodings = [spec.get("encoding", {})] + [layer.get("encoding", {}) for layer in spec.get("layer", [])]
    for encoding in encodings:
        for channel in encoding.values():
            for item in channel if isinstance(channel, list) else [channel]:
                if "field" in item:
                    assert item["field"] in known, item
    for param in spec.get("params", []):
        assert set(param["bind"]["options"]) <= known and param["value"] in known


def test_show_in_a_notebook_displays_the_table_then_the_charts(lab, monkeypatch):
    import IPython.display

    shown: list[tuple[Any, dict[str, Any]]] = []
    monkeypatch.setattr("runlab.compare.kernel_shell", lambda: object())
    monkeypatch.setattr(IPython.display, "display", lambda obj, **kw: shown.append((obj, kw)))
    comparison = runlab.compare_runs([fit(lab, lr=0.1, results={"acc": 0.5}), fit(lab, lr=0.2, results={"acc": 0.6})])
    comparison.show()
    assert [kw for _, kw in shown] == [{"raw": True}] * 3
    assert "text/html" in shown[0][0] and all(VEGA_LITE_MIME in obj for obj, _ in shown[1:])
    assert "<details>" in shown[0][0]["text/html"]
    shown.clear()
    comparison.show(all=True)
    assert "<details>" not in shown[0][0]["text/html"], "every row shown: nothing left to unfold"


def test_compare_in_a_notebook_cell_shows_once(lab, monkeypatch):
    import IPython.display

    class Shell:
        execution_count = 7

    shown: list[Any] = []
    monkeypatch.setattr("runlab.compare.kernel_shell", lambda: Shell())
    monkeypatch.setattr("runlab.run.kernel_shell", lambda: Shell())
    monkeypatch.setattr(IPython.display, "display", lambda obj, **kw: shown.append(obj))
    fit(lab, lr=0.1)
    fit(lab, lr=0.2)
    comparison = lab.list_runs().compare()  # show=None in a notebook: shown now
    assert len(shown) == 1, "the table (one numeric field varies: nothing to chart)"
    comparison._ipython_display_()  # the cell's value: not shown a second time
    assert len(shown) == 1
    Shell.execution_count = 8
    comparison._ipython_display_()
    assert len(shown) == 2, "shown again in a later cell"


def test_show_in_a_terminal_prints_the_differing_rows(lab, capsys):
    comparison = runlab.compare_runs([fit(lab, lr=0.1, k=1), fit(lab, lr=0.2, k=1)])
    comparison.show()
    out = capsys.readouterr().out
    assert "param.lr" in out and "param.k" not in out and "show(all=True)" in out
