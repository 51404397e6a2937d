"""``import runlab`` stays cheap, and the public names are the ones documented."""

from __future__ import annotations

import subprocess
import sys

import runlab

HEAVY = ("pandas", "sqlalchemy", "fsspec", "papermill", "ipywidgets", "dask", "alembic", "yaml", "traitlets")


def test_import_runlab_loads_nothing_heavy():
    code = f"import sys, runlab; print([m for m in {HEAVY!r} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_every_exported_name_resolves():
    for name in runlab.__all__:
        assert getattr(runlab, name) is not None, name


def test_errors_share_one_root():
    errors = [getattr(runlab, n) for n in runlab.__all__ if n.endswith("Error")]
    assert len(errors) >= 15
    assert all(issubclass(e, runlab.RunlabError) for e in errors)
