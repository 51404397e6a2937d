"""The ``job`` runtime: each run in its own OS process, detached from the kernel that started it.

Runs beyond the per-machine limit (``max_jobs``) wait as ``pending`` with no process; ``dispatch`` starts
the oldest queued runs whenever a slot frees (after a submit, when a run ends, when the reaper frees one).
A run's process leads its own process group, so ``abort`` stops the whole tree.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from ..model import is_terminal
from .processes import hostname, is_alive, process_start_time

if TYPE_CHECKING:
    from ..store.runstore import RunStore
    from .base import PreparedRun

RUNTIME = "job"


class JobHandle:
    """A submitted background run."""

    def __init__(self, uid: str, iteration: int, store_url: str) -> None:
        self.uid = uid
        self.iteration = iteration
        self.store_url = store_url
        self.exception = None

    def wait(self, timeout: float | None = None) -> str:
        """Block until the run is terminal (reaping it if its process died); return its state."""
        from ..store import get_store
        from .base import wait_until_terminal
        from .processes import reap

        store = get_store(self.store_url)
        return wait_until_terminal(store, self.uid, self.iteration, timeout, poll=0.05, on_poll=lambda: reap(store))

    def abort(self) -> None:
        from ..store import get_store

        abort_run(get_store(self.store_url), self.uid, self.iteration)


class JobRuntime:
    """Starts each run in a new Python process (``python -m runlab.runtimes.jobworker``)."""

    name = RUNTIME
    initial_state = "pending"
    in_process = False

    def submit(self, run: PreparedRun) -> JobHandle:
        from ..store import get_store

        store = get_store(run.store_url)
        dispatch(store)
        return JobHandle(run.uid, run.row["iteration"], store.url)


def dispatch(store: RunStore) -> int:
    """Start queued job runs of this machine, oldest first, while fewer than ``max_jobs`` run; returns
    how many were started."""
    from ..config import get_config

    limit = get_config().max_jobs
    started = 0
    with _dispatch_lock():
        mine = [r for r in store.live_runs()
                if r["host"] == hostname() and (r["status"] or {}).get("runtime") == RUNTIME]
        busy = sum(1 for r in mine if r["pid"] is not None)
        for run in [r for r in mine if r["pid"] is None and r["state"] == "pending"][: max(0, limit - busy)]:
            pid = _spawn(store, run["uid"], run["iteration"])
            status = {**(run["status"] or {}), "pid_started": process_start_time(pid)}
            store.update_run_if(run["uid"], run["iteration"], {"pid": pid, "status": status}, ("pending",))
            started += 1
    return started


def _dispatch_lock():
    """One dispatcher at a time on this machine, so two never fill the same free slot."""
    from ..config import get_config
    from ..filelock import file_lock

    return file_lock(Path(get_config().home) / "dispatch.lock")


def boot_log_path(uid: str, iteration: int) -> Path:
    """Where a worker's own stderr goes until it has taken over its run (kept only if it failed)."""
    from ..config import get_config

    return Path(get_config().home) / "jobs" / f"{uid}-{iteration}.err"


def _spawn(store: RunStore, uid: str, iteration: int) -> int:
    """Start the worker of a run (forked by the fork server, else a new interpreter); its pid."""
    from ..config import get_config
    from . import forkserver

    home = get_config().home
    row = store.get_run(uid, iteration) or {}
    workdir = (row.get("spec") or {}).get("workdir") or os.getcwd()
    if not os.path.isdir(workdir):
        workdir = home
    err_path = boot_log_path(uid, iteration)
    err_path.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "RUNLAB_DB_URL": store.url, "RUNLAB_HOME": home}
    env.pop("RUNLAB_RUN_UID", None)
    argv = [uid, str(iteration)]
    if os.environ.get("RUNLAB_FORKSERVER", "1") != "0":
        pid = forkserver.spawn(home, argv, env, workdir, str(err_path))
        if pid is not None:
            return pid
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
        now = time.time()
        if store.update_run_if(uid, iteration, {"state": "error", "error": reason, "end_time": now,
                                                "last_update": now}, ("pending", "running")):
            dispatch(store)
        store.update_run_if(uid, iteration, {"state": "aborted", "error": "aborted by request", "end_time": now,
                                             "last_update": now}, ("aborting",))

    threading.Thread(target=wait, name=f"runlab-job-{uid[:8]}", daemon=True).start()


def _tail(path: Path, limit: int = 2000) -> str:
    try:
        text = path.read_text(errors="replace").strip()
    except OSError:
        return ""
    return text[-limit:]


def abort_run(store: RunStore, uid: str, iteration: int = 0) -> str:
    """Stop a run: ``aborting``, then SIGTERM to its process group, SIGKILL after the grace period,
    then ``aborted``. Returns the final state (a run that already ended is left as it is)."""
    from ..config import get_config

    row = store.get_run(uid, iteration)
    if row is None:
        from ..errors import RunNotFoundError

        raise RunNotFoundError(f"run {uid} is not in the store")
    if is_terminal(row["state"]):
        return row["state"]
    store.update_run_if(uid, iteration, {"state": "aborting", "last_update": time.time()}, ("pending", "running"))
    pid, runtime = row["pid"], (row["status"] or {}).get("runtime")
    grace = get_config().abort_grace
    if runtime == "dask":
        from . import dask

        if dask.abort(uid, iteration):  # held by this process: cancelling the future records 'aborted'
            _wait_until(lambda: is_terminal(store.get_run_state(uid, iteration) or "error"), grace)
        else:
            _mark_aborted(store, uid, iteration, "aborted by request (the Dask task was left to its cluster)")
    elif runtime == RUNTIME and pid is None:
        _mark_aborted(store, uid, iteration, "aborted before it started")
    elif runtime == RUNTIME and row["host"] == hostname():
        started = (row["status"] or {}).get("pid_started")
        _signal_group(pid, signal.SIGTERM)
        if not _wait_until(lambda: not is_alive(pid, started), grace):
            _signal_group(pid, signal.SIGKILL)
            _wait_until(lambda: not is_alive(pid, started), 2.0)
        _mark_aborted(store, uid, iteration, "aborted by request")
        dispatch(store)
    elif runtime == RUNTIME:
        # another machine: its worker sees 'aborting' at its next heartbeat and stops itself
        _wait_until(lambda: is_terminal(store.get_run_state(uid, iteration) or "error"),
                    grace + 2 * get_config().heartbeat_interval)
    # an in-process run stops at its next commit; nothing here may kill the kernel that runs it
    return store.get_run_state(uid, iteration) or "aborted"


def _mark_aborted(store: RunStore, uid: str, iteration: int, reason: str) -> None:
    now = time.time()
    store.update_run_if(uid, iteration, {"state": "aborted", "error": reason, "end_time": now, "last_update": now},
                        ("aborting",))


def _signal_group(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


def _wait_until(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()
