"""The ``dask`` runtime: runs execute on a dask.distributed cluster; this process records them.

The cluster is, in order: the client given to :func:`set_dask_client`, the scheduler at ``RUNLAB_DASK_ADDRESS``
(config ``dask_address``), or a ``LocalCluster`` started on first use and reused. A Dask worker needs no
access to the store: it runs the handler through the same ``worker.execute`` with a collecting stand-in
for the store, writes artifacts to the artifact path through fsspec, and returns results, log and
artifact records; the submitting process records them. So the artifact path (and file inputs) must be
storage the workers share when the cluster is remote.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import os
import threading
import time
from typing import TYPE_CHECKING, Any

from .. import process
from ..bounds import RunBounds, timed_out
from ..config import get_config
from ..errors import ClusterUnavailableError, ValidationError
from ..handlers import FunctionSpec, add_source_folders
from ..record import LIVE_STATES, Owner, RunState
from ..store import get_store
from . import clock
from .base import RuntimeBase, announce_end, expect_end, wait_until, wait_until_terminal
from .processes import process_start_time
from .worker import execute

if TYPE_CHECKING:
    from ..record import RunRecord
    from ..store.runstore import RunStore
    from .base import PreparedRun

RUNTIME = "dask"
_UNLESS_ABORTING = tuple(state for state in LIVE_STATES if state != RunState.ABORTING)
_client = None
_cluster = None
_handles: dict[tuple[str, int], DaskHandle] = {}
_events_topics: dict[str, str] = {}  # client id -> the topic its runs' live events come on (subscribed once)
_functions: dict[str, FunctionSpec] = {}  # on a worker: the repr of a run's source dict -> its function
_FUNCTIONS_KEPT = 64
_functions_lock = threading.Lock()
_lock = threading.Lock()
_writer = None
_writer_lock = threading.Lock()


def set_dask_client(client: Any) -> None:
    """Run ``dask`` functions on this ``distributed.Client`` (None: back to the default choice)."""
    global _client
    _client = client


def get_client() -> Any:
    """The Dask client runs are submitted to (connecting or starting a LocalCluster on first use)."""
    global _client, _cluster
    with _lock:
        if _client is not None and _client.status == "running":
            return _client
        from distributed import Client, LocalCluster

        address = get_config().dask_address
        if address:
            timeout = get_config().dask_connect_timeout
            try:
                _client = Client(address, timeout=timeout, set_as_default=False)
            except (OSError, TimeoutError) as exc:
                raise ClusterUnavailableError(
                    f"no Dask scheduler answered at {address} within {timeout:g} s ({exc}); start it, fix "
                    "RUNLAB_DASK_ADDRESS, or unset it to use a local cluster"
                ) from exc
        else:
            _cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
            _client = Client(_cluster, set_as_default=False)
        return _client


def _is_remote(client: Any) -> bool:
    return _cluster is None or client.scheduler.address != _cluster.scheduler_address


def _write_in_order(func: Any, *args: Any) -> None:
    """Store writes for Dask runs happen on one thread, in arrival order, off the client's event loop."""
    global _writer
    with _writer_lock:
        if _writer is None:
            from concurrent.futures import ThreadPoolExecutor

            _writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="runlab-dask-writer")
        writer = _writer
    writer.submit(func, *args).add_done_callback(_report_failure)


def _report_failure(done: Any) -> None:
    if done.exception() is not None:  # a lost write must not vanish silently; the reaper is the backstop
        import logging

        logging.getLogger("runlab").error("recording a Dask run failed", exc_info=done.exception())


def topic(uid: str, iteration: int) -> str:
    """The Dask key of a run's task."""
    return f"runlab-{uid}-{iteration}"


def _events_topic(client: Any) -> str:
    """The one topic the live events of every run submitted through ``client`` come on, subscribed on first
    use: no subscription per run (two scheduler messages fewer), and one bounded event log on the scheduler."""
    with _lock:
        name = _events_topics.get(client.id)
        if name is None:
            name = _events_topics[client.id] = f"runlab-events-{client.id}"
            client.subscribe_topic(name, _on_event)
        return name


def _on_event(event: Any) -> None:
    """A live event of one of this process's runs (on the client's event loop): to its handle."""
    message = event[1]
    handle = _handles.get((message.get("uid"), message.get("iteration")))
    if handle is not None:
        handle.on_event(message)


