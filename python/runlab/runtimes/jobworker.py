"""The process of one ``job`` run: ``python -m runlab.runtimes.jobworker UID ITERATION [--start-fork-server]``.

It takes over the queued run, beats a heartbeat, turns SIGTERM into an abort, and then runs the handler
through the same ``worker.execute`` as in-process runs, committing results and logs as they come. Started as
a new interpreter because no fork server answered (``--start-fork-server``), it starts the server once it
has loaded the handler: the server's imports then do not slow down its own boot.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

from ..config import get_config
from ..context import RunAborted
from ..handlers import FunctionSpec, add_source_folders
from ..record import STARTED_STATES, Owner, RunState, hostname
from ..store import get_store
from . import forkclient
from .jobqueue import RUNTIME, START_FORK_SERVER, boot_log_path, dispatch
from .processes import process_start_time
from .worker import execute


def _abort_on_sigterm(signum, frame) -> None:
    raise RunAborted("SIGTERM")


def _heartbeat(store, uid: str, iteration: int, interval: float, done: threading.Event) -> None:
    while not done.wait(interval):
        if store.get_run_state(uid, iteration) == RunState.ABORTING:
            os.kill(os.getpid(), signal.SIGTERM)
            return
        store.update_run_if(uid, iteration, {"last_update": time.time()}, STARTED_STATES)  # also between attempts


def _start_fork_server(env: dict[str, str]) -> None:
    try:
        forkclient.start_in_background(get_config().home, env)
    except OSError as exc:  # the run goes on; the next run without a server tries again
        print(f"runlab: the fork server could not be started: {exc}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    argv = list(argv or sys.argv[1:])
    uid, iteration = argv[:2]
    iteration = int(iteration)
    start_fork_server = START_FORK_SERVER in argv[2:]
    store = get_store()
    record = store.get_run(uid, iteration)
    if record is None:
        return 0
    owner = {**record.owner.to_dict(), "runtime": RUNTIME, "pid_started": process_start_time(os.getpid())}
    claim = {"state": RunState.RUNNING, "pid": os.getpid(), "host": hostname(), "last_update": time.time(),
             "owner": owner}
    if not store.update_run_if(uid, iteration, claim, (RunState.PENDING,)):
        return 0  # aborted or taken while queued
    record.state, record.pid, record.host, record.owner = RunState.RUNNING, claim["pid"], claim["host"], \
        Owner.from_dict(owner)
    signal.signal(signal.SIGTERM, _abort_on_sigterm)
    done = threading.Event()
    threading.Thread(target=_heartbeat, args=(store, uid, iteration, get_config().heartbeat_interval, done),
                     daemon=True).start()
    try:
        spec = record.spec
        add_source_folders(spec)
        submitters_env = dict(os.environ)  # the server's, without this function's set_env
        os.environ.update((spec.get("source") or {}).get("env") or {})  # the function's set_env, for this run
        try:
            handler = FunctionSpec.from_dict(spec["source"]).resolve(spec.get("handler_path") or None)
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - recorded as the run's error
            if start_fork_server:
                _start_fork_server(submitters_env)
            now = time.time()
            error = f"the file called sys.exit({exc.code!r}) while it was imported" \
                if isinstance(exc, SystemExit) else str(exc)  # its top level ran here, in the run's own process
            store.update_run(uid, iteration, {"state": RunState.ERROR, "error": f"cannot load the handler: {error}",
                                              "end_time": now, "last_update": now})
            return 1
        if start_fork_server:
            _start_fork_server(submitters_env)
        devnull = open(os.devnull, "w")  # noqa: SIM115 - the output now goes to the run's log only
        sys.stdout = sys.stderr = devnull
        outcome = execute(record, handler, store, live=True, stop="signal")
    finally:
        done.set()
        dispatch(store)
    boot_log_path(uid, iteration).unlink(missing_ok=True)  # the handler ran: its output is in the run's log
    return 0 if outcome.state == RunState.COMPLETED else 1


if __name__ == "__main__":
    sys.exit(main())
