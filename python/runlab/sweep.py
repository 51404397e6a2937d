"""Hyper-parameter runs: a parent run (iteration 0) and one child run per parameter set (iterations 1..N).

Children run one after another in the function's own runtime, each a full run with the parent's uid and
its own iteration. The parent records the iteration table, the best child (by selector), and the
``iteration_results`` dataset; a progress bar shows the sweep while it is watched.
"""

from __future__ import annotations

import copy
import os
import time
from typing import TYPE_CHECKING, Any

from .errors import ValidationError
from .hyper import HyperParamOptions, StopCondition, select_best
from .runtimes.base import PreparedRun

if TYPE_CHECKING:
    from .functions import Function, HandlerRef
    from .project import Project
    from .runtimes import Runtime


class Sweep:
    """A validated sweep, ready to record and run."""

    def __init__(self, param_sets: list[dict[str, Any]], options: HyperParamOptions,
                 space: dict[str, list[Any]]) -> None:
        self.param_sets = param_sets
        self.options = options
        self.space = space
        self.stop = StopCondition(options.stop_condition) if options.stop_condition else None

    def start(self, row: dict[str, Any], runtime: Runtime, function: Function, ref: HandlerRef, project: Project,
              watch: bool) -> None:
        """Record the parent, then run the children: here, or, for ``watch=False`` with children in processes
        of their own, on a thread of this process (which owns the parent: if it dies, the reaper ends it)."""
        parent = copy.deepcopy(row)
        parent["state"] = "running"
        parent["pid"] = os.getpid()
        parent["spec"].update(hyperparams=self.space, hyper_param_options=self.options.to_dict())
        parent["status"] = {"runtime": "sweep"}
        project.store.create_run(parent)
        args = (parent, row, runtime, function, ref, project, watch)
        if watch or runtime.in_process:
            self.run(*args)
        else:
            import threading

            threading.Thread(target=self.run, args=args, name=f"runlab-sweep-{row['uid'][:8]}", daemon=True).start()

    def run(self, parent: dict[str, Any], row: dict[str, Any], runtime: Runtime, function: Function,
            ref: HandlerRef, project: Project, watch: bool) -> None:
        """Run every child of a recorded parent, and end the parent."""
        store = project.store
        try:
            self._run_children(parent, row, runtime, function, ref, project, watch)
        except BaseException as exc:  # an interrupt or a store failure: the parent must not stay 'running'
            from .runtimes.job import abort_run

            for child in store.live_runs():
                if child["uid"] == parent["uid"] and child["iteration"]:
                    abort_run(store, child["uid"], child["iteration"])
            interrupted = isinstance(exc, KeyboardInterrupt)
            now = time.time()
            store.update_run_if(parent["uid"], 0, {"state": "aborted" if interrupted else "error",
                                                   "error": f"the sweep stopped: {type(exc).__name__}: {exc}",
                                                   "end_time": now, "last_update": now}, ("running",))
            raise

    def _run_children(self, parent: dict[str, Any], row: dict[str, Any], runtime: Runtime, function: Function,
                      ref: HandlerRef, project: Project, watch: bool) -> None:
        store = project.store
        total = len(self.param_sets)
        bar = _progress(total, parent["name"]) if watch else None
        table: list[dict[str, Any]] = []
        finished: list[tuple[int, dict[str, Any]]] = []
        failures = 0
        stopped = ""
        failed_condition = ""
        width = max(1, self.options.parallel_runs or 1)
        waiting = list(enumerate(self.param_sets, start=1))
        running: dict[int, dict[str, Any]] = {}
        while (waiting or running) and not stopped:
            while waiting and len(running) < width:
                iteration, values = waiting.pop(0)
                child = _child_row(row, iteration, values)
                store.create_run(child)
                handle = runtime.submit(PreparedRun(row=child, function=function, handler=ref, store_url=store.url))
                running[iteration] = values
                if width == 1:  # one at a time: the handle knows best how to wait (an in-process run is done)
                    handle.wait()
            for iteration, state in _wait_for_any(store, row["uid"], running):
                values = running.pop(iteration)
                results = (store.get_run(row["uid"], iteration) or {}).get("results", {})
                table.append(iteration_row(state, iteration, values, results))
                if state == "completed":
                    finished.append((iteration, results))
                else:
                    failures += 1
                if bar is not None:
                    bar.update(1)
                    bar.set_postfix(failed=failures, **_best_so_far(finished, self.options.selector))
                if self.options.max_errors and failures >= self.options.max_errors:
                    stopped = f"stopped after {failures} failed iterations (max_errors={self.options.max_errors})"
                elif self.stop is not None and state == "completed":
                    try:
                        met = self.stop.evaluate({**values, **results})
                    except ValidationError as exc:  # a name no iteration produces: end the sweep, say why
                        failed_condition = str(exc)
                        met = True
                    if met:
                        stopped = failed_condition or f"stop_condition {self.stop.text!r} met at iteration {iteration}"
        for iteration in running:  # a stopped sweep does not leave children behind
            from .runtimes.job import abort_run

            abort_run(store, row["uid"], iteration)
        table.sort(key=lambda entry: entry["iter"])
        finished.sort()
        if bar is not None:
            bar.close()
        self._end(parent, project, table, finished, failures, stopped, failed_condition)

    def _end(self, parent: dict[str, Any], project: Project, table: list[dict[str, Any]],
             finished: list[tuple[int, dict[str, Any]]], failures: int, stopped: str, failed_condition: str) -> None:
        from .context import RunContext

        context = RunContext(parent, project.store)
        error, status = summarize(context, table, finished, self.options)
        error = failed_condition or error
        ran = len(table)
        if failures and (failures == ran or (self.options.max_errors and failures >= self.options.max_errors)):
            error = f"{failures} of {ran} iterations failed"
        if stopped:
            status["stopped"] = stopped
        context.end("error" if error else "completed", error=error, status=status)


