"""Hyper-parameter runs: a parent run (iteration 0) and one child run per parameter set (iterations 1..N).

Children run one after another in the function's own runtime, each a full run with the parent's uid and
its own iteration. The parent records the iteration table, the best child (by selector), and the
``iteration_results`` dataset; a progress bar shows the sweep while it is watched.
"""

from __future__ import annotations

import dataclasses
import json
import os
import threading
import time
from typing import TYPE_CHECKING, Any

from .context import RunContext
from .data import get_dataitem
from .errors import ValidationError
from .hyper import HyperParamOptions, StopCondition, expand, parse_selector, plain_value
from .record import LIVE_STATES, Owner, RunState
from .runcache import cached_copy
from .runtimes import abort_runs, recover
from .runtimes.base import PreparedRun
from .sweepsummary import iteration_row, summarize
from .values import storable_params

if TYPE_CHECKING:
    from .handlers import HandlerRef
    from .record import RunRecord
    from .runcache import CacheKeys
    from .runtimes.base import Runtime
    from .store.runstore import RunStore


class Sweep:
    """A validated sweep, ready to record and run."""

    def __init__(self, param_sets: list[dict[str, Any]], options: HyperParamOptions,
                 space: dict[str, list[Any]]) -> None:
        self.param_sets = param_sets
        self.options = options
        self.space = space
        self.stop = StopCondition(options.stop_condition) if options.stop_condition else None
        self.cache: CacheKeys | None = None
        """Set for a sweep run with ``cache=True``: a child whose params ran before is answered by the cache."""

    def start(self, template: RunRecord, runtime: Runtime, ref: HandlerRef, store: RunStore, watch: bool) -> None:
        """Record the parent, then run the children (each a copy of ``template`` with its own params): here,
        or, for ``watch=False`` with children in processes of their own, on a thread of this process (which
        owns the parent: if it dies, the reaper ends it)."""
        parent = dataclasses.replace(
            template, state=RunState.RUNNING, pid=os.getpid(),
            owner=Owner(runtime="local", kernel=template.owner.kernel),
            spec={**template.spec, "hyperparams": self.space, "hyper_param_options": self.options.to_dict()})
        store.create_run(parent)
        args = (parent, template, runtime, ref, store, watch)
        if watch or runtime.in_process:
            self.run(*args)
        else:
            threading.Thread(target=self.run, args=args, name=f"runlab-sweep-{parent.uid[:8]}", daemon=True).start()

    def run(self, parent: RunRecord, template: RunRecord, runtime: Runtime, ref: HandlerRef, store: RunStore,
            watch: bool) -> None:
        """Run every child of a recorded parent, and end the parent."""
        try:
            self._run_children(parent, template, runtime, ref, store, watch)
        except BaseException as exc:  # an interrupt or a store failure: the parent must not stay 'running'
            abort_runs(store, parent.uid, [child.iteration for child in store.live_runs()
                                           if child.uid == parent.uid and child.iteration])
            interrupted = isinstance(exc, KeyboardInterrupt)
            reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            now = time.time()
            store.update_run_if(parent.uid, 0, {"state": RunState.ABORTED if interrupted else RunState.ERROR,
                                                "error": f"the sweep stopped: {reason}",
                                                "end_time": now, "last_update": now}, LIVE_STATES)
            raise

    def _run_children(self, parent: RunRecord, template: RunRecord, runtime: Runtime, ref: HandlerRef,
                      store: RunStore, watch: bool) -> None:
        total = len(self.param_sets)
        bar = _progress(total, parent.name) if watch else None
        best = _RunningBest(self.options.selector)
        table: list[dict[str, Any]] = []
        finished: list[tuple[int, dict[str, Any]]] = []
        failures = 0
        stopped = ""
        failed_condition = ""
        width = max(1, self.options.parallel_runs or 1)
        waiting = list(enumerate(self.param_sets, start=1))
        running: dict[int, dict[str, Any]] = {}
        over: dict[int, tuple[RunState, dict[str, Any]]] = {}  # in-process children: how each ended, as stored
        aborted = False
        while (waiting or running) and not stopped and not aborted:
            while waiting and len(running) < width:
                # Asked from any process: read before each child (one primary-key read), so a sweep that was
                # asked to abort never starts another child; an in-process child hears of it only through us.
                if _abort_asked(store, parent.uid):
                    aborted = True
                    break
                iteration, values = waiting.pop(0)
                child = template.child(iteration, values)
                if self.cache is not None:
                    child.cache_key = self.cache.key(child.spec["parameters"])
                    if cached_copy(child, store) is not None:  # recorded completed: nothing to submit
                        running[iteration] = child.spec["parameters"]
                        over[iteration] = (RunState.COMPLETED, child.results)
                        continue
                runtime.claim(child)
                store.create_run(child)
                handle = runtime.submit(PreparedRun(record=child, handler=ref, store_url=store.url))
                running[iteration] = child.spec["parameters"]  # the table shows every param, as MLRun's does
                results = getattr(handle, "results", None)
                if runtime.in_process and results is not None:  # it has ended: no need to read it back
                    over[iteration] = (handle.wait(), results)
            if aborted:
                ended = []
            elif over:
                ended = [(it, state) for it, (state, _) in over.items()]
            else:
                ended = _wait_for_any(store, parent.uid, running)
            if ended is None:  # keep the children that completed; those in flight are aborted below
                aborted = True
                ended = [(it, RunState.COMPLETED) for it in sorted(running)
                         if store.get_run_state(parent.uid, it) == RunState.COMPLETED]
            for iteration, state in ended:
                values = running.pop(iteration)
                if iteration in over:
                    results = over.pop(iteration)[1]
                else:
                    record = store.get_run(parent.uid, iteration)
                    results = record.results if record is not None else {}
                table.append(iteration_row(state, iteration, values, results))
                if state == RunState.COMPLETED:
                    finished.append((iteration, results))
                    best.add(results)
                else:
                    failures += 1
                if bar is not None:
                    bar.update(1)
                    # drawn with the bar's next refresh (tqdm's own pace), not once per child
                    bar.set_postfix(failed=failures, **best.postfix(), refresh=False)
                if self.options.max_errors and failures >= self.options.max_errors:
                    stopped = f"stopped after {failures} failed iterations (max_errors={self.options.max_errors})"
                elif self.stop is not None and state == RunState.COMPLETED:
                    try:
                        met = self.stop.evaluate({**values, **results})
                    except ValidationError as exc:  # a name no iteration produces: end the sweep, say why
                        failed_condition = str(exc)
                        met = True
                    if met:
                        stopped = failed_condition or f"stop_condition {self.stop.text!r} met at iteration {iteration}"
        abort_runs(store, parent.uid, sorted(running))  # a stopped sweep does not leave children behind
        table.sort(key=lambda entry: entry["iter"])
        finished.sort()
        if bar is not None:
            bar.close()
        self._end(parent, store, table, finished, failures, stopped, failed_condition,
                  aborted or _abort_asked(store, parent.uid))

    def _end(self, parent: RunRecord, store: RunStore, table: list[dict[str, Any]],
             finished: list[tuple[int, dict[str, Any]]], failures: int, stopped: str, failed_condition: str,
             aborted: bool = False) -> None:
        """Record the sweep's outcome on the parent (the iterations that ended, the best so far) and end it."""
        context = RunContext(parent, store)
        if aborted:
            # The state first: whoever asked for the abort waits for it, and the summary below (pandas, a
            # matplotlib plot) can take seconds on a loaded machine. What ended so far is kept all the same.
            context.end(RunState.ABORTED, error="aborted by request", status={"iterations": table})
        error, status = summarize(context, table, finished, self.options)
        error = failed_condition or error
        ran = len(table)
        if failures and (failures == ran or (self.options.max_errors and failures >= self.options.max_errors)):
            error = f"{failures} of {ran} iterations failed"
        if stopped:
            status["stopped"] = stopped
        if aborted:
            context._record_status(status)
            return
        context.end(RunState.ERROR if error else RunState.COMPLETED, error=error, status=status)


