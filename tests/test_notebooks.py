"""Every example notebook in notebooks/ runs clean, end to end, in a real kernel."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

import runlab
from runlab.config import reset_config

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))


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
    execute(path)  # a cell error raises CellExecutionError


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
    assert 0.5 < train.status.results["accuracy"] <= 1.0
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
    assert parent.status.results["best_iteration"] in (1, 2, 3)
    assert all(0 < r.status.results["accuracy"] <= 1 for r in runs if r.metadata.iteration)
