"""``RunObject`` (one run, read back through the store) and ``RunList`` (many, with ``to_df``/``show``)."""

from __future__ import annotations

import copy
import json
import math
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any

from .compare import RunComparison
from .data import get_dataitem
from .display import iterations_html, kernel_shell, runs_html, show_runs
from .errors import RunError, RunlabError, RunNotFoundError, RunTimeoutError, ValidationError
from .record import RunRecord, RunState, artifact_to_dict, checked_notes, is_terminal, iteration_table
from .runtimes import abort_run, recover
from .runtimes.base import end_comes_here, ends_recorded, pause
from .runtimes.processes import reap
from .store import get_store, runfilter
from .store.url import redact

_RARE_POLL = 0.5  # seconds between a waiter's reads of a run whose end this process announces

_rerun: Callable[..., RunObject] | None = None
"""What starts a run again (``launch.rerun``): set by ``runlab.launch`` when it is imported, since it sits
above this module (it builds runs, which this module only reads back)."""


def set_rerun(start: Callable[..., RunObject]) -> None:
    """Give ``RunObject.rerun`` the function that starts a run again (``runlab.launch`` does, once)."""
    global _rerun
    _rerun = start


class _Section(dict):
    """A dict whose keys read as attributes: ``run.status.state``."""

    def __getattr__(self, key: str) -> Any:
        try:
            value = self[key]
        except KeyError:
            raise AttributeError(key) from None
        return _Section(value) if isinstance(value, dict) and not isinstance(value, _Section) else value


