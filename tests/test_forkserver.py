"""The fork server of ``job`` runs on a cold home: submissions never wait for it to start, and it loads the
notebook libraries only once a notebook function runs."""

from __future__ import annotations

import os
import time
from pathlib import Path

import nbformat
import pytest

import runlab
from forkservers import fork_servers
from runlab.runtimes import forkclient
from waiting import wait_until

pytestmark = pytest.mark.slow

PROBE = """
import os, sys

def probe(context):
    context.log_result("parent", os.getppid())
    context.log_result("notebook_modules", [m for m in ("papermill", "nbconvert", "nbclient") if m in sys.modules])
"""

# The fork server (and only it) waits until the test opens the gate: a server that is slow to start.
GATED_START = """
import os, time
if b"runlab.runtimes.forkserver" in open("/proc/self/cmdline", "rb").read():
    deadline = time.monotonic() + 120
    while not os.path.exists(os.environ["TEST_FORKSERVER_GATE"]) and time.monotonic() < deadline:
        time.sleep(0.01)
"""


def server_up(home: Path) -> bool:
    """The fork server of ``home`` has its socket up: it forks the next worker."""
    return forkclient.socket_path(str(home)).exists()


@pytest.fixture
def probe(write_file, tmp_path):
    """A project whose job function ``probe`` reports its worker's parent process and the notebook
    libraries it found imported (a forked worker starts with the fork server's modules)."""
    write_file("probe.py", PROBE)
    project = runlab.get_or_create_project("fork", context=str(tmp_path))
    project.set_function("probe.py", name="probe", kind="job", handler="probe")
    return project


def run_probe(project) -> dict:
    return project.run_function("probe", watch=False).wait_for_completion(timeout=60, poll=0.02).status.results


def test_a_submission_on_a_cold_home_does_not_wait_for_the_fork_server(probe, runlab_home, tmp_path, monkeypatch):
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(GATED_START)
    gate = tmp_path / "gate"
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(hook), os.environ.get("PYTHONPATH", "")]))
    monkeypatch.setenv("TEST_FORKSERVER_GATE", str(gate))
    started = time.monotonic()
    first = probe.run_function("probe", watch=False)
    # generous: a submission that waited for the server would take 10 s (the clients' old wait) or the gate's 120 s
    assert time.monotonic() - started < 5, "the submission waited for the fork server"
    assert first.wait_for_completion(timeout=60, poll=0.02).status.results["parent"] == os.getpid(), \
        "the first run went to a new interpreter started by this process"
    server = wait_until(lambda: fork_servers(runlab_home), what="the fork server is starting")
    assert not server_up(runlab_home)
    assert run_probe(probe)["parent"] == os.getpid(), "a run submitted while the server starts does not wait for it"
    assert fork_servers(runlab_home) == server, "the second run started no second server"

    gate.touch()
    wait_until(lambda: server_up(runlab_home), what="the fork server is up")
    assert run_probe(probe)["parent"] == server[0], "once up, the server forks the workers"
    assert fork_servers(runlab_home) == server


def test_notebook_libraries_load_in_the_fork_server_only_once_a_notebook_runs(probe, runlab_home, tmp_path):
    run_probe(probe)  # a cold home: this run starts the server
    wait_until(lambda: server_up(runlab_home), what="the fork server is up")
    results = run_probe(probe)
    assert results["parent"] in fork_servers(runlab_home)
    assert results["notebook_modules"] == [], "no notebook run yet: the server has not loaded their libraries"

    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "python3", "language": "python"}
    nbformat.write(notebook, tmp_path / "nb.ipynb")
    probe.set_function("nb.ipynb", name="nb")
    assert probe.run_function("nb").state() == "completed"

    def forked_with_notebook_libraries() -> bool:
        results = run_probe(probe)  # a run submitted while the server loads them goes to a new interpreter
        return results["parent"] != os.getpid() and results["notebook_modules"] == ["papermill", "nbconvert",
                                                                                    "nbclient"]

    wait_until(forked_with_notebook_libraries, 120, "a worker forked with the notebook libraries loaded")
