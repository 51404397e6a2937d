"""Runs as tables: the table model, the widget (rows, previews, live rows, sweeps) and its static copies."""

from __future__ import annotations

import time
from datetime import datetime

import nbformat
import pytest
from nbclient import NotebookClient

import runlab
from runlab.display import runs_html, runs_text
from runlab.display.table import columns, run_row, widget_row
from runlab.display.widget import RunsWidget

EVIL = "<img src=x onerror=alert(1)>"

HANDLERS = """
    import base64, pathlib, time

    PNG = base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
    )

    def everything(context, data, note="x"):
        import pandas as pd

        context.log_result("accuracy", 0.9)
        context.log_result("note", note)
        context.set_label("team", note)
        context.log_dataset("table", pd.DataFrame({"a": range(30), "b": [note] * 30}))
        context.log_artifact("picture", body=PNG, format="png")
        context.log_artifact("page", body="<html><body><h1>plot</h1></body></html>", format="html")
        context.log_artifact("notes", body="line one\\nline two")
        context.log_artifact("blob", body=bytes(range(256)) * 4, format="bin")
        context.log_model("model", body={"w": [1, 2]}, metrics={"auc": 0.8}, framework="none")

    def slow(context, seconds=1.5, gate=None):
        context.log_result("started", 1)
        time.sleep(seconds)
        deadline = time.monotonic() + 60
        while gate and not pathlib.Path(gate).exists():  # the test knows the run goes on until it opens the gate
            if time.monotonic() > deadline:
                raise TimeoutError(f"the gate {gate} never opened")
            time.sleep(0.02)
        context.log_result("done", 1)
"""


@pytest.fixture
def runs(tmp_path, write_file):
    write_file("handlers.py", HANDLERS)
    (tmp_path / "data.csv").write_text("a,b\n1,2\n3,4\n")
    project = runlab.get_or_create_project("display", context=str(tmp_path))
    project.set_function("handlers.py", name="fn", kind="local", handler="everything")
    first = project.run_function("fn", params={"note": EVIL}, inputs={"data": "data.csv"})
    second = project.run_function("fn", params={"note": "plain"}, inputs={"data": "data.csv"})
    return project, first, second


def test_rows_carry_every_column_and_short_mode_drops_some(runs):
    _, run, _ = runs
    row = widget_row(run.to_dict(), run_row(run.to_dict()))
    assert list(row["cells"]) == columns() == ["project", "uid", "iter", "start", "state", "kind", "name", "labels",
                                               "inputs", "parameters", "results", "artifacts"]
    cells = row["cells"]
    assert cells["uid"]["text"] == run.uid()[:8] and cells["uid"]["title"] == run.uid()
    assert cells["state"]["text"] == "completed" and row["terminal"] and "title" not in cells["state"]
    assert cells["results"]["chips"] == ["accuracy=0.9", f"note={EVIL}", "auc=0.8"]
    assert [link["label"] for link in cells["artifacts"]["links"]] == ["table", "picture", "page", "notes", "blob",
                                                                        "model"]
    assert cells["artifacts"]["links"][0]["ref"] == {"uid": run.uid(), "iteration": 0, "key": "table"}
    assert cells["inputs"]["links"][0]["label"] == "data" and cells["inputs"]["links"][0]["ref"]["url"].endswith(
        "data.csv")
    started, ended = (datetime.fromisoformat(getattr(run.status, k)) for k in ("start_time", "end_time"))
    took = (ended - started).total_seconds()
    assert cells["start"]["sub"] == (f"{took * 1000:.0f} ms" if took < 1 else f"{took:.1f} s"), "the run's duration"
    assert set(run_row(run.to_dict(), short=True)) == set(columns()) - {"project", "kind", "labels", "inputs"}


def test_a_failed_run_shows_its_error_on_the_state(project):
    with pytest.raises(runlab.RunError):
        project.run_function("trainer", handler="fail", local=True)
    run = project.list_runs(name="trainer-fail")[0]
    cell = widget_row(run.to_dict(), run_row(run.to_dict()))["cells"]["state"]
    assert (cell["text"], cell["title"]) == ("error", "ValueError: boom")
    assert "ValueError: boom" in runs_html([run])


