"""Notebooks as functions, executed by papermill in a real kernel."""

from __future__ import annotations

import nbformat
import pytest

import runlab

pytestmark = pytest.mark.slow


def make_notebook(path, *cells, parameters="lr = 0.1\nrows = 0\ndata = ''", kernel="python3"):
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": kernel, "display_name": kernel, "language": "python"}
    if parameters is not None:
        notebook.cells.append(nbformat.v4.new_code_cell(parameters, metadata={"tags": ["parameters"]}))
    notebook.cells += [nbformat.v4.new_code_cell(source) for source in cells]
    nbformat.write(notebook, path)
    return path


TRAIN = [
    "import runlab\ncontext = runlab.get_or_create_ctx('train')\nprint('lr is', lr)",
    "import pandas as pd\ndf = pd.read_csv(data)\ncontext.log_result('rows', len(df))\ncontext.log_result('lr', lr)",
]


@pytest.fixture
def nbproject(tmp_path):
    (tmp_path / "d.csv").write_text("a\n1\n2\n3\n")
    make_notebook(tmp_path / "train.ipynb", *TRAIN)
    project = runlab.get_or_create_project("nb", context=str(tmp_path))
    project.set_function("train.ipynb", name="train-nb")
    return project


@pytest.mark.parametrize("local", [False, True], ids=["background", "in-process"])
def test_notebook_run_records_what_the_notebook_logs(nbproject, local, capsys):
    assert nbproject.get_function("train-nb").kind == "notebook"
    run = nbproject.run_function("train-nb", params={"lr": 0.5}, inputs={"data": "d.csv"}, local=local)
    assert run.state() == "completed"
    assert run.status.results == {"rows": 3, "lr": 0.5}
    executed = nbformat.reads(run.artifact("notebook").get(encoding="utf-8"), as_version=4)
    assert any("lr = 0.5" in cell.source for cell in executed.cells), "papermill injected the params"
    assert {a["key"]: a["kind"] for a in run.status.artifacts} == {"notebook": "notebook", "notebook_html": "notebook"}
    assert b"lr is 0.5" in run.artifact("notebook_html").get()
    assert "lr is 0.5" in capsys.readouterr().out


@pytest.mark.parametrize("local", [False, True], ids=["background", "in-process"])
def test_cells_done_are_recorded_and_drawn_as_a_bar_while_watched(nbproject, local, capsys):
    run = nbproject.run_function("train-nb", inputs={"data": "d.csv"}, local=local)
    # the parameters cell, papermill's injected cell and the two cells of TRAIN
    assert run.status.progress == {"done": 4, "total": 4, "unit": "cell"}
    assert "4/4" in capsys.readouterr().err


def test_a_background_run_not_watched_draws_no_bar(nbproject, capsys):
    run = nbproject.run_function("train-nb", inputs={"data": "d.csv"}, watch=False).wait_for_completion(poll=0.05)
    assert run.status.progress["done"] == 4
    assert "cell/s" not in capsys.readouterr().err


def test_failing_cell_is_described_and_the_partial_notebook_kept(nbproject, tmp_path):
    make_notebook(tmp_path / "bad.ipynb", "x = 1", "raise ValueError('bad cell')", "y = 2")
    nbproject.set_function("bad.ipynb", name="bad-nb")
    with pytest.raises(runlab.RunError, match=r"cell 2 \(execution count 3\) raised ValueError: bad cell") as info:
        nbproject.run_function("bad-nb")
    run = info.value.run
    assert run.metadata.name == "bad-nb"
    assert (run.status.ename, run.status.evalue) == ("ValueError", "bad cell")
    assert (run.status.cell_index, run.status.exec_count) == (2, 3), "the parameters cell, x = 1, then the raise"
    assert "ValueError" in run.status.traceback and "\x1b[" not in run.status.traceback
    assert run.status.progress == {"done": 3, "total": 4, "unit": "cell"}, "the cell after the failure never ran"
    kept = nbformat.reads(run.artifact("notebook").get(encoding="utf-8"), as_version=4)
    ran = {cell.source: cell.execution_count for cell in kept.cells if cell.cell_type == "code"}
    assert ran == {"lr = 0.1\nrows = 0\ndata = ''": 1, "x = 1": 2, "raise ValueError('bad cell')": 3, "y = 2": None}


def test_notebook_without_parameters_cell_still_runs(nbproject, tmp_path):
    make_notebook(tmp_path / "plain.ipynb", "import runlab\nrunlab.get_or_create_ctx('p').log_result('n', n)",
                  parameters=None)
    nbproject.set_function("plain.ipynb", name="plain")
    run = nbproject.run_function("plain", params={"n": 7}, local=True)
    assert run.status.results == {"n": 7}
    from runlab.store import get_store

    assert "has no cell tagged 'parameters'" in get_store().read_log(run.uid())[0]


def test_bad_notebooks_are_refused_before_any_record(nbproject, tmp_path):
    (tmp_path / "broken.ipynb").write_text("{not json")
    with pytest.raises(runlab.ValidationError, match="not a valid Jupyter notebook"):
        nbproject.set_function("broken.ipynb", name="broken")
        nbproject.run_function("broken")
    make_notebook(tmp_path / "r.ipynb", "1", kernel="ir")
    nbproject.set_function("r.ipynb", name="r-nb")
    with pytest.raises(runlab.ValidationError, match="needs the kernel 'ir', which is not installed"):
        nbproject.run_function("r-nb")
    with pytest.raises(runlab.ValidationError, match="does not exist"):
        nbproject.set_function("missing.ipynb", name="missing")
    assert nbproject.list_runs() == []


def test_notebook_sweep(nbproject):
    run = nbproject.run_function("train-nb", hyperparams={"lr": [0.1, 0.3]}, inputs={"data": "d.csv"},
                                 selector="max.lr")
    assert run.status.results == {"best_iteration": 2, "rows": 3, "lr": 0.3}


def test_abort_stops_the_notebook_kernel_too(nbproject, tmp_path):
    import time

    from runlab.store import get_store

    make_notebook(tmp_path / "sleep.ipynb", "import os, time\nprint('kernel', os.getpid(), flush=True)\ntime.sleep(60)")
    nbproject.set_function("sleep.ipynb", name="sleep")
    run = nbproject.run_function("sleep", watch=False)
    deadline = time.monotonic() + 30
    while "kernel" not in (text := get_store().read_log(run.uid())[0]):
        assert time.monotonic() < deadline, "the notebook never started"
        time.sleep(0.1)
    kernel = int(text.split("kernel")[1].split()[0])
    assert run.abort() == "aborted"
    from runlab.runtimes.processes import is_alive

    deadline = time.monotonic() + 5
    while is_alive(kernel):
        assert time.monotonic() < deadline, "the kernel outlived the abort"
        time.sleep(0.05)
