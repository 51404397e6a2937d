"""How a run executes. Each runtime is one small module implementing :class:`~.base.Runtime`.

Runtimes are found by name in a registry (built-ins below, plus the ``runlab.runtimes`` entry-point
group), never by ``if kind == ...``: a run records the runtime that owns it (``RunRecord.owner``), and
aborting or waiting for it asks that runtime.
"""

from __future__ import annotations

import importlib
import time
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from typing import TYPE_CHECKING

from .. import process
from ..errors import RunNotFoundError, UnsupportedError
from ..record import STARTED_STATES, RunState
from .base import Runtime
from .processes import reap

if TYPE_CHECKING:
    from ..store.runstore import RunStore

_BUILTIN = {
    "local": "runlab.runtimes.local:LocalRuntime",
    "job": "runlab.runtimes.job:JobRuntime",
    "dask": "runlab.runtimes.dask:DaskRuntime",
}
_classes: dict[str, type[Runtime]] = {}
"""Runtime classes by ``module:class``, once imported: every run asks for its runtime."""
_RECOVER_EVERY = 1.0  # seconds between two recover passes of one store in one process
_last_recover: dict[str, float] = {}
_IN_PROCESS_OWNERS = ("", "sweep", "custom")
"""Owners recorded by earlier versions for runs driven by a thread of the submitting process."""


def available_runtimes() -> list[str]:
    """Names of every runtime this installation can use."""
    return sorted(set(_BUILTIN) | set(_entry_points()))


def get_runtime(name: str) -> Runtime:
    """The runtime registered under ``name``."""
    target = _BUILTIN.get(name) or _entry_points().get(name)
    if target is None:
        raise UnsupportedError(
            f"no runtime named {name!r}: available runtimes are {', '.join(available_runtimes())}"
        )
    cls = _classes.get(target)
    if cls is None:
        module_name, _, attr = target.partition(":")
        cls = _classes[target] = getattr(importlib.import_module(module_name), attr)
    return cls()


def runtime_for(kind: str, in_process: bool = False, side_by_side: bool = False) -> Runtime:
    """The runtime that runs a function of ``kind``: this process for ``local`` functions and ``local=True``
    (``in_process``), except sweep children run ``side_by_side``, which need processes of their own; a
    notebook in a process of its own (its kernel); any other kind, the runtime of that name."""
    if kind == "local" or in_process:
        return get_runtime("job" if side_by_side else "local")
    return get_runtime("job" if kind == "notebook" else kind)


def owner_runtime(name: str) -> Runtime:
    """The runtime that owns a run recorded with owner ``name``."""
    return get_runtime("local" if name in _IN_PROCESS_OWNERS else name)


def abort_run(store: RunStore, uid: str, iteration: int = 0) -> RunState:
    """Stop a run: ``aborting``, then its runtime stops it (a background run's process tree is killed after
    the grace period; an in-process run stops at its next commit; a sweep starts no more children and stops
    those in flight). Returns the state it is in afterwards; a run that already ended is left as it is."""
    record = store.get_run(uid, iteration)
    if record is None:
        raise RunNotFoundError(f"run {uid} (iteration {iteration}) is not in the store")
    if record.is_terminal:
        return record.state
    now = time.time()
    store.update_run_if(uid, iteration, {"state": RunState.ABORTING, "last_update": now}, STARTED_STATES)
    if iteration == 0:  # a sweep's children too, so one running in the sweep's process stops at its next commit
        for child in store.live_runs():
            if child.uid == uid and child.iteration:
                store.update_run_if(uid, child.iteration, {"state": RunState.ABORTING, "last_update": now},
                                    STARTED_STATES)
    owner_runtime(record.owner.runtime).abort(store, record)
    return store.get_run_state(uid, iteration) or RunState.ABORTED


def abort_runs(store: RunStore, uid: str, iterations: list[int]) -> None:
    """Abort several iterations of a run at once (each may take the grace period to stop)."""
    if len(iterations) < 2:
        for iteration in iterations:
            abort_run(store, uid, iteration)
        return
    with ThreadPoolExecutor(max_workers=len(iterations), thread_name_prefix="runlab-abort") as pool:
        list(pool.map(lambda iteration: abort_run(store, uid, iteration), iterations))  # raises what one raised


def recover(store: RunStore, force: bool = False) -> list[tuple[str, int]]:
    """Mark runs whose owner died (the reaper), then let every runtime start runs waiting for a free slot
    (a slot may have been freed by a death someone else recorded); returns the reaped runs. At most once a
    second per store unless ``force``: waiters call it on every poll."""
    now = time.monotonic()
    if not force and now - _last_recover.get(store.url, -_RECOVER_EVERY) < _RECOVER_EVERY:
        return []
    _last_recover[store.url] = now
    reaped = reap(store, force=force)
    for name in _BUILTIN:
        get_runtime(name).start_queued(store)
    return reaped


@lru_cache(maxsize=1)
def _entry_points() -> dict[str, str]:
    from importlib.metadata import entry_points

    return {ep.name: ep.value for ep in entry_points(group="runlab.runtimes")}


def _reset() -> None:
    _entry_points.cache_clear()
    _last_recover.clear()


process.on_reset("runtimes", "the runtimes found through entry points, when each store was last recovered", _reset)
