"""A notebook's code as a Python file (``code_to_function()`` with no filename, in a notebook)."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest

from runlab.errors import ValidationError
from runlab.notebookcode import current_notebook, notebook_code, notebook_to_file


def _notebook(path, *cells):
    nb = nbformat.v4.new_notebook()
    for cell in cells:
        if isinstance(cell, tuple):
            nb.cells.append(nbformat.v4.new_code_cell(cell[0], metadata={"tags": cell[1]}))
        elif cell.startswith("md:"):
            nb.cells.append(nbformat.v4.new_markdown_cell(cell[3:]))
        else:
            nb.cells.append(nbformat.v4.new_code_cell(cell))
    nbformat.write(nb, str(path))
    return str(path)


def test_code_cells_without_magics_shell_lines_or_ignored_cells(tmp_path):
    nb = _notebook(tmp_path / "nb.ipynb", "%pip install x\nimport math", "md:# title", "!ls\n",
                   "# mlrun: ignore\nrun = fn.run()", ("skipped = 1", ["mlrun-ignore"]),
                   "%%writefile a.py\nprint(1)", "def f(context):\n    return math.pi")
    code = notebook_code(nb)
    assert "import math" in code and "def f(context):" in code
    for gone in ("pip", "ls", "fn.run", "skipped", "writefile", "print(1)", "title"):
        assert gone not in code
    compile(code, "nb.py", "exec")


def test_start_and_end_markers_keep_only_the_code_between(tmp_path):
    nb = _notebook(tmp_path / "nb.ipynb", "setup = 1", "# mlrun: start-code", "def h(context):\n    pass",
                   "# nuclio: end-code", "after = 2")
    code = notebook_code(nb)
    assert "def h(context)" in code and "setup" not in code and "after" not in code


def test_the_file_is_written_once_per_content(tmp_path):
    nb = _notebook(tmp_path / "nb.ipynb", "def h(context):\n    return 1")
    first = notebook_to_file(nb)
    assert notebook_to_file(nb) == first
    _notebook(tmp_path / "nb.ipynb", "def h(context):\n    return 2")
    second = notebook_to_file(nb)
    assert second != first and "return 2" in Path(second).read_text()


def test_the_current_notebook_comes_from_jupyters_session_name(tmp_path, monkeypatch):
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    assert current_notebook() is None
    nb = _notebook(tmp_path / "nb.ipynb", "x = 1")
    monkeypatch.setenv("JPY_SESSION_NAME", nb)
    assert current_notebook() == nb
    monkeypatch.setenv("JPY_SESSION_NAME", str(tmp_path / "gone.ipynb"))
    assert current_notebook() is None


def test_an_unreadable_notebook_is_a_validation_error(tmp_path):
    bad = tmp_path / "bad.ipynb"
    bad.write_text("not json")
    with pytest.raises(ValidationError, match="cannot read the code of notebook"):
        notebook_code(str(bad))


def test_code_to_function_in_a_notebook_runs_its_handler_as_a_job(tmp_path, monkeypatch):
    """hyper-params.ipynb / mlrun_jobs.ipynb: ``code_to_function(name=..., kind="job")`` in a notebook takes the
    notebook's code; the handler runs in its own process."""
    import runlab as mlrun

    nb = _notebook(tmp_path / "My Trainer.ipynb", "# mlrun: ignore\nimport runlab as mlrun",
                   "import os\n\ndef train(context, p1=1):\n    context.log_result('pid', os.getpid())\n"
                   "    context.log_result('double', p1 * 2)",
                   "# mlrun: ignore\nfn = mlrun.code_to_function(name='trainer', kind='job')")
    monkeypatch.setenv("JPY_SESSION_NAME", nb)
    fn = mlrun.code_to_function(kind="job")
    assert fn.name == "my-trainer" and fn.filename.endswith(".py")
    run = fn.run(handler="train", params={"p1": 4})
    assert run.state() == "completed"
    assert run.status.results["double"] == 8 and run.status.results["pid"] != os.getpid()


def test_code_to_function_outside_a_notebook_asks_for_a_filename(monkeypatch):
    import runlab

    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    with pytest.raises(ValidationError, match="needs filename="):
        runlab.code_to_function(name="x", kind="job")


def test_an_end_marker_alone_leaves_out_what_follows(tmp_path):
    nb = _notebook(tmp_path / "nb.ipynb", "def h(context):\n    pass", "# mlrun: end-code", "fn = make()")
    code = notebook_code(nb)
    assert "def h(context)" in code and "make()" not in code