def test_a_runs_notes_show_under_its_name_in_every_table(runs):
    """The first line of a run's notes under its name (cut), all of it on hover, in the widget's rows and the
    static and text copies; a run without notes shows its name alone."""
    _, first, second = runs
    first.set_notes("baseline before the new features; " + "long " * 20 + f"\nsecond line {EVIL}")
    cell = widget_row(first.to_dict(), run_row(first.to_dict()))["cells"]["name"]
    assert cell["text"] == first.metadata.name and cell["title"] == first.notes
    assert cell["sub"].startswith("baseline before the new features;") and cell["sub"].endswith("…")
    assert len(cell["sub"]) == 60 and "second line" not in cell["sub"]
    assert "sub" not in widget_row(second.to_dict(), run_row(second.to_dict()))["cells"]["name"]
    page = runs_html([first, second])
    assert "baseline before the new features" in page and EVIL not in page


def test_static_html_escapes_every_user_string(runs):
    _, run, _ = runs
    page = runs_html([run])
    assert EVIL not in page
    assert page.count("&lt;img src=x onerror=alert(1)&gt;") == 3  # param, result and label


def test_widget_output_carries_the_widget_view_and_static_copies(runs):
    project, first, second = runs
    widget = RunsWidget(project.list_runs())
    data, _ = widget._repr_mimebundle_()
    assert set(data) == {"application/vnd.jupyter.widget-view+json", "application/vnd.runlab.runs+json",
                         "text/html", "text/plain"}
    assert data["application/vnd.jupyter.widget-view+json"]["model_id"] == widget.model_id
    saved = data["application/vnd.runlab.runs+json"]
    assert (saved["total"], saved["columns"], saved["rows"]) == (2, widget.columns, widget.rows)
    assert saved["query"]["project"] == "display" and "keys" not in saved, "a listing saves its filters"
    assert EVIL not in data["text/html"]
    assert second.uid()[:8] in data["text/plain"] and first.uid()[:8] in data["text/plain"]
    assert [row["uid"] for row in widget.rows] == [second.uid(), first.uid()], "newest first"
    assert not widget.live, "finished runs are not followed"


@pytest.mark.parametrize(("key", "kind", "check"), [
    ("table", "table", lambda p: p["shape"] == [30, 2] and p["columns"] == ["a", "b"] and len(p["rows"]) == 20),
    ("picture", "image", lambda p: p["src"].startswith("data:image/png;base64,")),
    ("page", "html", lambda p: "<h1>plot</h1>" in p["html"]),
    ("notes", "text", lambda p: p["text"] == "line one\nline two"),
    ("blob", "none", lambda p: "1,024 bytes" in p["text"]),
    ("model", "model", lambda p: p["meta"]["metrics"] == {"auc": 0.8}),
])
def test_artifact_previews(runs, key, kind, check):
    _, run, _ = runs
    widget = RunsWidget([run])
    preview = widget.open_preview({"uid": run.uid(), "iteration": 0, "key": key})
    assert preview["kind"] == kind, preview
    assert check(preview)
    assert widget.preview == preview, "the preview is widget state (saved with the notebook)"
    assert preview["path"] == next(a["target_path"] for a in run.status.artifacts if a["key"] == key)


def test_input_preview_reads_only_the_first_rows(runs):
    _, run, _ = runs
    widget = RunsWidget([run])
    url = run.spec.inputs["data"]
    preview = widget.open_preview({"url": url})
    assert preview["kind"] == "table" and preview["shape"] == [2, 2] and preview["rows"] == [[1, 2], [3, 4]]


def test_previews_only_reach_what_the_table_shows(runs, tmp_path):
    _, run, _ = runs
    secret = tmp_path / "secret.txt"
    secret.write_text("do not show")
    widget = RunsWidget([run])
    assert widget.open_preview({"url": str(secret)})["kind"] == "error"
    assert widget.open_preview({"uid": run.uid(), "iteration": 0, "key": "../../secret"})["kind"] == "error"
    assert widget.open_preview({"uid": "nope", "iteration": 0, "key": "table"})["kind"] == "error"


