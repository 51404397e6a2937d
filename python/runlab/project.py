"""``Project``: a named set of functions with a context folder and an artifact path, and its runs.

Projects and their functions are kept in the run store, so another kernel, the CLI or the server sees
them; the current project is what ``runlab.run_function`` acts on.
"""

from __future__ import annotations

import getpass
import os
import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from . import gc as gcpass
from . import projectref
from .artifactfiles import expand_artifact_path
from .context import ArtifactRecord, RunContext
from .data import DataItem, get_dataitem
from .errors import (
    ArtifactNotFoundError,
    FunctionNotFoundError,
    ProjectNotFoundError,
    ScheduleNotFoundError,
    UnsupportedError,
    ValidationError,
)
from .functions import Function, code_to_function, import_function_file
from .handlers import CLUSTER_KINDS, load_function, unsupported_kind
from .launch import launch
from .names import fix_name, validate_name
from .projectref import ProjectRef
from .record import RunState, artifact_to_dict, new_run
from .run import RunList, list_runs
from .schedules import Schedule, create_schedule
from .task import Task, task_for_call

if TYPE_CHECKING:
    from .gc import GcReport
    from .run import RunObject
    from .store.runstore import RunStore


class Project(ProjectRef):
    """A project: functions, a context folder, an artifact path, and the runs made in it."""

    def __init__(self, name: str, context: str, artifact_path: str = "", description: str = "",
                 store: RunStore | None = None) -> None:
        super().__init__(name, context, artifact_path, description, store)
        self._functions: dict[str, Function] = {}
        self.params: dict[str, Any] = {}
        """Project parameters (MLRun's ``project.spec.params``), kept on this object."""
        self.options: dict[str, Any] = {}
        """MLRun's project options given at creation (``init_git``, ``remote``, ``subpath``, ``secrets``, ...),
        kept on this object and unused: runlab's project is its context folder and its store."""

    # -- functions -------------------------------------------------------------------------------

    def set_function(
        self,
        func: str | Function | Callable | None = None,
        name: str = "",
        kind: str = "job",
        handler: str | Callable | None = None,
        description: str = "",
        kernel_name: str = "",
        *,
        image: str | None = None,
        with_repo: bool | None = None,
        tag: str | None = None,
        requirements: str | list[str] | None = None,
        requirements_file: str = "",
    ) -> Function:
        """Add (or replace) a function: a file path relative to the project context (``.py``, ``.ipynb``, or
        a function ``.yaml`` written by ``fn.export()``), a ``Function``, or a callable.

        >>> project.set_function("trainer.py", name="trainer", kind="job", handler="train")

        ``name`` may carry MLRun's tag (``"trainer:v1"``). MLRun's ``image``, ``with_repo``, ``tag``,
        ``requirements`` and ``requirements_file`` are recorded with the function and change nothing here.
        A name with ``_`` or upper case is normalised (``prep_data`` → ``prep-data``) with a warning.
        """
        if kind in CLUSTER_KINDS:
            raise UnsupportedError(unsupported_kind(kind))
        name, tag = _split_tag(name, tag)
        if isinstance(func, Function):
            fn = func
            if name:
                fn.name = fix_name(name, "function name")
            if handler is not None:
                fn.handler = handler
        elif callable(func):
            fn = Function(name=name, kind=kind, handler=func, description=description)
        elif isinstance(func, str) and func:
            if func.startswith(("hub://", "db://")) or "://" in func:
                raise UnsupportedError(
                    f"set_function({func!r}): runlab has no function hub or remote function database; download "
                    "the function's .py (or its YAML) into the project folder and set_function that file")
            path = Path(func).expanduser()
            path = path if path.is_absolute() else Path(self.context) / path
            if path.suffix in (".yaml", ".yml"):
                fn = import_function_file(str(path))
                fn.name = fix_name(name, "function name") if name else fn.name
                fn.handler = handler if handler is not None else fn.handler
            else:
                fn = code_to_function(name=name, filename=str(path), kind=kind, handler=handler,
                                      description=description, kernel_name=kernel_name)
        elif func is None and isinstance(handler, str) and "." in handler and name:
            fn = Function(name=name, kind=kind, handler=handler, description=description)  # a module's function
        else:
            raise ValidationError("set_function needs a file path, a Function, a callable, or name= and a module "
                                  "handler ('package.module.func') as its first argument")
        validate_name(fn.name, "function name")
        fn.tag = tag or fn.tag
        fn.image = image or fn.image
        fn.with_repo = with_repo if with_repo is not None else fn.with_repo
        fn.with_requirements(requirements, requirements_file)
        fn.project = self.name
        self._functions[fn.name] = fn
        spec = fn.to_dict()
        if callable(fn.handler) and spec["handler"] is None:
            spec["in_process_only"] = True
        self.store.save_function(self.name, fn.name, fn.kind, spec)
        return fn

    def build_function(self, function: str | Function, *args: Any, **kwargs: Any) -> None:
        """MLRun builds the function's container image: runlab has none to build; raises ``UnsupportedError``."""
        raise UnsupportedError(
            "project.build_function() builds a container image, which runlab does not: a function runs in this "
            "environment (install its requirements here) as a process of its own (kind 'job') or in this "
            "process; call project.run_function(...) directly")

    def deploy_function(self, function: str | Function, *args: Any, **kwargs: Any) -> None:
        """MLRun deploys a real-time (Nuclio or serving) function: raises ``UnsupportedError``."""
        raise UnsupportedError(
            "project.deploy_function() deploys a real-time function on Kubernetes (Nuclio, serving), which "
            "runlab does not have: run the handler as a job with project.run_function(...)")

    def set_source(self, source: str = "", pull_at_runtime: bool = False, workdir: str | None = None) -> None:
        """Record MLRun's project source (a git repo or archive); runlab runs the files of the context folder."""
        self.options.update(source=source, pull_at_runtime=pull_at_runtime, workdir=workdir)

    def get_param(self, key: str, default: Any = None) -> Any:
        """A project parameter (``parameters=`` of ``get_or_create_project`` / ``new_project``), or ``default``."""
        return self.params.get(key, default)

    def get_function(self, name: str, tag: str = "") -> Function:
        """The project's function called ``name`` (MLRun's ``"name:tag"`` and ``tag=`` check its tag)."""
        name, tag = _split_tag(name, tag)
        fn = self._functions.get(name)
        if fn is None:
            fn = self._functions[name] = load_function(self.store, self.name, name, Function)
        if tag and tag != fn.metadata.tag:
            raise FunctionNotFoundError(f"function {name!r} of project {self.name!r} has tag {fn.metadata.tag!r}, "
                                        f"not {tag!r}: runlab keeps one version of each function")
        return fn

    @property
    def metadata(self) -> SimpleNamespace:
        """MLRun's ``project.metadata``: ``name`` (read only)."""
        return SimpleNamespace(name=self.name)

    @property
    def spec(self) -> SimpleNamespace:
        """MLRun's ``project.spec``: ``context``, ``artifact_path``, ``description``, ``params`` (read only), and
        runlab's ``cache`` (the run cache's default: set it as ``project.cache``)."""
        return SimpleNamespace(context=self.context, artifact_path=self.artifact_path, description=self.description,
                               params=self.params, cache=self.cache)

    def list_functions(self) -> list[str]:
        """Names of the project's functions."""
        stored = {r["name"] for r in self.store.list_functions(self.name)}
        return sorted(stored | set(self._functions))

    # -- runs ------------------------------------------------------------------------------------

    def run_function(
        self,
        function: str | Function,
        handler: str | Callable | None = None,
        name: str = "",
        params: dict[str, Any] | None = None,
        inputs: dict[str, str] | None = None,
        labels: dict[str, str] | None = None,
        base_task: Task | None = None,
        artifact_path: str | None = None,
        local: bool | None = None,
        watch: bool = True,
        returns: list[str] | None = None,
        hyperparams: dict[str, list[Any]] | None = None,
        hyper_param_options: Any = None,
        selector: str | None = None,
        schedule: str | None = None,
        schedule_name: str | None = None,
        timezone: str | None = None,
        concurrency: str = "forbid",
        overwrite: bool = False,
        keep_runs: int | None = None,
        timeout: float | None = None,
        retry: int | None = None,
        retry_delay: float | None = None,
        cache: bool | None = None,
    ) -> RunObject | Schedule:
        """Run a function of this project (by name) or a function object; returns its ``RunObject``.

        The call's arguments win over ``base_task``'s; ``watch=True`` waits for the run to end.
        A failed run raises :class:`runlab.RunError` carrying the recorded run as ``err.run``.

        With ``schedule`` (a cron string: ``"0 */6 * * *"``, ``"@daily"``) nothing runs now: the task is
        recorded as a :class:`~runlab.schedules.Schedule` (named ``schedule_name``, default the function's
        name; cron times in ``timezone``, default the local zone) that schedulers fire as background runs.
        ``concurrency`` says what a firing does while the previous run still goes: ``"forbid"`` (skip it),
        ``"allow"`` or ``"replace"`` (abort the previous run). ``overwrite=True`` replaces a schedule of the
        same name. ``keep_runs=N`` keeps only the schedule's newest N ended runs: older ones, with their logs and
        artifact files, are deleted after each firing.
        ``timeout=N`` stops an attempt of the run that takes longer than N seconds (the run ends ``error``, "timed out
        after N s"); ``retry=N`` tries a failed attempt (an error or a timeout, never an abort) up to N times
        more, waiting ``retry_delay`` seconds before the second attempt and twice as long before each further
        one (each attempt is listed in ``status.attempts``); a sweep applies them to each child.
        ``cache=True`` returns the newest completed run of the same code, handler, params and inputs without
        running anything (a new run labelled ``cached-from=<uid>``; a sweep reuses such children one by one);
        ``cache=False`` always runs; None (the default) takes the project's default, ``project.cache`` (False).
        """
        fn = self.get_function(function) if isinstance(function, str) else function
        if not isinstance(fn, Function):
            raise ValidationError(f"function must be a name or a Function, not {type(function).__name__}")
        task = task_for_call(base_task, name=name, params=params, inputs=inputs, labels=labels, returns=returns,
                             artifact_path=artifact_path, hyperparams=hyperparams,
                             hyper_param_options=hyper_param_options, timeout=timeout, retry=retry,
                             retry_delay=retry_delay, cache=cache)
        if schedule is not None:
            return create_schedule(self, fn, schedule, task, handler if handler is not None else task.handler,
                                   selector, name=schedule_name, timezone=timezone, concurrency=concurrency,
                                   overwrite=overwrite, keep_runs=keep_runs)
        if keep_runs is not None:
            raise ValidationError("keep_runs applies to a schedule's runs: give schedule= too, or drop keep_runs")
        try:
            return launch(fn, self, task, handler=handler, local=local, watch=watch, selector=selector)
        finally:
            gcpass.after_run(self)  # the project's gc policy, if it keeps one (at most once per its interval)

    # -- garbage collection ------------------------------------------------------------------------

    def gc(self, older_than: str | float | timedelta | None = None, keep_last: int | None = None,
           state: str | list[str] | None = None, dry_run: bool = False, progress: bool = True) -> GcReport:
        """Delete the project's ended runs that are older than ``older_than`` (``"30d"``, ``"12h"``, ``"90m"``,
        seconds, or a ``timedelta``; by start time), beyond the newest ``keep_last`` ended runs of each job
        (the runs of one name), and in ``state`` (``"error"``, or a list of ended states): every bound given
        must hold. Each goes with its log and artifact files, except a run whose artifact files a staying run
        of the project reads as an input. A live run is never deleted. ``dry_run=True`` deletes nothing and
        reports the same runs. Returns a :class:`~runlab.gc.GcReport` (runs, files, bytes freed); a progress
        bar shows while many runs are deleted.

        >>> project.gc(older_than="30d", keep_last=100, state=["error", "aborted"], dry_run=True)
        """
        selection = gcpass.Selection.checked(older_than, keep_last, state)
        return gcpass.collect(self.store, self.name, selection, dry_run=dry_run, progress=progress)

    def set_gc_policy(self, older_than: str | float | timedelta | None = None, keep_last: int | None = None,
                      state: str | list[str] | None = None, interval: float = gcpass.DEFAULT_INTERVAL) -> None:
        """Run :meth:`gc` with these arguments after the project's runs end (kept in the store: every process
        running the project's functions applies it), at most once per ``interval`` seconds in each process.
        ``clear_gc_policy()`` stops it."""
        gcpass.set_policy(self.store, self.name, gcpass.Selection.checked(older_than, keep_last, state), interval)

    def clear_gc_policy(self) -> None:
        """Stop running gc after the project's runs (see :meth:`set_gc_policy`)."""
        gcpass.set_policy(self.store, self.name, None)

    @property
    def gc_policy(self) -> dict[str, Any] | None:
        """The gc the project runs after its runs (``older_than`` in seconds, ``keep_last``, ``state``,
        ``interval``), or None."""
        return gcpass.get_policy(self.store, self.name)

    # -- schedules -------------------------------------------------------------------------------

    def list_schedules(self) -> list[Schedule]:
        """The project's schedules, by name."""
        return [Schedule(self.store, self.name, row["name"]) for row in self.store.list_schedules(self.name)]

    def get_schedule(self, name: str) -> Schedule:
        """One schedule by name (``ScheduleNotFoundError`` if there is none)."""
        if self.store.get_schedule(self.name, name) is None:
            names = ", ".join(row["name"] for row in self.store.list_schedules(self.name)) or "none"
            raise ScheduleNotFoundError(f"project {self.name!r} has no schedule {name!r} (schedules: {names})")
        return Schedule(self.store, self.name, name)

    def delete_schedule(self, name: str) -> None:
        """Delete a schedule (the runs it fired stay)."""
        self.get_schedule(name).delete()

    def list_runs(
        self,
        name: str | None = None,
        uid: str | None = None,
        labels: dict[str, str] | list[str] | str | None = None,
        state: str | None = None,
        last: int | None = None,
        iter: bool = False,
        since: float | None = None,
        until: float | None = None,
        filter: str | None = None,
        order_by: str | list[str] | None = None,
    ) -> RunList:
        """The project's runs, newest first, filtered by name, uid, labels (``{"team": "a"}`` or
        ``["team=a"]``), state and start time; ``last`` limits how many. ``filter`` (an expression such as
        ``"results.accuracy > 0.9 and state == 'completed'"``) and ``order_by`` (``["results.accuracy desc"]``)
        are those of :func:`runlab.list_runs`."""
        return list_runs(project=self.name, name=name, uid=uid, labels=labels, state=state, last=last,
                         iter=iter, since=since, until=until, store=self.store, filter=filter, order_by=order_by)

    def list_artifacts(self, key: str | None = None, tag: str | None = None,
                       labels: dict[str, str] | list[str] | str | None = None, kind: str | None = None,
                       iter: int | None = None, category: str | None = None,
                       name: str | None = None) -> list[dict[str, Any]]:
        """Artifact records of this project (every version), newest version first per key; filtered by key
        (MLRun's ``name``), tag, labels (``{"k": "v"}``, ``["k=v"]`` or ``"k=v"``), kind (``category``:
        ``model``, ``dataset``, ...) and iteration."""
        wanted = _label_filter(labels)
        kind = kind or category
        rows = self.store.list_artifacts(self.name, key or name or None)
        return [artifact_to_dict(r) for r in rows
                if (tag is None or r["tag"] == tag) and (kind is None or r["kind"] == kind)
                and (iter is None or r["iteration"] == iter)
                and all((r["labels"] or {}).get(k) == v for k, v in wanted.items())]

    # -- artifacts of the project (MLRun's project.log_artifact, get_artifact, ...) ---------------------

    def log_artifact(self, item: Any, body: Any = None, tag: str = "", local_path: str = "",
                     artifact_path: str | None = None, format: str | None = None, upload: bool | None = None,
                     labels: dict[str, str] | None = None, target_path: str | None = None,
                     **kwargs: Any) -> ArtifactRecord:
        """Record an artifact of the project, made outside any run: ``item`` is a key (with ``body`` or
        ``local_path`` as in ``context.log_artifact``) or an artifact object. The file goes under
        ``artifact_path`` (default: the project's); its URI has no producer run."""
        return self._artifact_writer().log_artifact(
            item, body=body, local_path=local_path or None, format=format, tag=tag or None, labels=labels,
            artifact_path=artifact_path or self._own_artifact_path(), target_path=target_path, **kwargs)

    def log_dataset(self, key: str, df: Any, tag: str = "", artifact_path: str | None = None,
                    **kwargs: Any) -> ArtifactRecord:
        """Record a DataFrame as a dataset of the project (see ``context.log_dataset``)."""
        return self._artifact_writer().log_dataset(key, df, tag=tag or None,
                                                   artifact_path=artifact_path or self._own_artifact_path(), **kwargs)

    def log_model(self, key: str, body: Any = None, model_file: str | None = None, tag: str = "",
                  artifact_path: str | None = None, **kwargs: Any) -> ArtifactRecord:
        """Record a model of the project (see ``context.log_model``)."""
        return self._artifact_writer().log_model(key, body=body, model_file=model_file, tag=tag or None,
                                                 artifact_path=artifact_path or self._own_artifact_path(), **kwargs)

    def get_artifact(self, key: str, tag: str | None = None, iter: int | None = None,
                     tree: str | None = None) -> ArtifactRecord:
        """The newest record of artifact ``key`` (with that tag, iteration, producer run uid ``tree``);
        ``.to_dataitem()`` reads it. Raises ``ArtifactNotFoundError`` when none matches."""
        row = self.store.get_artifact(self.name, key, tag=tag, uid=tree, iteration=iter)
        if row is None:
            raise ArtifactNotFoundError(
                f"project {self.name!r} has no artifact {key!r}{f' tagged {tag!r}' if tag else ''}: "
                "project.list_artifacts() lists them"
            )
        return ArtifactRecord(artifact_to_dict(row))

    def get_artifact_uri(self, key: str, category: str = "artifact", tag: str | None = None,
                         iter: int | None = None) -> str:
        """The ``store://`` URI of artifact ``key``: ``store://{category}s/{project}/{key}[#iter][:tag]``
        (``category`` is ``artifact``, ``model`` or ``dataset``; all three resolve alike)."""
        if category not in ("artifact", "model", "dataset"):
            raise ValidationError(f"unknown artifact category {category!r}: use 'artifact', 'model' or 'dataset'")
        uri = f"store://{category}s/{self.name}/{key}"
        if iter is not None:
            uri = f"{uri}#{iter}"
        return f"{uri}:{tag}" if tag is not None else uri

    def get_store_resource(self, uri: str) -> DataItem:
        """A DataItem for a ``store://`` URI (or any URL)."""
        return get_dataitem(uri, store=self.store)

    def _own_artifact_path(self) -> str:
        """Where the project's own artifacts go: its artifact path, ``{run.uid}``/``{run.name}`` filled
        with ``project`` (they belong to no run)."""
        return expand_artifact_path(self.artifact_path, "project", "project", self.name)

    def _artifact_writer(self) -> RunContext:
        """A context that records artifacts for the project itself: no run is recorded, and the artifacts
        name no producer run (its uid is empty)."""
        record = new_run(self.name, self.name, "project", RunState.COMPLETED, {}, {"output_path": self.artifact_path})
        writer = RunContext(record, self.store)
        writer.uid = ""
        return writer