def prepare(hyperparams: dict[str, list[Any]] | None, param_file: str, options: dict[str, Any] | HyperParamOptions,
            selector: str | None) -> Sweep:
    """Validate a sweep's space and options before anything is recorded."""
    opts = HyperParamOptions.from_dict(options)
    opts.validate()
    if selector:
        opts.selector = selector
    param_file = param_file or opts.param_file
    if hyperparams and param_file:
        raise ValidationError("give hyperparams or param_file, not both")
    space = dict(hyperparams or {})
    if param_file:
        space, opts.strategy = load_param_file(param_file, opts.strategy)
    space = storable_params({k: list(v) if isinstance(v, tuple) else v for k, v in space.items()}, "hyper-parameter")
    if opts.selector:
        parse_selector(opts.selector)
    return Sweep(expand(space, opts), opts, space)


class _RunningBest:
    """The progress bar's "best" field: the selected result's best value so far, kept as children end
    (a pass over every finished child per child would make a long sweep quadratic)."""

    def __init__(self, selector: str) -> None:
        self._value: float | None = None
        try:
            self._op, self._key = parse_selector(selector) if selector else ("", "")
        except ValidationError:  # reported with the sweep's outcome (summarize); the bar just shows no best
            self._op, self._key = "", ""

    def add(self, results: dict[str, Any]) -> None:
        value = results.get(self._key) if self._key else None
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            return
        if self._value is None or (value > self._value if self._op == "max" else value < self._value):
            self._value = value

    def postfix(self) -> dict[str, Any]:
        return {} if self._value is None else {f"best {self._key}": self._value}


