"""The JupyterLab extension as installed: enabled in JupyterLab and the server, its TypeScript unit tests."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
JUPYTER = [sys.executable, "-m", "jupyter"]


def _listing(*args: str) -> str:
    done = subprocess.run([*JUPYTER, *args], capture_output=True, text=True, timeout=120)
    return done.stdout + done.stderr


def test_the_server_extension_is_enabled_and_loads():
    out = _listing("server", "extension", "list")
    assert "runlab.server" in out and "enabled" in out and "runlab.server  OK" in out.replace("\x1b[32m", "").replace(
        "\x1b[0m", ""), out


def test_the_lab_extension_is_installed_and_enabled():
    out = _listing("labextension", "list").replace("\x1b[32m", "").replace("\x1b[0m", "")
    assert "runlab-labextension v0.1.0 enabled OK" in out, out


@pytest.mark.skipif(shutil.which("node") is None or not (ROOT / "node_modules").exists(),
                    reason="needs node and the extension's node_modules (the package build installs them)")
def test_typescript_unit_tests():
    done = subprocess.run(["npm", "test", "--silent"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "# fail 0" in done.stdout