def _label_filter(labels: dict[str, str] | list[str] | str | None) -> dict[str, str]:
    if labels is None:
        return {}
    if isinstance(labels, dict):
        return {k: str(v) for k, v in labels.items()}
    items = [labels] if isinstance(labels, str) else list(labels)
    return dict(item.split("=", 1) if "=" in item else (item, "") for item in items)


def get_or_create_project(
    name: str,
    context: str = "./",
    artifact_path: str = "",
    description: str = "",
    set_current: bool = True,
    *,
    url: str | None = None,
    secrets: dict | None = None,
    init_git: bool = False,
    subpath: str | None = None,
    clone: bool = False,
    user_project: bool = False,
    from_template: str | None = None,
    save: bool = True,
    parameters: dict[str, Any] | None = None,
    allow_cross_project: bool | None = None,
) -> Project:
    """The stored project ``name``, or a new one with this context (it becomes the current project).

    MLRun's keywords are accepted: ``user_project=True`` adds ``-<username>`` to the name, as MLRun does;
    ``parameters`` become ``project.params``; ``secrets``, ``init_git``, ``subpath``, ``clone``, ``save``
    and ``allow_cross_project`` are kept in ``project.options`` and change nothing. A project from ``url``
    or ``from_template`` (git, zip or project YAML) raises ``UnsupportedError``.
    """
    name = _with_user(name, user_project)
    validate_name(name, "project name")
    _refuse_remote(url=url, from_template=from_template)
    project = projectref.get_or_create(name, context, artifact_path, description, cls=Project)
    _keep_options(project, parameters, secrets=secrets, init_git=init_git, subpath=subpath, clone=clone, save=save,
                  allow_cross_project=allow_cross_project)
    if set_current:
        projectref.set_current(project)
    return project


