"""The queue of ``job`` runs on this machine: start the oldest queued runs while fewer than ``max_jobs`` run.

A run waits as ``pending`` with no process until ``dispatch`` gives it one: after a submit, when a run
ends, and when the reaper frees a slot (``JobRuntime.start_queued``). Each worker is forked by the fork
server when it answers, else started as a new interpreter at once (which then starts the server in the
background for later runs); either way it leads its own process group.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import get_config
from ..errors import StoreError
from ..filelock import file_lock
from ..record import RunState, hostname
from . import forkclient
from .processes import process_start_time, record_death

if TYPE_CHECKING:
    from ..store.runstore import RunStore

RUNTIME = "job"
START_FORK_SERVER = "--start-fork-server"
"""Told to a worker started as a new interpreter because no fork server answered: start one once booted."""


def dispatch(store: RunStore) -> int:
    """Start queued job runs of this machine, oldest first, while fewer than ``max_jobs`` run; returns
    how many were started."""
    limit = get_config().max_jobs
    started = 0
    with file_lock(Path(get_config().home) / "dispatch.lock"):  # two dispatchers never fill one free slot
        mine = [r for r in store.live_run_owners(hostname()) if r.owner.runtime == RUNTIME]
        busy = sum(1 for r in mine if r.pid is not None)
        queued = [r for r in mine if r.pid is None and r.state == RunState.PENDING]
        for waiting in queued[: max(0, limit - busy)]:
            run = store.get_run(waiting.uid, waiting.iteration)  # its spec: where and what it runs
            if run is None or run.state != RunState.PENDING:
                continue  # deleted or aborted meanwhile
            pid = _spawn(store, run.uid, run.iteration, run.spec.get("workdir"), _runs_notebook(run.spec))
            owner = {**run.owner.to_dict(), "pid_started": process_start_time(pid)}
            store.update_run_if(run.uid, run.iteration, {"pid": pid, "owner": owner}, (RunState.PENDING,))
            started += 1
    return started


def boot_log_path(uid: str, iteration: int) -> Path:
    """Where a worker's own stderr goes until it has taken over its run (kept only if it failed)."""
    return Path(get_config().home) / "jobs" / f"{uid}-{iteration}.err"


def _runs_notebook(spec: dict) -> bool:
    return str((spec.get("source") or {}).get("filename") or "").endswith(".ipynb")


def _spawn(store: RunStore, uid: str, iteration: int, workdir: str | None, notebook: bool = False) -> int:
    """Start the worker of a run (forked by the fork server when it is up, else a new interpreter at once);
    its pid."""
    config = get_config()
    home = config.home
    workdir = workdir or os.getcwd()
    if not os.path.isdir(workdir):
        workdir = home
    err_path = boot_log_path(uid, iteration)
    err_path.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "RUNLAB_DB_URL": store.url, "RUNLAB_HOME": home}
    env.pop("RUNLAB_RUN_UID", None)
    argv = [uid, str(iteration)]
    if config.forkserver:
        pid = forkclient.spawn(home, argv, env, workdir, str(err_path), notebook=notebook)
        if pid is not None:
            return pid
        argv.append(START_FORK_SERVER)
    with open(err_path, "wb") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "runlab.runtimes.jobworker", *argv],
            cwd=workdir, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
            start_new_session=True,  # its own session: a kernel restart does not stop it; abort kills the group
        )
    _watch_exit(store, proc, uid, iteration)
    return proc.pid


def _watch_exit(store: RunStore, proc: subprocess.Popen, uid: str, iteration: int) -> None:
    """While this process lives, collect the worker's exit and record it at once if it died silently."""

    def wait() -> None:
        code = proc.wait()
        if code == 0:
            return
        how = f"was killed by signal {-code}" if code < 0 else f"exited with code {code}"
        tail = _tail(boot_log_path(uid, iteration))
        reason = f"process {proc.pid} {how} without reporting" + (f": {tail}" if tail else "")
        with contextlib.suppress(StoreError):  # the store went away meanwhile: the reaper is the backstop
            record_death(store, uid, iteration, reason)
            dispatch(store)

    threading.Thread(target=wait, name=f"runlab-job-{uid[:8]}", daemon=True).start()


def _tail(path: Path, limit: int = 2000) -> str:
    try:
        text = path.read_text(errors="replace").strip()
    except OSError:
        return ""
    return text[-limit:]