class RunObject:
    """A run: its metadata, spec and status, and what can be done with it.

    Created by ``run_function``; also by ``runlab.get_run(uid)`` and ``list_runs``. Reads are lazy and
    cached; ``refresh()`` re-reads the store.
    """

    def __init__(self, uid: str, iteration: int = 0, store_url: str | None = None,
                 data: dict[str, Any] | None = None) -> None:
        self._uid = uid
        self._iteration = iteration
        self._store_url = store_url
        self._data = data
        self._listed: tuple[_ListedRuns, int] | None = None  # the listing this run came from, and its place

    @classmethod
    def _from_listing(cls, listing: _ListedRuns, index: int) -> RunObject:
        """The ``index``-th run a listing read: its dict is built from that row when first needed."""
        run = cls(*listing.key(index), listing.store_url)
        run._listed = (listing, index)
        return run

    # -- the record ------------------------------------------------------------------------------

    @property
    def _store(self):
        return get_store(self._store_url)

    def _record(self) -> dict[str, Any]:
        if self._data is None and self._listed is not None:
            listing, index = self._listed
            self._data = listing.run_dict(index)
        if self._data is None:
            self.refresh()
        assert self._data is not None
        return self._data

    def refresh(self) -> RunObject:
        """Re-read the run from the store (a run whose process died is marked ``error`` first)."""
        store = self._store
        reap(store)
        record = store.get_run(self._uid, self._iteration)
        if record is None:
            raise RunNotFoundError(f"run {self._uid} (iteration {self._iteration}) is not in the store")
        self._data = record.to_dict()
        self._listed = None
        return self

    @property
    def metadata(self) -> _Section:
        return _Section(self._record()["metadata"])

    @property
    def spec(self) -> _Section:
        return _Section(self._record()["spec"])

    @property
    def status(self) -> _Section:
        return _Section(self._record()["status"])

    def uid(self) -> str:
        """The run's unique id."""
        return self._uid

    def state(self) -> str:
        """The run's state (re-read from the store while the run is not finished)."""
        if (self._data is None and self._listed is None) or not is_terminal(self._record()["status"]["state"]):
            self.refresh()
        return self._record()["status"]["state"]

    def _stored_state(self) -> str:
        """The state in the store now: one light read, where ``refresh`` reads the whole run (a waiter's poll)."""
        state = self._store.get_run_state(self._uid, self._iteration)
        if state is None:
            self.refresh()  # says the run is not in the store
        return str(state.value) if state is not None else self.state()

    @property
    def error(self) -> str | None:
        """The error message of a failed run, else None."""
        return self._record()["status"].get("error")

    @property
    def notes(self) -> str:
        """The free-text notes kept with the run ('' when none; ``metadata.notes`` of its dict), as last read:
        ``refresh()`` reads them again. A sweep's notes are on its parent run (iteration 0)."""
        return self._record()["metadata"].get("notes") or ""

    def set_notes(self, text: str) -> None:
        """Keep ``text`` as the run's notes (at most ``MAX_NOTES_CHARS`` characters; '' clears them). On a
        sweep's iteration they go to the sweep's run, where the Runs view and the API show them."""
        notes = checked_notes(text)
        if not self._store.set_notes(self._uid, notes):
            raise RunNotFoundError(f"run {self._uid} is not in the store")
        if self._iteration == 0 and self._data is not None:
            self._data["metadata"]["notes"] = notes
        elif self._iteration == 0:
            self._listed = None  # a listed run not read yet: read it from the store, not from its listing

    def _artifact_records(self) -> list[dict[str, Any]]:
        """The run's artifacts; a sweep's parent also reaches its best child's (its own win on a key clash)."""
        status = self._record()["status"]
        best = status.get("best_iteration")
        if not best or self._iteration:
            return status["artifacts"]
        child = self._store.get_run(self._uid, best)
        own = {a["key"] for a in status["artifacts"]}
        inherited = [artifact_to_dict(a) for a in (child.artifacts if child else []) if a["key"] not in own]
        return [*status["artifacts"], *inherited]

    @property
    def outputs(self) -> dict[str, Any]:
        """Results merged with artifact URIs (``store://``) by key."""
        return {**self._record()["status"]["results"], **{a["key"]: a["uri"] for a in self._artifact_records()}}

    def output(self, key: str) -> Any:
        """One result, or an artifact's URI; None for an unknown key."""
        return self.outputs.get(key)

    def artifact(self, key: str):
        """An artifact of the run as a :class:`~runlab.DataItem` (None for an unknown key)."""
        for record in self._artifact_records():
            if record["key"] == key:
                return get_dataitem(record["uri"], key=key, store=self._store)
        return None

    # -- following -------------------------------------------------------------------------------

    def logs(self, watch: bool = True, offset: int = 0, poll: float = 0.5) -> tuple[str, int]:
        """Print the run's log from byte ``offset``; with ``watch``, keep printing new output until the run
        ends (with a progress bar while the run reports one, e.g. the cells of a notebook).

        Returns ``(state, offset)`` as MLRun's ``RunObject.logs`` does: the run's state when printing
        stopped and the log offset to continue from (``run.logs(watch=False, offset=offset)``).
        """
        if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
            raise ValidationError(f"offset must be a byte position (an int >= 0), not {offset!r}")
        store = self._store
        bar = _FollowBar(self.metadata.name)
        try:
            while True:
                text, offset = store.read_log(self._uid, self._iteration, offset)
                if text:
                    bar.write(text)
                state = self.state()
                if not watch or is_terminal(state):
                    if watch:  # output written between the last read and the end
                        text, offset = store.read_log(self._uid, self._iteration, offset)
                        bar.write(text)
                        bar.update(self._record()["status"].get("progress"))
                    return state, offset
                bar.update(self._record()["status"].get("progress"))
                time.sleep(poll)
        finally:
            bar.close()

    def wait_for_completion(self, timeout: float | None = None, poll: float | None = None,
                            raise_on_failure: bool = True, sleep: float | None = None,
                            show_logs: bool | None = None, logs_interval: float | None = None) -> RunObject:
        """Block until the run ends; ``RunTimeoutError`` after ``timeout`` seconds, ``RunError`` if it failed.

        Returns this run, so calls chain (``run.wait_for_completion().status.results``). MLRun's version
        returns the final state string: this run compares equal to its state string (``state ==
        "completed"``, ``state in ("completed", "error")``), so code written either way works.

        MLRun's keywords are accepted too: ``sleep`` (same as ``poll``, seconds between checks; default
        0.5), ``timeout=0`` (wait forever, like ``None``), ``show_logs=True`` (print the log once the run
        ended; unlike MLRun, nothing is printed unless asked) and ``logs_interval`` (print new log output
        every that many seconds while waiting, unless ``show_logs=False``). ``raise_on_failure`` raises
        :class:`~runlab.RunError` (MLRun's ``MLRunRuntimeError``) for a run that ended in ``error``.
        """
        if poll is not None and sleep is not None and poll != sleep:
            raise ValidationError("give poll= or sleep= (MLRun's name for it), not both")
        interval = poll if poll is not None else sleep if sleep is not None else 0.5
        for name, value in (("poll", interval), ("timeout", timeout), ("logs_interval", logs_interval)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))
                                      or math.isnan(value) or value < 0):
                raise ValidationError(f"{name} must be a number of seconds >= 0, not {value!r}")
        deadline = None if not timeout else time.monotonic() + timeout  # None or 0: wait as long as it takes
        follow = logs_interval is not None and show_logs is not False
        offset, last_print = 0, time.monotonic()
        look = not end_comes_here(self._uid, self._iteration)  # not ended yet: the first look waits for the news
        while True:
            seen = ends_recorded()  # before reading the state: an end recorded after it cuts the pause short
            if not look:
                state, look = RunState.PENDING.value, True
            elif is_terminal(state := self._stored_state()):
                break
            now = time.monotonic()
            if deadline is not None and now >= deadline:
                if is_terminal(state := self.refresh().state()):
                    break
                raise RunTimeoutError(
                    f"run {self._uid} is still {state} after {timeout} s; wait longer or abort() it", run=self)
            if follow and now - last_print >= logs_interval:
                _, offset = self.logs(watch=False, offset=offset)
                last_print = time.monotonic()
            recover(self._store)  # a waiter, not a reader: runs queued behind a dead one must start
            # a run whose end this process records wakes the waiter itself: the store is read now and then only
            # (for what others may do to it), not at every poll
            ours = end_comes_here(self._uid, self._iteration)
            step = max(interval, _RARE_POLL) if ours else interval
            left = step if deadline is None else min(step, deadline - time.monotonic())
            pause(max(left, 0.0), seen)  # wake at the deadline, or when this process records a run's end
            if ours and not end_comes_here(self._uid, self._iteration) and is_terminal(self.refresh().state()):
                break  # its end was recorded here meanwhile: the whole run is read once, at once
        if self._data is None or not is_terminal(self._data["status"]["state"]):
            self.refresh()  # the whole run, once it has ended
        if show_logs or follow:
            self.logs(watch=False, offset=offset)
        if raise_on_failure and self.state() == RunState.ERROR:
            raise RunError(f"run {self.metadata.name} ({self._uid[:8]}) failed: {self.error}", run=self)
        return self

    def __eq__(self, other: object) -> bool:
        """A run equals a string when that is its state (MLRun's ``wait_for_completion`` returns the state);
        two RunObjects are equal only when they are the same object."""
        if isinstance(other, str):
            return self.state() == other
        return NotImplemented

    __hash__ = object.__hash__

    # -- MLRun's dict view -----------------------------------------------------------------------

    def _mlrun_status(self) -> dict[str, Any]:
        """The run's status as MLRun's: ``iterations`` as MLRun's table (header row first) and
        ``artifact_uris`` (key → URI); built from the record, never stored."""
        status = dict(self._record()["status"])
        status["iterations"] = iteration_table(status.get("iterations") or [])
        status["artifact_uris"] = {a["key"]: a["uri"] for a in self._artifact_records()}
        return status

    def __getitem__(self, key: str) -> Any:
        """Read-only mapping access to the run as MLRun's run dict (what ``db.read_run`` gives in MLRun):
        ``run["status"]["state"]``, ``run["metadata"]["uid"]``; a copy, so changing it changes nothing."""
        data = self._record()
        if key not in data:
            raise KeyError(key)
        return copy.deepcopy(self._mlrun_status() if key == "status" else data[key])

    def get(self, key: str, default: Any = None) -> Any:
        """``run[key]``, or ``default`` for a key the run dict does not have."""
        try:
            return self[key]
        except KeyError:
            return default

    def keys(self) -> list[str]:
        """The run dict's keys: ``kind``, ``metadata``, ``spec``, ``status``."""
        return list(self._record())

    def items(self) -> list[tuple[str, Any]]:
        """``(key, run[key])`` for every key of the run dict."""
        return [(key, self[key]) for key in self.keys()]

    def __contains__(self, key: object) -> bool:
        return key in self._record()

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def abort(self) -> str:
        """Stop the run and return its final state.

        A background run's whole process tree gets SIGTERM, then SIGKILL after ``abort_grace`` seconds; an
        in-process run stops at its next commit. A run that already ended is left as it is (and says so).
        """
        state = self.state()
        if is_terminal(state):
            print(f"run {self._uid} already ended ({state}); nothing to abort", file=sys.stderr)
            return state
        abort_run(self._store, self._uid, self._iteration)
        return self.refresh().state()

    def rerun(self, params: dict[str, Any] | None = None, inputs: dict[str, str] | None = None,
              labels: dict[str, str] | None = None, watch: bool = True) -> RunObject:
        """Run this run's function again and return the new run: the same function, handler and kind, with
        ``params``, ``inputs`` and ``labels`` merged over the recorded ones; the new run is labelled
        ``rerun-of=<this uid>``. ``watch=True`` waits for it (a failed run raises ``RunError``).

        >>> new = run.rerun(params={"lr": 0.2})

        A function defined in a notebook cell reruns in this process while it still knows the callable (the
        kernel that ran it); elsewhere ``RunStateError`` says to put the handler in a ``.py`` file. When the
        code (its file's sha256, or a notebook cell's source) or the Python environment changed since this run
        (its ``spec["code"]``), a ``runlab.CodeChangedWarning`` says what changed. A runlab addition: MLRun's
        ``RunObject`` has no ``rerun``.
        """
        if self._iteration:
            raise ValidationError(f"run {self._uid} iteration {self._iteration} is one child of a sweep: rerun "
                                  "the sweep itself (get_run(uid).rerun())")
        if _rerun is None:
            raise RunlabError("runlab.launch is not imported in this process, so nothing can start a run: "
                              "import runlab.launch (or use runlab.get_run, which does)")
        record = self._store.get_run(self._uid, 0)
        if record is None:
            raise RunNotFoundError(f"run {self._uid} is not in the store")
        return _rerun(record, self._store, params=params, inputs=inputs, labels=labels, watch=watch)

    def compare(self, hide_identical: bool = True, exclude: list[str] | None = None, show: bool | None = None,
                filename: str | None = None, colorscale: str | None = None) -> RunComparison:
        """Compare a sweep's iterations (this run is its parent): MLRun's ``compare_run_objects(run)``; the
        keywords mean what they mean for :meth:`RunList.compare`."""
        return compare_runs(self, hide_identical=hide_identical, exclude=exclude, show=show,
                            extend_iterations=True, filename=filename, colorscale=colorscale)

    # -- presenting ------------------------------------------------------------------------------

    def show(self, short: bool = False) -> None:
        """Display the run as a table: an interactive widget in a notebook (artifact previews, live while
        the run goes on, a sweep's iterations), text in a terminal. ``short`` drops some columns."""
        show_runs([self], short=short)

    def _ipython_display_(self) -> None:
        shell = kernel_shell()
        if shell is not None and getattr(self, "_shown_in", None) == shell.execution_count:
            return  # run_function already showed it in this cell
        self.show()

    def _repr_html_(self) -> str:
        return runs_html([self]) + iterations_html(self)

    def __repr__(self) -> str:
        if self._data is None and self._listed is not None:
            self._record()
        if self._data is None:
            return f"<RunObject uid={self._uid} iteration={self._iteration}>"
        meta = self._data["metadata"]
        return (f"<RunObject {meta['project']}/{meta['name']} uid={self._uid[:8]} iteration={self._iteration} "
                f"state={self._data['status']['state']}>")

    def to_dict(self) -> dict[str, Any]:
        """The run as a dict (metadata, spec, status), MLRun's shape."""
        return json.loads(json.dumps(self._record()))

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self._record(), indent=indent)

    def to_yaml(self) -> str:
        import yaml

        return yaml.safe_dump(self.to_dict(), sort_keys=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any], store_url: str | None = None) -> RunObject:
        """A RunObject over a run dict (as given by ``to_dict``), without reading the store."""
        meta = data["metadata"]
        return cls(meta["uid"], meta.get("iteration", 0), store_url, json.loads(json.dumps(data)))