class DaskHandle:
    """A run submitted to Dask. The worker streams its state, log and results as Dask events; this
    process writes them to the store as they come, and records the end when the future completes."""

    def __init__(self, uid: str, iteration: int, store: RunStore, future: Any = None) -> None:
        self.uid, self.iteration, self.store, self.future = uid, iteration, store, future
        self.exception = None
        self._logged: set[int] = set()

    def on_event(self, message: dict[str, Any]) -> None:
        _write_in_order(self._apply_event, message)

    def _apply_event(self, message: dict[str, Any]) -> None:
        if self.future is not None and self.future.done():
            return  # the run's end is on its way (queued behind this): it records all of this at once
        if "state" in message:
            self.store.update_run_if(self.uid, self.iteration, {"state": message["state"], "last_update": time.time()},
                                     (RunState.PENDING,))
        if "attempt" in message:  # between two attempts of a run with retries
            attempt = message["attempt"]
            self.store.update_run_if(self.uid, self.iteration, {**attempt, "last_update": time.time()},
                                     (RunState.PENDING, RunState.RUNNING))
        if "log" in message:
            offset, text, stamps = message["log"]
            if offset not in self._logged:
                self._logged.add(offset)
                self.store.append_log(self.uid, self.iteration, offset, text, stamps)
        if "results" in message:
            self.store.update_run_if(self.uid, self.iteration, {"results": message["results"],
                                                                "last_update": time.time()}, (RunState.RUNNING,))

    def wait(self, timeout: float | None = None) -> RunState:
        # this process records the end and wakes the waiter: the store is read now and then only
        return wait_until_terminal(self.store, self.uid, self.iteration, timeout, poll=0.25)

    def abort(self) -> None:
        self.future.cancel()

    async def collect(self, client: Any) -> None:
        """On the client's event loop: wait for the task and fetch what it returned as soon as it ends (as
        ``future.result()`` does, with no thread in between), then hand it to the writer thread."""
        outcome = None
        with contextlib.suppress(BaseException):  # cancelled or failed: record() reads which from the future
            outcome = await client.gather(self.future, asynchronous=True)
        _write_in_order(self.record, self.future, outcome)

    def record(self, future: Any, outcome: dict[str, Any] | None = None) -> None:
        """Write what the worker returned (``outcome``, fetched already, or else from the future) or why it
        failed to the store."""
        now = time.time()
        ran = False  # the handler ran to its end on the worker
        logs: list[tuple[int, str, str | None]] = []  # chunks whose event was lost (or never sent): with the end
        try:
            if outcome is None and future.cancelled():
                changes: dict[str, Any] = {"state": RunState.ABORTED, "error": "aborted by request"}
            elif outcome is None and future.exception() is not None:
                exc = future.exception()
                changes = {"state": RunState.ERROR,
                           "error": f"the Dask task failed: {type(exc).__name__}: {exc}"}
            else:
                outcome, ran = outcome if outcome is not None else future.result(), True
                for row in outcome["artifacts"]:
                    self.store.add_artifact({k: v for k, v in row.items() if k not in ("id", "version")})
                for offset, text, stamps in outcome["log"]:
                    if offset not in self._logged:
                        self._logged.add(offset)
                        logs.append((offset, text, stamps))
                changes = outcome["changes"]
            changes = {**changes, "end_time": changes.get("end_time", now), "last_update": now}
            uid, iteration = self.uid, self.iteration
            # one conditional write (with the log); only when it finds an abort asked meanwhile, a second: the
            # run that ran to its end is then recorded aborted, keeping what it recorded
            if not self.store.update_run_if(uid, iteration, changes, _UNLESS_ABORTING if ran else LIVE_STATES,
                                            logs=logs) and ran:
                self.store.update_run_if(uid, iteration, {**changes, "state": RunState.ABORTED,
                                                          "error": "aborted by request"}, (RunState.ABORTING,))
        finally:
            _handles.pop((self.uid, self.iteration), None)
            announce_end(self.uid, self.iteration)