def test_a_preview_of_a_deleted_file_says_why(runs):
    import os

    _, run, _ = runs
    record = next(a for a in run.status.artifacts if a["key"] == "notes")
    os.remove(record["target_path"])
    preview = RunsWidget([run]).open_preview({"uid": run.uid(), "iteration": 0, "key": "notes"})
    assert preview["kind"] == "error" and "cannot preview" in preview["text"]


def test_messages_from_the_browser_open_and_close_previews(runs):
    _, run, _ = runs
    widget = RunsWidget([run])
    widget._on_message(widget, {"type": "preview", "ref": {"uid": run.uid(), "iteration": 0, "key": "notes"}}, [])
    assert widget.preview["kind"] == "text"
    widget._on_message(widget, {"type": "close_preview"}, [])
    assert widget.preview is None
    widget._on_message(widget, "garbage", [])  # ignored


@pytest.mark.slow
def test_a_running_run_updates_its_row_until_it_ends(tmp_path, write_file):
    write_file("handlers.py", HANDLERS)
    project = runlab.get_or_create_project("live", context=str(tmp_path))
    project.set_function("handlers.py", name="slow", kind="job", handler="slow")
    gate = tmp_path / "gate"
    run = project.run_function("slow", params={"seconds": 0, "gate": str(gate)}, watch=False)
    widget = RunsWidget([run])
    assert widget.live

    def wait_for(condition, what):
        deadline = time.monotonic() + 30
        while not condition():
            assert time.monotonic() < deadline, f"the row never {what}"
            time.sleep(0.05)

    try:
        wait_for(lambda: widget.rows[0]["cells"]["results"].get("chips") == ["started=1"], "showed the first result")
        assert (widget.live, widget.rows[0]["state"], widget.rows[0]["terminal"]) == (True, "running", False)
    finally:
        gate.touch()
    wait_for(lambda: not widget.live, "reached a final state")
    assert (widget.rows[0]["state"], widget.rows[0]["terminal"]) == ("completed", True)
    assert widget.rows[0]["cells"]["results"]["chips"] == ["started=1", "done=1"]


@pytest.mark.slow
def test_a_live_run_out_of_view_is_followed_by_one_query_and_shows_its_end_in_view(
        numbered_runs, tmp_path, write_file, monkeypatch):
    write_file("handlers.py", HANDLERS)
    project = runlab.get_or_create_project("live", context=str(tmp_path))
    project.set_function("handlers.py", name="slow", kind="job", handler="slow")
    gate = tmp_path / "gate"
    live = project.run_function("slow", params={"seconds": 0, "gate": str(gate)}, watch=False)
    widget = RunsWidget([*numbered_runs, live])  # the live run is on the last page, out of view
    widget.close()  # no thread: the test drives the refreshes
    reread = []
    real = runlab.RunObject.refresh
    monkeypatch.setattr(runlab.RunObject, "refresh", lambda run: reread.append(run.uid()) or real(run))
    try:
        assert widget.live and [row["terminal"] for row in widget.rows] == [True] * 20
        widget.refresh()
        assert reread == [live.uid()], "finished runs are not re-read; a live one out of view is, to reap it"
    finally:
        gate.touch()
    deadline = time.monotonic() + 30
    while widget.live:
        assert time.monotonic() < deadline, "the widget never saw the run end"
        widget.refresh()
        time.sleep(0.05)
    widget.go_to(widget.pages - 1)
    row = widget.rows[-1]
    assert (row["uid"], row["state"], row["terminal"]) == (live.uid(), "completed", True)
    assert row["cells"]["results"]["chips"] == ["started=1", "done=1"]


def test_a_sweep_parent_shows_its_iterations_and_plot(project):
    parent = project.run_function("trainer", local=True, inputs={"data": "data.csv"},
                                  hyperparams={"p1": [1, 3, 2]}, selector="max.accuracy")
    widget = RunsWidget([parent])
    table = widget.iterations
    assert table["best"] == 2
    assert table["columns"][:3] == ["state", "iter", "param.p1"]
    assert [row[1] for row in table["rows"]] == [1, 2, 3]
    assert widget.plot.startswith("data:image/png;base64,")
    data, _ = widget._repr_mimebundle_()
    assert "runlab-iterations" in data["text/html"] and "★" in data["text/html"]