class _ListedRuns:
    """The rows one ``list_runs`` read, shared by its RunObjects: a run's dict is built (its JSON decoded) when
    that run is first read, and the artifacts of every listed run are read in one query when the first
    run needs them."""

    def __init__(self, store_url: str, columns: tuple[str, ...], rows: list[Sequence[Any]]) -> None:
        self.store_url = store_url  # not the store: a listed run stays plain data (copied, pickled)
        self.columns = columns
        self.rows = rows
        self._key_at = (columns.index("uid"), columns.index("iteration"))
        self._artifacts: dict[tuple[str, int], list[dict[str, Any]]] | None = None
        self.query: dict[str, Any] | None = None  # the filters list_runs read the rows with

    def key(self, index: int) -> tuple[str, int]:
        """``(uid, iteration)`` of the ``index``-th run."""
        row = self.rows[index]
        return row[self._key_at[0]], row[self._key_at[1]]

    def run_dict(self, index: int) -> dict[str, Any]:
        if self._artifacts is None:
            keys = [self.key(i) for i in range(len(self.rows))]
            self._artifacts = get_store(self.store_url).artifacts_of(keys)
        record = RunRecord.from_row(dict(zip(self.columns, self.rows[index], strict=True)))
        record.artifacts = self._artifacts.get((record.uid, record.iteration), [])
        return record.to_dict()


