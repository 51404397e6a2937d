"""The run cache: a run started with ``cache=True`` returns the newest completed run that read the same code,
handler, params and inputs, without running anything.

The key is a sha256 over what decides a run's outcome: its project (a hit's artifacts live in the project's
store), the code (``fingerprint.code_sha256``), the handler, the params (canonical JSON), each input's
fingerprint (its content, not its URL), the log hints (``returns``) and outputs, the script arguments and the
function's environment variables. Not in it: the function's name and kind (the same code gives the same
result as a job or in this process), the run's name and labels, the artifact path, and the installed packages.

A hit is a new run record, ``completed`` at once, labelled ``cached-from=<uid>`` (the run that did the work):
its results and status are the source's, its artifact records point at the source's files (never copies) and
its artifact path is the source's, so deleting either run leaves the files the other still records (see
``retention``), and whichever goes last takes them. A hit has no key of its own, so a later lookup always
finds the run that did the work. Only a run started with ``cache=True`` records a key: fingerprinting every
run's inputs would tax the runs that never ask for the cache.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import ValidationError
from .fingerprint import code_sha256, input_fingerprint
from .record import Owner, RunState, copy_plain

if TYPE_CHECKING:
    from .handlers import FunctionSpec, HandlerRef
    from .record import RunRecord
    from .store.runstore import RunStore

CACHED_FROM = "cached-from"
"""The label of a run the cache answered: the uid of the run that did the work."""

_VERSION = 1
"""Bumped when what goes into a key changes, so older keys stop matching instead of matching wrongly."""


@dataclass(frozen=True)
class CacheKeys:
    """What a run's keys share (everything but the params): a single run's key, or each sweep child's."""

    base: str

    def key(self, params: dict[str, Any]) -> str:
        """The cache key of a run with these params."""
        return hashlib.sha256(f"{self.base}\0{canonical(params)}".encode()).hexdigest()


def wants_cache(asked: Any, project_default: Any) -> bool:
    """Whether a run uses the cache: ``cache=`` as given, else the project's default (``project.cache``)."""
    chosen = project_default if asked is None else asked
    if not isinstance(chosen, bool):
        what = "cache" if asked is not None else "the project's cache default (project.cache)"
        raise ValidationError(f"{what} must be True or False, not {chosen!r}")
    return chosen


def cache_keys(project: str, function: FunctionSpec, ref: HandlerRef, spec: dict[str, Any],
               store: RunStore | None = None) -> CacheKeys:
    """The keys of a run about to start with ``spec`` (``launch.prepare``'s: inputs as recorded, local paths
    absolute). Reads the code and every input; ``CacheError`` when one cannot be fingerprinted."""
    inputs = {key: input_fingerprint(key, url, store) for key, url in sorted((spec.get("inputs") or {}).items())}
    parts = {
        "v": _VERSION,
        "project": project,
        "code": code_sha256(function, ref),
        "handler": ref.label,
        "inputs": inputs,
        "returns": spec.get("returns") or [],
        "outputs": spec.get("outputs") or [],
        "args": list(function.args),
        "env": dict(function.env),
        "hyperparams": spec.get("hyperparams") or {},  # a custom sweep's space: its handler makes the children
        "hyper_param_options": spec.get("hyper_param_options") or {},
    }
    return CacheKeys(canonical(parts))


def canonical(value: Any) -> str:
    """``value`` as canonical JSON: sorted keys, no spaces (equal values give equal text)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=repr)


def cached_copy(record: RunRecord, store: RunStore) -> RunRecord | None:
    """If a completed run has ``record``'s cache key, record ``record`` as its copy (completed now, with the
    source's results, status and artifacts, labelled ``cached-from=<uid>``) and return it; else None (nothing
    recorded). ``record`` keeps its uid, iteration, name and spec."""
    if not record.cache_key:
        return None
    source = store.cached_run(record.cache_key)
    if source is None:
        return None
    now = time.time()
    status = copy_plain(source.status)
    status["cached_from"] = {"uid": source.uid, "iteration": source.iteration, "name": source.name}
    record.spec = {**record.spec, "output_path": source.spec.get("output_path", "")}
    record.labels = {**record.labels, CACHED_FROM: source.uid}
    record.state, record.error = RunState.COMPLETED, None
    record.results, record.status = copy_plain(source.results), status
    record.start_time = record.last_update = record.end_time = now
    record.pid, record.owner, record.cache_key = None, Owner(kernel=record.owner.kernel), None
    where = f"{source.uid}" + (f" iteration {source.iteration}" if source.iteration else "")
    log = (f"cached: nothing ran; the results and artifacts are those of run {source.name} ({where}), which ran the "
           "same code, handler, params and inputs\n")
    store.create_cached_run(record, source.artifacts, log)
    return record