class DaskRuntime(RuntimeBase):
    """Submits runs to a Dask cluster; this process records them (it owns them for the reaper)."""

    name = RUNTIME
    initial_state = RunState.PENDING
    in_process = False

    def validate(self, record: RunRecord) -> None:
        """Before the run is recorded: reach the cluster, and refuse paths its workers cannot see."""
        client = get_client()
        if _is_remote(client) and not get_config().dask_shared_fs:
            _check_shared(record.spec)

    def claim(self, record: RunRecord) -> None:
        """This process owns the run (for the reaper) and the task's key is known: both are recorded with the
        run, which spares a write per run."""
        record.pid = os.getpid()
        record.owner = Owner(runtime=record.owner.runtime or RUNTIME, pid_started=_own_start_time(record.pid),
                             dask_key=topic(record.uid, record.iteration), kernel=record.owner.kernel)

    def submit(self, run: PreparedRun) -> DaskHandle:
        store = get_store(run.store_url)
        client = get_client()
        record = run.record
        uid, iteration = record.uid, record.iteration
        payload = {"record": dataclasses.replace(record, artifacts=[]),
                   "taken": store.artifact_targets_under(record.spec["output_path"]),
                   "events": _events_topic(client)}
        key = topic(uid, iteration)
        if record.owner.dask_key != key or record.pid != os.getpid():  # not claimed when it was recorded
            self.claim(record)
            store.update_run_if(uid, iteration, {"owner": record.owner.to_dict(), "pid": record.pid}, LIVE_STATES)
        handle = DaskHandle(uid, iteration, store)
        expect_end(uid, iteration)
        handle.future = client.submit(run_on_worker, payload, key=key, pure=False)
        _handles[(uid, iteration)] = handle  # before its first live event, sent 0.1 s into the run at the soonest
        client.loop.add_callback(handle.collect, client)
        bounds = RunBounds.from_spec(record.spec)
        if bounds.timeout is not None:
            clock.call_later(_budget(bounds), lambda: _stop_overdue(client, handle, bounds.timeout or 0))
        return handle

    def abort(self, store: RunStore, record: RunRecord) -> None:
        """Cancel the Dask future when this process holds it (its end is recorded as ``aborted``); a run
        submitted by another process is marked ``aborted`` and its task left to the cluster."""
        uid, iteration = record.uid, record.iteration
        handle = _handles.get((uid, iteration))
        if handle is not None:
            handle.future.cancel()
            wait_until(lambda: (store.get_run_state(uid, iteration) or RunState.ERROR).is_terminal,
                       get_config().abort_grace)
            return
        now = time.time()
        store.update_run_if(uid, iteration, {"state": RunState.ABORTED, "end_time": now, "last_update": now,
                                             "error": "aborted by request (the Dask task was left to its cluster)"},
                            (RunState.ABORTING,))


def _budget(bounds: RunBounds) -> float:
    """How long a run with a timeout may take in all on a worker, every attempt and delay included, before its
    worker is deemed stuck (a thread inside one long native call never sees the timeout raised in it)."""
    grace = get_config().abort_grace
    delays = sum(bounds.delay_before(n) for n in range(2, bounds.attempts + 1))
    return bounds.attempts * (bounds.timeout or 0) + delays + bounds.attempts * grace


def _stop_overdue(client: Any, handle: DaskHandle, timeout: float) -> None:
    """The run is past its whole budget: record it timed out, cancel its task and restart the worker running
    it (a worker's restart ends its process tree; the cancel keeps the task from running again elsewhere)."""
    if handle.future is None or handle.future.done():
        return
    key = handle.future.key
    workers = [address for address, keys in client.processing().items() if key in keys]
    now = time.time()
    handle.store.update_run_if(handle.uid, handle.iteration, {
        "state": RunState.ERROR, "error": timed_out(timeout), "end_time": now, "last_update": now}, _UNLESS_ABORTING)
    handle.future.cancel()
    if workers:
        client.restart_workers(workers)


@functools.lru_cache(maxsize=1)
def _own_start_time(pid: int) -> int | None:
    """This process's start time (keyed by pid: a forked child has its own)."""
    return process_start_time(pid)


def _check_shared(spec: dict[str, Any]) -> None:
    for what, url in [("artifact path", spec["output_path"]), *(
            (f"input {k!r}", v) for k, v in spec.get("inputs", {}).items())]:
        if "://" not in url or url.startswith("file://"):
            raise ValidationError(
                f"the {what} {url} is on this machine's disk, which the workers of a remote Dask cluster cannot "
                "see: use shared storage (s3://, gcs://, ...), or set RUNLAB_DASK_SHARED_FS=1 if the path is a "
                "mount every worker shares"
            )


# -- the worker side -------------------------------------------------------------------------------