class RunList(list):
    """A list of :class:`RunObject` with a table view (``show``) and a pandas view (``to_df``)."""

    COLUMNS = ("project", "uid", "iter", "start", "state", "kind", "name", "labels", "inputs", "parameters",
               "results", "artifacts", "error")

    def to_df(self, artifact_uris: bool = False):
        """The runs as a pandas DataFrame with MLRun's columns; ``artifacts`` lists the artifact URIs.

        With ``artifact_uris=True`` an ``artifact_uris`` column (MLRun's, before ``error``) maps each artifact
        key to its URI, a sweep's parent including its best child's.
        """
        import pandas as pd

        rows = []
        for run in self:
            data = run._record()
            meta, spec, status = data["metadata"], data["spec"], data["status"]
            rows.append({
                "project": meta["project"], "uid": meta["uid"], "iter": meta["iteration"],
                "start": pd.Timestamp(status["start_time"]) if status["start_time"] else None,
                "state": status["state"], "kind": meta["labels"].get("kind", ""), "name": meta["name"],
                "labels": meta["labels"], "inputs": spec.get("inputs", {}),
                "parameters": spec.get("parameters", {}), "results": status["results"],
                "artifacts": [a["uri"] for a in status["artifacts"]], "error": status.get("error"),
            })
            if artifact_uris:
                rows[-1]["artifact_uris"] = {a["key"]: a["uri"] for a in run._artifact_records()}
        columns = list(self.COLUMNS)
        if artifact_uris:
            columns.insert(columns.index("error"), "artifact_uris")
        return pd.DataFrame(rows, columns=columns)

    def compare(self, hide_identical: bool = True, exclude: list[str] | None = None, show: bool | None = None,
                extend_iterations: bool = True, filename: str | None = None,
                colorscale: str | None = None) -> RunComparison:
        """Compare the runs field by field (MLRun's ``RunList.compare``, same keywords); see
        :func:`compare_runs`. Returns the :class:`~runlab.compare.RunComparison` (MLRun returns the plot's
        HTML: ``comparison.html()`` is that)."""
        return compare_runs(list(self), hide_identical=hide_identical, exclude=exclude, show=show,
                            extend_iterations=extend_iterations, filename=filename, colorscale=colorscale)

    def to_objects(self) -> list[RunObject]:
        """The runs as a plain list of :class:`RunObject` (MLRun's ``RunList.to_objects``)."""
        return list(self)

    def show(self, short: bool = False) -> None:
        """Display the runs as a table: an interactive widget in a notebook (pages, artifact previews, live
        rows), text in a terminal. ``short`` drops some columns."""
        show_runs(list(self), short=short)

    def _ipython_display_(self) -> None:
        self.show()

    def _repr_html_(self) -> str:
        return runs_html(list(self))