def summarize(parent: Any, table: list[dict[str, Any]], finished: list[tuple[int, dict[str, Any]]],
              options: HyperParamOptions, best: int | None = None) -> tuple[str | None, dict[str, Any]]:
    """Record a sweep's outcome on the parent's context: the best child's results (by ``best``, else the
    selector), the ``iteration_results`` dataset and a plot; returns (error or None, status fields)."""
    from .errors import ValidationError

    error = None
    if best is None and finished:
        try:
            best = select_best(finished, options.selector)
        except ValidationError as exc:
            error = str(exc)
    if best is not None:
        parent.log_results({"best_iteration": best, **dict(finished).get(best, {})})
    if table:
        import pandas as pd

        frame = pd.DataFrame(table)
        parent.log_dataset("iteration_results", frame)
        from .sweepplot import sweep_plot

        try:
            figure = sweep_plot(frame, options.selector, best)
        except ImportError:
            parent.logger.info("matplotlib is not installed: no sweep_plot (pip install matplotlib)")
            figure = None
        if figure is not None:
            parent.log_artifact("sweep_plot", body=figure)
    return error, {"iterations": table, "best_iteration": best}


def prepare(hyperparams: dict[str, list[Any]] | None, param_file: str, options: dict[str, Any] | HyperParamOptions,
            selector: str | None) -> Sweep:
    """Validate a sweep's space and options before anything is recorded."""
    from .errors import ValidationError
    from .hyper import expand, load_param_file, parse_selector
    from .values import check_storable

    opts = HyperParamOptions.from_dict(options)
    if selector:
        opts.selector = selector
    if hyperparams and param_file:
        raise ValidationError("give hyperparams or param_file, not both")
    space = dict(hyperparams or {})
    if param_file:
        space, opts.strategy = load_param_file(param_file, opts.strategy)
    space = {k: check_storable(f"hyper-parameter {k!r}", list(v) if isinstance(v, tuple) else v)
             for k, v in space.items()}
    if opts.selector:
        parse_selector(opts.selector)
    return Sweep(expand(space, opts), opts, space)


def iteration_row(state: str, iteration: int, params: dict[str, Any], results: dict[str, Any]) -> dict[str, Any]:
    """One row of a sweep's iteration table."""
    return {"state": state, "iter": iteration, **{f"param.{k}": v for k, v in params.items()},
            **{f"output.{k}": v for k, v in results.items()}}


def _best_so_far(finished: list[tuple[int, dict[str, Any]]], selector: str) -> dict[str, Any]:
    """The progress bar's "best" field: the selected result's best value so far."""
    from .hyper import parse_selector

    if not selector or not finished:
        return {}
    op, key = parse_selector(selector)
    values = [r[key] for _, r in finished if isinstance(r.get(key), (int, float)) and not isinstance(r.get(key), bool)]
    return {f"best {key}": (max if op == "max" else min)(values)} if values else {}


def _wait_for_any(store, uid: str, running: dict[int, Any]) -> list[tuple[int, str]]:
    """Block until at least one of the running children is terminal; their (iteration, state)."""
    from .model import is_terminal
    from .runtimes.processes import reap

    while True:
        states = [(it, store.get_run_state(uid, it) or "error") for it in sorted(running)]
        ended = [(it, state) for it, state in states if is_terminal(state)]
        if ended or not running:
            return ended
        reap(store)
        time.sleep(0.02)


def _child_row(parent: dict[str, Any], iteration: int, values: dict[str, Any]) -> dict[str, Any]:
    child = copy.deepcopy(parent)
    now = time.time()
    child.update(iteration=iteration, start_time=now, last_update=now, results={}, error=None, end_time=None)
    child["spec"]["parameters"] = {**parent["spec"]["parameters"], **values}
    return child


def _progress(total: int, name: str):
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=name, unit="iter")