def test_long_lists_page_in_the_widget_and_stop_at_200_rows_in_the_static_copy(runs):
    _, first, _ = runs
    many = [first] * 250
    page = runs_html(many)
    assert page.count("<tr>") == 201 and "and 50 more runs" in page
    widget = RunsWidget(many)
    assert (widget.total, len(widget.rows)) == (250, 20), "the browser gets the page in view, not every row"
    data, _ = widget._repr_mimebundle_()  # the static copies of the widget: its first 200 runs, as runs_html
    assert data["text/html"].count("<tr>") == 201 and "and 50 more runs" in data["text/html"]
    assert len(data["text/plain"].splitlines()) == 202 and data["text/plain"].endswith("… and 50 more runs "
                                                                                       "(to_df() has them all)")
    assert len(runs_text(many).splitlines()) == 251, "printed in a terminal, every run"


def _numbered(context, i: int = 0):
    context.log_result("i", i)


@pytest.fixture
def numbered_runs():
    """45 runs, ``i`` = 0..44, listed newest first (44 first)."""
    project = runlab.get_or_create_project("pages", context=".")
    project.set_function(_numbered, name="numbered", kind="local")
    for i in range(45):
        project.run_function("numbered", params={"i": i})
    return project.list_runs()


def _shown_i(widget) -> list[str]:
    return [row["cells"]["results"]["chips"][0] for row in widget.rows]


def test_the_widget_builds_the_rows_of_the_page_asked_for(numbered_runs):
    widget = RunsWidget(numbered_runs)
    assert (widget.total, widget.page, widget.pages) == (45, 0, 3)
    assert _shown_i(widget) == [f"i={i}" for i in range(44, 24, -1)]
    widget._on_message(widget, {"type": "page", "page": 1}, [])  # the browser's "next page"
    assert widget.page == 1 and _shown_i(widget) == [f"i={i}" for i in range(24, 4, -1)]
    widget._on_message(widget, {"type": "page", "page": 2}, [])  # the last page
    assert widget.page == 2 and _shown_i(widget) == [f"i={i}" for i in range(4, -1, -1)]
    assert [row["uid"] for row in widget.rows] == [run.uid() for run in numbered_runs[40:]]
    widget.go_to(99)
    assert widget.page == 2, "a page past the end shows the last one"
    widget.go_to(-3)
    assert widget.page == 0 and _shown_i(widget)[0] == "i=44"
    widget._on_message(widget, {"type": "page", "page": "2"}, [])  # ignored
    assert widget.page == 0
    widget.page_size = 40
    assert (widget.page, widget.pages, len(widget.rows)) == (0, 2, 40)


def test_previews_reach_runs_on_other_pages_too(numbered_runs, runs):
    _, run, _ = runs
    widget = RunsWidget([*numbered_runs, run])  # the run with artifacts is on the third page, not in view
    assert widget.open_preview({"uid": run.uid(), "iteration": 0, "key": "notes"})["kind"] == "text"
    assert widget.open_preview({"url": run.spec.inputs["data"]})["kind"] == "table"
    assert widget.open_preview({"uid": run.uid(), "iteration": 1, "key": "notes"})["kind"] == "error"


def _execute(source: str, tmp_path, env: dict[str, str] | None = None) -> nbformat.NotebookNode:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(cell) for cell in source.split("# --\n")]
    client = NotebookClient(notebook, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}})
    if env:
        import os

        saved = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        try:
            client.execute()
        finally:
            for k, v in saved.items():
                os.environ.pop(k) if v is None else os.environ.__setitem__(k, v)
    else:
        client.execute()
    return notebook


def _widget_outputs(cell) -> list:
    return [o for o in cell.outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]


CELLS = """
import runlab
project = runlab.get_or_create_project("auto", context="./")
project.set_function("handlers.py", name="fn", kind="local", handler="everything")
# --
run = project.run_function("fn", inputs={"data": "data.csv"})
# --
project.run_function("fn", inputs={"data": "data.csv"})
# --
again = project.run_function("fn", inputs={"data": "data.csv"})
again.show()
"""


