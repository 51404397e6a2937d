"""Background notebook runs in warm kernels from the fork server's pool: each run gets its own folder,
environment, params and a fresh namespace, and no kernel outlives its run, its worker or the server."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import nbformat
import pytest

import runlab
from forkservers import fork_servers
from runlab.runtimes.processes import is_alive
from runlab.store import get_store
from waiting import wait_until

pytestmark = pytest.mark.slow

PROBE = """\
import os, sys
import runlab
context = runlab.get_or_create_ctx('probe')
context.log_result('x', x)
context.log_result('cwd', os.getcwd())
context.log_result('uid_env', os.environ.get('RUNLAB_RUN_UID'))
context.log_result('only_a', os.environ.get('ONLY_A'))
context.log_result('only_b', os.environ.get('ONLY_B'))
context.log_result('kernel_ppid', os.getppid())
context.log_result('leftover_seen', 'leftover' in globals())
context.log_result('pool_folder_in_path', any('kernels' in p for p in sys.path))
leftover = x
"""


def make_notebook(path: Path, *cells: str) -> None:
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.cells = [nbformat.v4.new_code_cell("x = 0", metadata={"tags": ["parameters"]})]
    notebook.cells += [nbformat.v4.new_code_cell(source) for source in cells]
    nbformat.write(notebook, path)


def kernels_of(home: Path) -> list[int]:
    """Live kernel processes of this test's home: pool kernels have their connection file under it."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if b"ipykernel" in argv and str(home).encode() in argv and is_alive(int(entry.name)):
            pids.append(int(entry.name))
    return pids


def warm(run) -> bool:
    """The run's kernel was started ahead of time by the fork server, not by the run's own worker."""
    return run.status.results["kernel_ppid"] != run.status.pid


@pytest.fixture
def probes(tmp_path):
    make_notebook(tmp_path / "probe.ipynb", PROBE)
    project = runlab.get_or_create_project("pool", context=str(tmp_path))
    for name, var in (("probe-a", "ONLY_A"), ("probe-b", "ONLY_B")):
        fn = project.set_function("probe.ipynb", name=name)
        fn.set_env(var, name)
        project.set_function(fn)
    return project


def run_until_warm(project, max_runs=6):
    """Run probe-a and probe-b in turn until a run got a warm kernel (the first runs start the fork server
    and its pool); all the runs, the warm one last."""
    runs = []
    for i in range(max_runs):
        run = project.run_function("probe-a" if i % 2 == 0 else "probe-b", params={"x": i + 1})
        assert run.state() == "completed", run.error
        runs.append(run)
        if warm(run):
            return runs
    pytest.fail(f"none of {max_runs} runs got a warm kernel")


def test_a_warm_kernel_takes_the_runs_folder_environment_and_params(probes, tmp_path):
    runs = run_until_warm(probes)
    run = runs[-1]
    mine, other = ("only_a", "only_b") if run.metadata.name == "probe-a" else ("only_b", "only_a")
    results = run.status.results
    assert results["x"] == len(runs), "the run's params"
    assert results["cwd"] == str(tmp_path), "the notebook's folder, not the pool's"
    assert results["uid_env"] == run.uid(), "RUNLAB_RUN_UID of this run"
    assert results[mine] == run.metadata.name, "the function's set_env"
    assert results[other] is None, "the kernel was started with the other function's variables: they are gone"
    assert results["pool_folder_in_path"] is False
    assert not any(r.status.results["leftover_seen"] for r in runs), "each run starts with a fresh namespace"
    assert len({r.status.results["kernel_ppid"] for r in runs if warm(r)}) == 1, "kernels of the one server"


def test_no_pool_kernel_outlives_the_fork_server(probes, runlab_home):
    run_until_warm(probes)
    wait_until(lambda: kernels_of(runlab_home), what="the pool to start its next kernel")
    (server,) = fork_servers(runlab_home)
    os.kill(server, signal.SIGKILL)  # no chance to stop its kernels itself
    wait_until(lambda: not kernels_of(runlab_home), what="the kernels to die with their server")


def test_an_idle_fork_server_stops_its_kernels_and_removes_their_files(probes, runlab_home, monkeypatch):
    monkeypatch.setenv("RUNLAB_FORKSERVER_IDLE", "3")
    for _ in range(6):  # the first run may start before the server answers: then it starts no pool
        probes.run_function("probe-a")
        if kernels_of(runlab_home):
            break
    assert kernels_of(runlab_home), "a notebook run started the pool"
    wait_until(lambda: not fork_servers(runlab_home), what="the idle server to exit")
    wait_until(lambda: not kernels_of(runlab_home), what="its kernels to stop")
    assert not list((runlab_home / "kernels").rglob("*.json"))


@pytest.mark.parametrize("how", ["abort", "worker-killed"])
def test_a_warm_kernel_dies_with_its_run(probes, tmp_path, runlab_home, how):
    run_until_warm(probes)
    make_notebook(tmp_path / "sleep.ipynb", "import os, time\nprint('kernel', os.getpid(), flush=True)\ntime.sleep(60)")
    probes.set_function("sleep.ipynb", name="sleep")
    run = probes.run_function("sleep", watch=False)
    wait_until(lambda: "kernel" in get_store().read_log(run.uid())[0], what="the notebook to start")
    kernel = int(get_store().read_log(run.uid())[0].split("kernel")[1].split()[0])
    assert kernel in kernels_of(runlab_home), "the run got a kernel of the pool"
    if how == "abort":
        assert run.abort() == "aborted"
    else:
        os.kill(run.refresh().status.pid, signal.SIGKILL)  # the worker cannot stop its kernel: the server does
    wait_until(lambda: not is_alive(kernel), what="the kernel to die")


def test_a_pool_of_zero_starts_no_kernel_ahead(probes, runlab_home, monkeypatch):
    monkeypatch.setenv("RUNLAB_KERNEL_POOL", "0")
    for i in range(3):
        run = probes.run_function("probe-a", params={"x": i})
        assert not warm(run)
        assert not kernels_of(runlab_home)
