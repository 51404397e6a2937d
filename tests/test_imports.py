"""``import runlab`` stays cheap, and the public names are the ones documented."""

from __future__ import annotations

import subprocess
import sys

import runlab

HEAVY = ("pandas", "sqlalchemy", "fsspec", "papermill", "ipywidgets", "dask", "alembic", "yaml", "traitlets")

# The public API. Adding or removing a name is a deliberate change: update this list with it.
PUBLIC = [
    "ArtifactNotFoundError", "CacheError", "ClusterUnavailableError", "CodeChangedWarning", "DataItem",
    "ExportFileError", "Function", "FunctionNotFoundError", "HandlerNotFoundError", "HyperParamOptions",
    "InvalidInputError", "InvalidNameError", "InvalidParameterError", "MissingParameterError", "NotebookCellError",
    "Project", "ProjectNotFoundError", "RunContext", "RunDB", "RunError", "RunList", "RunNotFoundError", "RunObject",
    "RunState", "RunStateError", "RunTimeoutError", "RunlabError", "Schedule", "ScheduleExistsError",
    "ScheduleNotFoundError", "StoreError", "Task", "UnsupportedError", "ValidationError", "__version__",
    "code_to_function", "compare_runs", "export_runs", "get_current_project", "get_dataitem", "get_or_create_ctx",
    "get_or_create_project", "get_run", "get_run_db", "import_runs", "load_project", "new_function", "new_project",
    "new_task", "run_function", "set_dask_client",
]

ERRORS = [
    "ArtifactNotFoundError", "CacheError", "ClusterUnavailableError", "ExportFileError", "FunctionNotFoundError",
    "HandlerNotFoundError", "InvalidInputError", "InvalidNameError", "InvalidParameterError", "MissingParameterError",
    "NotebookCellError", "ProjectNotFoundError", "RunError", "RunNotFoundError", "RunStateError", "RunTimeoutError",
    "RunlabError", "ScheduleExistsError", "ScheduleNotFoundError", "StoreError", "UnsupportedError",
    "ValidationError",
]


def test_import_runlab_loads_nothing_heavy():
    code = f"import sys, runlab; print([m for m in {HEAVY!r} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_public_names_are_exactly_the_documented_ones():
    assert sorted(PUBLIC) == PUBLIC
    assert runlab.__all__ == PUBLIC
    assert dir(runlab) == PUBLIC


def test_every_exported_name_resolves():
    """Each name resolves to the object of that name (in a fresh interpreter, where nothing is loaded yet)."""
    code = (
        "import runlab\n"
        "for name in runlab.__all__:\n"
        "    value = getattr(runlab, name)\n"
        "    print(name, value if name == '__version__' else f'{callable(value)}:{value.__name__}')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    resolved = dict(line.split() for line in out.splitlines())
    assert resolved == {name: runlab.__version__ if name == "__version__" else f"True:{name}" for name in PUBLIC}


def test_errors_share_one_root():
    errors = [n for n in runlab.__all__ if n.endswith("Error")]
    assert errors == ERRORS
    for name in errors:
        assert issubclass(getattr(runlab, name), runlab.RunlabError), name