def _label_filter(labels: dict[str, str] | list[str] | str | None) -> dict[str, str | None] | None:
    """``{"a": "1"}``, ``["a=1", "b"]`` or ``"a=1"`` as a filter (``None`` value: label present)."""
    if labels is None or isinstance(labels, dict):
        return labels
    items = [labels] if isinstance(labels, str) else labels
    out: dict[str, str | None] = {}
    for item in items:
        key, sep, value = item.partition("=")
        out[key] = value if sep else None
    return out


def _check_filters(name: Any, uid: Any, state: Any, last: Any, since: Any, until: Any) -> None:
    """``ValidationError`` naming the first filter of ``list_runs`` that has the wrong type or value."""
    for what, value in (("name", name), ("uid", uid)):
        if value is not None and not isinstance(value, str):
            raise ValidationError(f"{what} must be a str, not {type(value).__name__} {value!r}")
    states = [state] if isinstance(state, str) else state
    if states is not None:
        known = [s.value for s in RunState]
        if not isinstance(states, (list, tuple, set)) or any(s not in known for s in states):
            raise ValidationError(f"state must be one of {', '.join(known)} (or a list of them), not {state!r}")
    if last is not None and (isinstance(last, bool) or not isinstance(last, int) or last < 0):
        raise ValidationError(f"last must be a number of runs >= 0 (0 or None: all), not {last!r}")
    for what, value in (("since", since), ("until", until)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float, datetime))
                                  or (isinstance(value, float) and math.isnan(value))):
            raise ValidationError(f"{what} must be epoch seconds or a datetime, not {value!r}")


