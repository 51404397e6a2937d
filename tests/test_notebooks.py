"""Every example notebook in notebooks/ runs clean, end to end, in a real kernel."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

import runlab
from runlab.config import reset_config

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))

# runs each notebook records (a sweep: its parent and each iteration)
RUNS_RECORDED = {"notebook_functions.ipynb": 5, "quickstart.ipynb": 4, "show_runs.ipynb": 5, "train.ipynb": 1}


def execute(path: Path) -> nbformat.NotebookNode:
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    return notebook


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs_clean(path, tmp_path, monkeypatch):
    monkeypatch.setenv("RUNLAB_ARTIFACT_PATH", str(tmp_path / "artifacts"))
    reset_config()
    notebook = execute(path)  # a cell error raises CellExecutionError
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert [cell.execution_count for cell in code] == list(range(1, len(code) + 1)), "every cell ran, in order"
    runs = runlab.get_run_db().list_runs(iter=True)
    assert len(runs) == RUNS_RECORDED[path.name]
    assert sorted((r.metadata.name, r.state()) for r in runs if r.state() != "completed") == (
        [("trainer-fail", "error")] if path.name == "quickstart.ipynb" else []), "only the deliberate failure"


@pytest.mark.slow
def test_quickstart_records_its_runs(tmp_path, monkeypatch):
    monkeypatch.setenv("RUNLAB_ARTIFACT_PATH", str(tmp_path / "artifacts"))
    reset_config()
    notebook = execute(NOTEBOOKS[[p.name for p in NOTEBOOKS].index("quickstart.ipynb")])
    runs = runlab.get_run_db().list_runs(project="quickstart")
    assert [(r.metadata.name, r.state()) for r in runs] == [
        ("trainer-fail", "error"), ("small-test", "completed"), ("trainer-describe", "completed"),
        ("trainer-train", "completed"),
    ]
    train = runs[-1]
    assert train.status.results == {"accuracy": pytest.approx(0.97727, abs=1e-5), "return": {"classes": 3}}
    assert {a["key"] for a in train.status.artifacts} == {"test_set", "model", "centroids_plot"}
    assert all(a["target_path"].startswith(str(tmp_path / "artifacts")) for a in train.status.artifacts)
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    text = "".join(o.get("text", "") for o in outputs)
    assert "recorded: error - ValueError: the data looks wrong" in text
    assert any("text/html" in o.get("data", {}) for o in outputs), "run.show() displays an HTML table"


@pytest.mark.slow
def test_notebook_functions_example_records_runs_and_a_sweep(tmp_path, monkeypatch):
    monkeypatch.setenv("RUNLAB_ARTIFACT_PATH", str(tmp_path / "artifacts"))
    reset_config()
    execute(NOTEBOOKS[[p.name for p in NOTEBOOKS].index("notebook_functions.ipynb")])
    runs = runlab.get_run_db().list_runs(project="notebook-functions", iter=True)
    assert len(runs) == 5, "one run, and a sweep parent with three children"
    assert {r.state() for r in runs} == {"completed"}
    parent = next(r for r in runs if r.status.get("iterations"))
    children = sorted((r for r in runs if r.metadata.iteration), key=lambda r: r.metadata.iteration)
    assert [(r.spec.parameters["seed"], r.status.results["accuracy"]) for r in children] == [
        (1, pytest.approx(0.97727, abs=1e-5)), (2, pytest.approx(0.95833, abs=1e-5)), (3, 1.0)]
    assert parent.status.results == {"best_iteration": 3, "accuracy": 1.0}


@pytest.mark.slow
def test_show_runs_example_saves_widget_tables_with_static_copies(tmp_path, monkeypatch):
    monkeypatch.setenv("RUNLAB_ARTIFACT_PATH", str(tmp_path / "artifacts"))
    reset_config()
    notebook = execute(NOTEBOOKS[[p.name for p in NOTEBOOKS].index("show_runs.ipynb")])
    tables = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.get("outputs", [])
              if "text/html" in o.get("data", {})]
    assert len(tables) == 4, "the run, the sweep, the list and the short table"
    assert all("application/vnd.jupyter.widget-view+json" in o["data"] and "text/plain" in o["data"]
               for o in tables)
    state = notebook.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    views = {o["data"]["application/vnd.jupyter.widget-view+json"]["model_id"] for o in tables}
    assert views <= set(state), "every table's widget state is saved with the notebook"
    models = [state[m]["state"] for m in views]
    listed = max(models, key=lambda m: len(m["rows"]))
    assert len(listed["rows"]) == 2 and {r["state"] for r in listed["rows"]} == {"completed"}
    links = [link["label"] for link in listed["rows"][0]["cells"]["artifacts"]["links"]]
    assert links == ["iteration_results", "sweep_plot"], "the newest run is the sweep parent"
    sweep = next(m for m in models if m["iterations"])
    assert sweep["iterations"]["best"] == 3, "test_size 0.4 has the best accuracy (0.98)"
    assert sweep["plot"].startswith("data:image/png")
    single = [m for m in models if len(m["rows"]) == 1 and not m["iterations"]]
    assert len(single) == 2, "the first run, shown by run_function and by run.show(short=True)"
    assert all([link["label"] for link in m["rows"][0]["cells"]["artifacts"]["links"]] == [
        "test_set", "model", "centroids_plot"] for m in single)
    assert sorted("inputs" in m["columns"] for m in single) == [False, True], "short=True drops inputs"