def new_project(
    name: str, context: str = "./", artifact_path: str = "", description: str = "", overwrite: bool = False,
    set_current: bool = True,
    *,
    init_git: bool = False,
    user_project: bool = False,
    remote: str | None = None,
    from_template: str | None = None,
    secrets: dict | None = None,
    subpath: str | None = None,
    save: bool = True,
    parameters: dict[str, Any] | None = None,
    default_function_node_selector: dict | None = None,
) -> Project:
    """A new project. If one of that name exists, pass ``overwrite=True`` (its runs are kept) or use
    :func:`get_or_create_project`.

    MLRun's keywords are accepted as in :func:`get_or_create_project` (``remote`` is kept in
    ``project.options``; ``default_function_node_selector``, a Kubernetes setting, is kept and unused).
    """
    name = _with_user(name, user_project)
    validate_name(name, "project name")
    _refuse_remote(from_template=from_template)
    if not overwrite and projectref.load(name) is not None:
        raise ValidationError(
            f"project {name!r} already exists: use get_or_create_project({name!r}) or new_project(..., overwrite=True)"
        )
    project = Project(name, context, artifact_path, description).save()
    _keep_options(project, parameters, init_git=init_git, remote=remote, secrets=secrets, subpath=subpath,
                  save=save, default_function_node_selector=default_function_node_selector)
    if set_current:
        projectref.set_current(project)
    return project