def _seconds(value: float | datetime | None) -> float | None:
    return value.timestamp() if isinstance(value, datetime) else value


def list_runs(project: str | None = None, name: str | None = None, uid: str | None = None,
              labels: dict[str, str] | list[str] | str | None = None, state: str | None = None,
              last: int | None = None, iter: bool = False, since: float | datetime | None = None,
              until: float | datetime | None = None, store=None, filter: str | None = None,
              order_by: str | list[str] | None = None) -> RunList:
    """Runs from the store, newest first. ``name`` matches exactly; ``name="~part"`` matches every name that
    contains ``part``, in any case (MLRun's form).

    ``filter`` keeps the runs an expression matches, such as
    ``"results.accuracy > 0.9 and params.lr < 0.1 and state == 'completed'"``; ``order_by`` lists
    ``"<name> [asc|desc]"`` (``["results.accuracy desc"]``, a single string also works) and replaces the
    newest-first order (ties still newest first). Names: ``params.<key>``, ``results.<key>``,
    ``labels.<key>`` (a key with dots or spaces quoted: ``results."val.acc"``), ``uid``, ``name``, ``kind``,
    ``state``, ``iteration``, ``start``, ``end``, ``duration``; literals: numbers, quoted strings, ``true``,
    ``false``, ``null``; operators ``== != < <= > >=``, ``in (...)``, ``not in (...)``, ``like`` (``%``/``_``,
    any case), ``not``, ``and``, ``or``, parentheses. A number compares with numeric values and a string with
    string values: a run whose value is missing or of another type does not match (never an error);
    ``start``/``end`` take epoch seconds or an ISO date, ``duration`` seconds (runs without an end do not
    match). In an order, missing values come last in both directions. A bad filter is a ``ValidationError``
    naming the token, its column and what was expected.

    Each run holds the row read here and builds its dict when first read; the artifacts of all the listed
    runs are read in one query when the first of them is read."""
    _check_filters(name=name, uid=uid, state=state, last=last, since=since, until=until)
    runfilter.check(filter, order_by)
    if store is None:
        store = get_store()
    reap(store)
    columns, rows = store.list_run_rows(project=project, name=name, uid=uid, labels=_label_filter(labels),
                                        state=state, last=last, iterations=iter, since=_seconds(since),
                                        until=_seconds(until), filter=filter, order_by=order_by)
    listing = _ListedRuns(store.url, columns, rows)
    # what a saved notebook table needs to page through the same runs again (the server's table route)
    listing.query = {"project": project, "name": name, "uid": uid, "labels": _label_filter(labels), "state": state,
                     "last": last, "iterations": iter, "since": _seconds(since), "until": _seconds(until),
                     "filter": filter, "order_by": [order_by] if isinstance(order_by, str) else order_by}
    return RunList([RunObject._from_listing(listing, index) for index in range(len(rows))])