class _CollectingStore:
    """What a handler records on a Dask worker, kept in memory and returned to the submitting process."""

    url = "dask-worker"

    def __init__(self, taken: list[str], publish: Any) -> None:
        self.changes: dict[str, Any] = {}
        self.log: list[tuple[int, str, str | None]] = []
        self.artifacts: list[dict[str, Any]] = []
        self.taken = set(taken)
        self._publish = publish

    def update_run(self, uid: str, iteration: int, changes: dict[str, Any],
                   log: tuple[int, str, str | None] | None = None):
        self.changes.update(changes)
        if log:
            self.append_log(uid, iteration, *log)
        if "state" not in changes and "results" in changes:
            self._publish({"results": changes["results"]})

    def append_log(self, uid: str, iteration: int, offset: int, text: str, stamps: str | None = None) -> None:
        self.log.append((offset, text, stamps))
        self._publish({"log": [offset, text, stamps]})

    def add_artifact(self, row: dict[str, Any]) -> dict[str, Any]:
        self.taken.add(row["target"])
        row = {**row, "id": 0, "version": 0}
        self.artifacts.append(row)
        return row

    def artifact_target_taken(self, target: str) -> bool:
        return target in self.taken

    def next_artifact_version(self, project: str, key: str) -> int:
        return 2

    def get_run_state(self, uid: str, iteration: int = 0) -> RunState:
        return RunState.RUNNING

    def get_run_fields(self, uid: str, iteration: int, *names: str) -> dict[str, Any]:
        return {name: self.changes.get(name) for name in names}

    def update_run_if(self, uid: str, iteration: int, changes: dict[str, Any], states: Any) -> bool:
        """Between two attempts: the run waits for its next one (``pending``), then runs it; sent live."""
        self.changes.update(changes)
        self._publish({"attempt": {"state": RunState(changes["state"]).value, "status": changes.get("status")}})
        return True


class _LiveEvents:
    """Sends a run's live events (state, log, results) from the worker, once the run has gone on for
    ``LIVE_AFTER`` seconds: a shorter run sends none (its result carries it all), which spares the scheduler
    and the submitting process a few messages and store writes per run."""

    LIVE_AFTER = 0.1

    def __init__(self, worker: Any, name: str, run: dict[str, Any]) -> None:
        self._worker, self._name, self._run = worker, name, run
        self._held: list[dict[str, Any]] | None = []  # None once live
        self._lock = threading.Lock()
        self._timer = clock.call_later(self.LIVE_AFTER, self._go_live)

    def publish(self, message: dict[str, Any]) -> None:
        with self._lock:
            if self._held is not None:
                self._held.append(message)
                return
        self._send(message)

    def _go_live(self) -> None:
        with self._lock:
            held, self._held = self._held, None
        for message in held or []:
            self._send(message)

    def _send(self, message: dict[str, Any]) -> None:
        with contextlib.suppress(Exception):  # events only make the run live; the result carries it all
            self._worker.log_event(self._name, {**message, **self._run})

    def close(self) -> None:
        """The run ended: what is still held is never sent."""
        clock.cancel(self._timer)
        with self._lock:
            self._held = None


def _function(source: dict[str, Any]) -> FunctionSpec:
    """The function of a run's source dict, built once per worker process for each version of the dict (its
    handler is still resolved per run, so a changed file is loaded again)."""
    key = repr(source)  # plain data (the dict is stored as JSON): equal text, equal function
    with _functions_lock:
        function = _functions.get(key)
    if function is None:
        function = FunctionSpec.from_dict(source)
        with _functions_lock:
            if len(_functions) >= _FUNCTIONS_KEPT:
                _functions.pop(next(iter(_functions)))  # the oldest
            _functions[key] = function
    return function


def run_on_worker(payload: dict[str, Any]) -> dict[str, Any]:
    """Executed by a Dask worker: run the handler and return what it recorded."""
    record = payload["record"]
    spec = record.spec
    add_source_folders(spec)
    from distributed import get_worker

    events = _LiveEvents(get_worker(), payload["events"], {"uid": record.uid, "iteration": record.iteration})
    try:
        events.publish({"state": RunState.RUNNING.value})
        store = _CollectingStore(payload["taken"], events.publish)
        handler = _function(spec["source"]).resolve(spec.get("handler_path") or None)
        execute(record, handler, store, live=True, echo=False, stop="thread")  # type: ignore[arg-type]
    finally:
        events.close()
    return {"changes": store.changes, "log": store.log, "artifacts": store.artifacts}


def _reset() -> None:
    """Stop the LocalCluster runlab started (and its client) and the writer thread; a client the user gave
    (``set_dask_client``) stays."""
    global _client, _cluster, _writer
    with _lock:
        client, cluster = _client, _cluster
        if cluster is not None:
            _client, _cluster = None, None
    with _writer_lock:
        writer, _writer = _writer, None
    if writer is not None:
        writer.shutdown(wait=True)
    _events_topics.clear()
    _functions.clear()
    if cluster is not None:
        _handles.clear()
        with contextlib.suppress(Exception):
            client.close()
            cluster.close()


process.on_reset("runtimes.dask", "the LocalCluster runlab started, its client, the writer thread, the events topics, "
                 "the function specs a worker built",
                 _reset)