def _wait_for_any(store: RunStore, uid: str, running: dict[int, Any]) -> list[tuple[int, RunState]] | None:
    """Block until at least one of the running children is terminal; their (iteration, state). None as soon
    as the sweep is asked to abort."""
    while True:
        states = [(it, store.get_run_state(uid, it) or RunState.ERROR) for it in sorted(running)]
        ended = [(it, state) for it, state in states if state.is_terminal]
        if ended or not running:
            return ended
        if _abort_asked(store, uid):
            return None
        recover(store)
        time.sleep(0.02)


def _abort_asked(store: RunStore, uid: str) -> bool:
    """True once the sweep's parent is no longer ``running``: an abort asked from any process (or its end
    recorded by someone else, e.g. the reaper)."""
    return store.get_run_state(uid, 0) != RunState.RUNNING


def _progress(total: int, name: str):
    from tqdm.auto import tqdm  # only while a sweep is watched

    return tqdm(total=total, desc=name, unit="iter")


def load_param_file(url: str, strategy: str | None) -> tuple[dict[str, list[Any]], str]:
    """A parameter space from a file at any fsspec URL: CSV rows → ``list``; JSON dict of lists → ``grid``
    (or the strategy given). Returns the space and the strategy to use."""
    item = get_dataitem(url)
    if item.suffix == ".csv":
        if strategy not in (None, "list"):
            raise ValidationError(f"param_file {url} is a CSV, which gives a 'list' space, not {strategy!r}")
        df = item.as_df()
        return {str(c): [plain_value(v) for v in df[c].tolist()] for c in df.columns}, "list"
    if item.suffix == ".json":
        space = json.loads(item.get(encoding="utf-8"))
        if not isinstance(space, dict):
            raise ValidationError(f"param_file {url} must hold a JSON object of name → list of values")
        return space, strategy or "grid"
    raise ValidationError(f"param_file {url}: use a .csv (list) or .json (grid, list or random) file")