def get_run(uid: str, iteration: int = 0, store=None) -> RunObject:
    """A stored run by uid (a unique prefix of at least 6 characters is enough), from ``store`` (default:
    the configured store)."""
    if not isinstance(uid, str):
        raise ValidationError(f"uid must be a run's uid (a str), not {type(uid).__name__} {uid!r}")
    if store is None:
        store = get_store()
    if len(uid) < 32:
        matches = store.find_runs_by_uid_prefix(uid) if len(uid) >= 6 else []
        if len(matches) != 1:
            problem = "matches several runs" if matches else "matches no run"
            raise RunNotFoundError(f"uid {uid!r} {problem}: give more characters of the uid (at least 6)")
        uid = matches[0]
    return RunObject(uid, iteration, store.url).refresh()


def compare_runs(runs_or_uids: Any, store=None, *, hide_identical: bool = True, exclude: list[str] | None = None,
                 show: bool | None = False, extend_iterations: bool = True, filename: str | None = None,
                 colorscale: str | None = None) -> RunComparison:
    """Compare runs field by field: state, duration, params, results, labels, inputs and artifacts.

    ``runs_or_uids``: RunObjects, a RunList, uids (a unique prefix of at least 6 characters is enough),
    ``(uid, iteration)`` pairs, or a sweep's parent run (alone or among others): with ``extend_iterations``
    (the default, as in MLRun) a sweep's parent stands for its iterations. Every run must be in ``store``
    (default: the configured store). MLRun's keywords (``compare_run_objects``, ``RunList.compare``):

    - ``hide_identical``: show only the fields that differ (the table's other rows stay in its "All N
      fields" section, and constant axes are left out of the charts);
    - ``exclude``: fields left out (``"label.owner"``, ``"duration"``; a bare name is a param, as in MLRun);
    - ``show``: display it now (``None``: when in a notebook; ``compare_runs``' default is ``False``);
    - ``filename``: also write the table and charts as an HTML file;
    - ``colorscale``: the parallel coordinates' colour scheme: a Vega scheme name or plotly's name of one
      (``"Blues"``, ``"Viridis"``, ``"RdBu"``); a plotly scale Vega lacks (``"Jet"``) is accepted and the
      default colours are used, since the chart is drawn by Vega, not plotly.

    Returns a :class:`~runlab.compare.RunComparison` (``.to_df()``, ``.show()``, ``.show_artifact(key)``).
    """
    if store is None:
        store = get_store()
    if isinstance(runs_or_uids, (RunObject, str)) or (
            isinstance(runs_or_uids, tuple) and len(runs_or_uids) == 2 and isinstance(runs_or_uids[1], int)):
        items = [runs_or_uids]
    elif isinstance(runs_or_uids, (list, tuple)):
        items = list(runs_or_uids)
    else:
        raise ValidationError(f"compare_runs takes RunObjects, a RunList, uids or (uid, iteration) pairs, not "
                              f"{type(runs_or_uids).__name__} {runs_or_uids!r}")
    runs: list[RunObject] = []
    for item in items:
        run = _comparable_run(item, store)
        if extend_iterations and _is_sweep_parent(run):
            runs.extend(_children_of(run, store))
        else:
            runs.append(run)
    seen: set[tuple[str, int]] = set()
    for run in runs:
        key = (run.uid(), run._iteration)
        if key in seen:
            raise ValidationError(f"run {key[0]} (iteration {key[1]}) is given twice: give each run once")
        seen.add(key)
    if len(runs) < 2:
        hint = "" if not runs or not _is_sweep_parent(runs[0]) else " (or extend_iterations=True for a sweep)"
        raise ValidationError(f"a comparison needs at least 2 runs, got {len(runs)}: give more runs{hint}, or a "
                              "sweep's parent run to compare its iterations")
    comparison = RunComparison(runs, hide_identical=hide_identical, exclude=exclude, colorscale=colorscale)
    if filename:
        comparison.write_html(filename)
    if show or (show is None and kernel_shell() is not None):
        comparison.show()
    return comparison