def load_project(
    name: str = "",
    set_current: bool = True,
    *,
    context: str = "",
    url: str | None = None,
    secrets: dict | None = None,
    init_git: bool = False,
    subpath: str | None = None,
    clone: bool = False,
    user_project: bool = False,
    save: bool = True,
    sync_functions: bool = False,
    parameters: dict[str, Any] | None = None,
    allow_cross_project: bool | None = None,
) -> Project:
    """A project from the store, by name (MLRun's keywords as in :func:`get_or_create_project`; a project
    from ``url`` raises ``UnsupportedError``)."""
    _refuse_remote(url=url)
    if not name:
        raise ValidationError("load_project needs name=: runlab loads projects from its store by name, not from a "
                              "project.yaml in the context folder")
    name = _with_user(name, user_project)
    project = projectref.load(name, cls=Project)
    if project is None:
        raise ProjectNotFoundError(f"no project named {name!r}: create it with runlab.get_or_create_project")
    _keep_options(project, parameters, secrets=secrets, init_git=init_git, subpath=subpath, clone=clone, save=save,
                  sync_functions=sync_functions, allow_cross_project=allow_cross_project)
    if set_current:
        projectref.set_current(project)
    return project


def _with_user(name: str, user_project: bool) -> str:
    """MLRun's ``user_project=True``: the name with ``-<username>`` added (``V3IO_USERNAME`` or the login
    name, lower case, without a ``@domain``, only letters, digits and '-')."""
    if not user_project:
        return name
    if not name:
        raise ValidationError("user_project=True needs the project's name")
    user = (os.environ.get("V3IO_USERNAME") or getpass.getuser()).lower().split("@")[0]
    user = re.sub(r"[^a-z0-9_-]", "", user).replace("_", "-").rstrip("-")
    return f"{name}-{user}" if user else name