@pytest.mark.slow
def test_run_function_shows_its_run_once_in_a_notebook(runs, tmp_path):
    notebook = _execute(CELLS, tmp_path)
    assert len(_widget_outputs(notebook.cells[1])) == 1, "shown as run_function returns"
    assert len(_widget_outputs(notebook.cells[2])) == 1, "not again as the cell's value"
    assert len(_widget_outputs(notebook.cells[3])) == 1, "nor when the cell shows it again"


@pytest.mark.slow
def test_auto_show_can_be_turned_off(runs, tmp_path):
    notebook = _execute(CELLS, tmp_path, env={"RUNLAB_AUTO_SHOW": "0"})
    assert _widget_outputs(notebook.cells[1]) == []
    assert len(_widget_outputs(notebook.cells[2])) == 1, "the cell's value still shows"


def test_the_saved_table_names_its_runs_and_its_store_without_credentials(runs, monkeypatch):
    from runlab.display.bundle import KEYS_LIMIT, MIME, store_id

    _, first, second = runs
    saved = RunsWidget([first, second])._repr_mimebundle_()[0][MIME]
    assert saved["keys"] == [[first.uid(), 0], [second.uid(), 0]] and "query" not in saved
    assert saved["store"] == store_id(runlab.get_run_db().store.url)
    many = RunsWidget([first] * (KEYS_LIMIT + 5))._repr_mimebundle_()[0][MIME]
    assert (many["total"], len(many["keys"]), len(many["rows"])) == (KEYS_LIMIT + 5, KEYS_LIMIT, 20)
    secret = "postgresql://me:hunter2@db.example/runs"
    # the id is no hash of the password (a notebook could be used to guess it), but it tells stores apart
    assert store_id(secret) == store_id("postgresql://me:other@db.example/runs")
    assert store_id(secret) != store_id("postgresql://me:hunter2@db2.example/runs")


def test_the_table_is_not_crowded(project):
    def scores(context):
        context.log_result("loss", 0.123456789012345)
        context.log_result("tiny", 1.23456789e-7)
        context.log_result("steps", 10)
        context.set_label("team", "a")

    project.set_function(scores, name="scores", kind="local")
    run = project.run_function("scores")
    cells = widget_row(run.to_dict(), run_row(run.to_dict()))["cells"]
    assert cells["results"]["chips"] == ["loss=0.1235", "tiny=1.235e-07", "steps=10"]
    assert cells["results"]["full"] == ["loss=0.123456789012345", "tiny=1.23456789e-07", ""], "the whole value"
    assert cells["labels"]["chips"] == ["team=a"], "the automatic labels are not shown by default"
    assert [chip.split("=")[0] for chip in cells["labels"]["extra"]] == ["kind", "owner", "host"]
    page = runs_html([run])
    assert 'title="loss=0.123456789012345"' in page and "kind=local" in page, "the static copy keeps them all"


def test_every_rule_of_the_widget_css_is_scoped_under_its_root():
    import re
    from pathlib import Path

    import runlab.display

    css = (Path(runlab.display.__file__).parent / "runs_widget.css").read_text()
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    selectors = [s.strip() for block in re.findall(r"([^{}]+)\{", css) for s in block.split(",")]
    assert selectors and all(s == ".runlab-widget" or s.startswith(".runlab-widget ") for s in selectors), [
        s for s in selectors if not s.startswith(".runlab-widget")]


@pytest.mark.parametrize("state", ["created", "pending", "running", "completed", "error", "aborting", "aborted",
                                   "unknown"])
def test_static_state_badge_keeps_the_pages_text_colour(state):
    """A saved notebook's static table edges a state's badge in its colour and leaves the text the page's
    own colour (readable in a light and a dark theme alike: no coloured or white text)."""
    from runlab.display.static import table_html
    from runlab.display.table import Cell

    html = table_html([{"state": Cell(text=state)}], 1)
    badge = html[html.index("<td>") + 4:html.index("</td>")]
    assert f">{state}</span>" in badge and "border:1px solid #" in badge, badge
    assert "color:" not in badge.replace("border:1px solid", ""), badge