def _comparable_run(item: Any, store) -> RunObject:
    """A run to compare, read from ``store``: a RunObject (of that store), a uid or a ``(uid, iteration)``."""
    if isinstance(item, RunObject):
        url = get_store(item._store_url).url
        if url != store.url:
            raise ValidationError(f"run {item.uid()} is in another store ({redact(url)}) than the one compared "
                                  f"({redact(store.url)}): compare runs of one store, or pass store=")
        item._record()  # a run since deleted says so now
        return item
    if isinstance(item, str):
        return get_run(item, store=store)
    if (isinstance(item, (tuple, list)) and len(item) == 2 and isinstance(item[0], str)
            and isinstance(item[1], int) and not isinstance(item[1], bool)):
        return get_run(item[0], item[1], store=store)
    raise ValidationError(f"cannot compare {type(item).__name__} {item!r}: give RunObjects, uids (at least 6 "
                          "characters) or (uid, iteration) pairs")


def _is_sweep_parent(run: RunObject) -> bool:
    return run._iteration == 0 and bool(run._record()["spec"].get("hyperparams")
                                        or run._record()["status"].get("iterations"))


def _children_of(parent: RunObject, store) -> list[RunObject]:
    """A sweep's iterations (not the parent), in iteration order."""
    children = [run for run in list_runs(uid=parent.uid(), iter=True, store=store) if run._iteration > 0]
    return sorted(children, key=lambda run: run._iteration)


class _FollowBar:
    """A progress bar drawn from a followed run's ``status.progress``; created when the run first reports."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._bar: Any = None

    def update(self, progress: dict[str, Any] | None) -> None:
        if not progress or not progress.get("total"):
            return
        if self._bar is None:
            from tqdm.auto import tqdm

            self._bar = tqdm(total=progress["total"], desc=self._name, unit=progress.get("unit") or "step")
        done = min(progress.get("done", 0), progress["total"])
        if (self._bar.n, self._bar.total) != (done, progress["total"]):
            self._bar.total = progress["total"]
            self._bar.update(done - self._bar.n)

    def write(self, text: str) -> None:
        if self._bar is None:
            sys.stdout.write(text)
            sys.stdout.flush()
            return
        from tqdm.auto import tqdm

        with tqdm.external_write_mode(file=sys.stdout):
            sys.stdout.write(text)
            sys.stdout.flush()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