def _refuse_remote(**sources: str | None) -> None:
    for key, value in sources.items():
        if value:
            raise UnsupportedError(
                f"{key}={value!r}: runlab does not load projects from git, zip or project YAML files; create the "
                "project with runlab.get_or_create_project(name, context=<folder with its code>) and "
                "project.set_function(...) each function")


def _keep_options(project: Project, parameters: dict[str, Any] | None, **options: Any) -> None:
    if parameters is not None and not isinstance(parameters, dict):
        raise ValidationError(f"parameters must be a dict, not {type(parameters).__name__}")
    project.params.update(parameters or {})
    project.options.update({key: value for key, value in options.items() if value not in (None, False, {}, "")})


def _split_tag(name: str, tag: str | None) -> tuple[str, str]:
    """MLRun's ``name:tag`` function name: the name and the tag (which must match ``tag=`` when both are given)."""
    parts = name.split(":") if name else [""]
    if len(parts) > 2:
        raise ValidationError(f"function name {name!r} must be <name> or <name>:<tag>")
    if len(parts) == 2:
        if tag and parts[1] and tag != parts[1]:
            raise ValidationError(f"tag={tag!r} and the tag in the function name {name!r} must match")
        return parts[0], tag or parts[1]
    return name, tag or ""


def get_current_project(required: bool = False) -> Project | None:
    """The current project (set by the last get_or_create/new/load_project), or None.

    With ``required=True`` a missing current project raises ``ProjectNotFoundError``.
    """
    current = projectref.current()
    if current is None and required:
        raise ProjectNotFoundError(
            "there is no current project: call runlab.get_or_create_project('name') first"
        )
    return current  # type: ignore[return-value]


def resolve_project(name: str = "") -> Project:
    """The named project, else the current one, else the configured default project (created on demand)."""
    return projectref.resolve(name, cls=Project)
