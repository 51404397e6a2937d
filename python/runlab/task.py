"""``Task``: a run template (name, handler, params, inputs, labels, ...) built with ``new_task``.

A task is passed as ``base_task=`` to ``run_function`` / ``Function.run``; the call's own arguments win
over the task's, and dict arguments (params, inputs, labels) are merged key by key.

MLRun code reads and writes a task through ``task.spec.*`` (``parameters``, ``inputs``, ``hyperparams``,
``hyper_param_options``, ``handler``, ``output_path``, ...) and ``task.metadata.*`` (``name``, ``project``,
``labels``): these are views of the same fields. ``Task.from_dict`` also reads MLRun's ``{"metadata",
"spec"}`` shape; ``to_dict`` keeps runlab's flat one (schedules store it).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, fields
from typing import Any

from .errors import ValidationError
from .secrets import secret_source


@dataclass
class Task:
    """A run template. Build it with :func:`new_task` and the chainable ``with_*`` / ``set_label``."""

    name: str = ""
    project: str = ""
    handler: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    inputs: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    hyperparams: dict[str, list[Any]] = field(default_factory=dict)
    param_file: str = ""
    hyper_param_options: dict[str, Any] = field(default_factory=dict)
    outputs: list[str] = field(default_factory=list)
    returns: list[str] = field(default_factory=list)
    artifact_path: str = ""
    secrets: list[dict[str, Any]] = field(default_factory=list)
    timeout: float | None = None
    """Seconds one attempt of the run may take (None: no limit); see ``runlab.bounds``."""
    retry: int | None = None
    """How many times a failed attempt is tried again (None: never)."""
    retry_delay: float | None = None
    """Seconds before the second attempt, doubled before each further one."""
    cache: bool | None = None
    """Return the newest completed run of the same code, handler, params and inputs instead of running
    (``runcache``); None: the project's default (``project.cache``)."""

    def with_params(self, **params: Any) -> Task:
        """Add (or replace) params: ``task.with_params(p1=3, p2="a")``."""
        self.params.update(params)
        return self

    def with_input(self, key: str, url: str) -> Task:
        """Add one data input: ``task.with_input("data", "data/iris.csv")``."""
        self.inputs[key] = url
        return self

    def with_hyper_params(
        self,
        hyperparams: dict[str, list[Any]],
        selector: str | None = None,
        strategy: str | None = None,
        **options: Any,
    ) -> Task:
        """Run the task over a parameter space (see the iterative-jobs docs for strategies)."""
        self.hyperparams = dict(hyperparams)
        self._set_hyper_options(selector, strategy, options)
        return self

    def with_param_file(
        self, param_file: str, selector: str | None = None, strategy: str | None = None, **options: Any
    ) -> Task:
        """Take the parameter space from a CSV (list) or JSON (grid) file at any fsspec URL."""
        self.param_file = param_file
        self._set_hyper_options(selector, strategy, options)
        return self

    def with_secrets(self, kind: str, source: Any) -> Task:
        """Add a secrets source the handler reads with ``context.get_secret(key)``: ``"inline"`` (a dict;
        in-process runs only), ``"env"`` (``"A,B"`` or a list of environment variable names) or ``"file"``
        (a file of ``KEY=value`` lines). Only the keys and sources are recorded, never the values.
        """
        self.secrets.append(secret_source(kind, source))
        return self

    def set_label(self, key: str, value: Any) -> Task:
        """Add a label (a string key/value used for filtering runs)."""
        self.labels[key] = str(value)
        return self

    def _set_hyper_options(self, selector: str | None, strategy: str | None, options: dict) -> None:
        if selector is not None:
            self.hyper_param_options["selector"] = selector
        if strategy is not None:
            self.hyper_param_options["strategy"] = strategy
        self.hyper_param_options.update(options)

    @property
    def spec(self) -> TaskSpecView:
        """MLRun's ``task.spec``: ``parameters``, ``inputs``, ``hyperparams``, ``hyper_param_options``,
        ``param_file``, ``handler``, ``outputs``, ``returns``, ``output_path`` (views of this task's fields)."""
        return TaskSpecView(self)

    @property
    def metadata(self) -> TaskMetadataView:
        """MLRun's ``task.metadata``: ``name``, ``project``, ``labels`` (views of this task's fields)."""
        return TaskMetadataView(self)

    def copy(self) -> Task:
        """A deep copy of the task (changing it leaves this one alone)."""
        return copy.deepcopy(self)

    def to_dict(self) -> dict[str, Any]:
        """The task's fields (runlab's flat shape: ``name``, ``params``, ``inputs``, ...); the bounds
        (``timeout``, ``retry``, ``retry_delay``) and ``cache`` only when set, so a task without them keeps its
        shape."""
        return {f.name: copy.deepcopy(getattr(self, f.name)) for f in fields(self)
                if f.name not in _WHEN_SET or getattr(self, f.name) is not None}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Task:
        """A task from ``to_dict()``'s shape, or from MLRun's run template (``{"metadata": .., "spec": ..}``)."""
        if not isinstance(data, dict):
            raise ValidationError(f"a task dict is needed, not {type(data).__name__}")
        if "spec" in data or "metadata" in data:
            task = Task()
            task.metadata.update(data.get("metadata") or {})
            task.spec.update(data.get("spec") or {})
            return cls.from_dict(task.to_dict()) if cls is not Task else task
        known = {f.name for f in fields(Task)}
        task = Task.__new__(cls)
        Task.__init__(task, **{k: copy.deepcopy(v) for k, v in data.items() if k in known})
        return task

    def merged(self, **call: Any) -> Task:
        """A copy of this task with the call's arguments applied: given scalars win, dicts merge."""
        return Task.from_dict(self.to_dict())._apply(call)

    def _apply(self, call: dict[str, Any]) -> Task:
        """Apply a call's arguments to this task in place (see ``merged``)."""
        merged = self
        for key, value in call.items():
            if value is None or value == "" or value == [] or value == {}:
                continue
            current = getattr(merged, key)
            if isinstance(current, dict) and isinstance(value, dict):
                current.update(value)
            else:
                setattr(merged, key, value)
        return merged


_WHEN_SET = ("timeout", "retry", "retry_delay", "cache")


class _View:
    """Attribute access to some of a task's fields under MLRun's names (reads and writes go to the task)."""

    _names: dict[str, str] = {}

    def __init__(self, task: Task) -> None:
        object.__setattr__(self, "_task", task)

    def __getattr__(self, name: str) -> Any:
        field_name = type(self)._names.get(name)
        if field_name is None:
            raise AttributeError(f"task {type(self).__name__[4:-4].lower()} has no {name!r} "
                                 f"(it has {', '.join(sorted(type(self)._names))})")
        return getattr(self._task, field_name)

    def __setattr__(self, name: str, value: Any) -> None:
        field_name = type(self)._names.get(name)
        if field_name is None:
            raise ValidationError(f"a task has no {name!r} to set (use one of {', '.join(sorted(type(self)._names))})")
        setattr(self._task, field_name, _converted(field_name, value))

    def __dir__(self) -> list[str]:
        return sorted(type(self)._names)

    def __repr__(self) -> str:
        return repr(self.to_dict())

    def to_dict(self) -> dict[str, Any]:
        """The viewed fields under MLRun's names."""
        return {name: copy.deepcopy(getattr(self._task, field_name)) for name, field_name in type(self)._names.items()}

    def update(self, data: dict[str, Any]) -> None:
        """Set the fields MLRun's dict names (unknown keys, such as MLRun's ``uid``, are left out)."""
        for key, value in data.items():
            if key in type(self)._names and value is not None:
                setattr(self, key, value)
        options = data.get("hyper_param_options")
        if isinstance(options, dict) and options.get("param_file"):
            self._task.param_file = options["param_file"]


class TaskSpecView(_View):
    """``task.spec``: MLRun's ``RunSpec`` names for a task's fields."""

    _names = {"parameters": "params", "inputs": "inputs", "hyperparams": "hyperparams",
              "hyper_param_options": "hyper_param_options", "param_file": "param_file", "handler": "handler",
              "outputs": "outputs", "returns": "returns", "output_path": "artifact_path",
              "artifact_path": "artifact_path", "secret_sources": "secrets"}

    @property
    def hyper_param_options(self) -> HyperOptionsView:
        """MLRun's ``HyperParamOptions`` names (``selector``, ``strategy``, ``parallel_runs``, ``param_file``,
        ...) over the task's options dict: ``task.spec.hyper_param_options.selector = "max.accuracy"``."""
        return HyperOptionsView(self._task)

    @property
    def handler_name(self) -> str:
        """The handler as text."""
        handler = self._task.handler
        return handler if isinstance(handler, str) else getattr(handler, "__name__", "") if handler else ""


class HyperOptionsView:
    """A task's sweep options as attributes (an option not set reads as None, as in MLRun)."""

    def __init__(self, task: Task) -> None:
        object.__setattr__(self, "_task", task)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        if name == "param_file":
            return self._task.param_file or None
        return self._task.hyper_param_options.get(name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "param_file":
            self._task.param_file = value or ""
        elif value is None:
            self._task.hyper_param_options.pop(name, None)
        else:
            self._task.hyper_param_options[name] = getattr(value, "value", value)  # an enum member: its value

    def __eq__(self, other: object) -> bool:
        return self.to_dict() == (other.to_dict() if isinstance(other, HyperOptionsView) else other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(self.to_dict())

    def to_dict(self) -> dict[str, Any]:
        """The options set (and ``param_file`` when there is one)."""
        options = copy.deepcopy(self._task.hyper_param_options)
        if self._task.param_file:
            options["param_file"] = self._task.param_file
        return options


class TaskMetadataView(_View):
    """``task.metadata``: MLRun's ``RunMetadata`` names for a task's fields."""

    _names = {"name": "name", "project": "project", "labels": "labels"}


def _converted(field_name: str, value: Any) -> Any:
    """A value set through a view, in the field's own type (an options object becomes its dict)."""
    if field_name == "hyper_param_options":
        if hasattr(value, "to_dict"):
            value = value.to_dict()
        options = dict(value or {})
        options.pop("param_file", None)
        return {k: v for k, v in options.items() if v is not None}
    if field_name == "labels":
        return {str(k): str(v) for k, v in dict(value or {}).items()}
    if field_name in ("params", "inputs", "hyperparams"):
        if value is not None and not isinstance(value, dict):
            raise ValidationError(f"task {field_name} must be a dict, not {type(value).__name__}")
        return dict(value or {})
    if field_name in ("outputs", "returns"):
        return list(value or [])
    return value


def task_for_call(
    base_task: Task | dict[str, Any] | None = None,
    name: str = "",
    params: dict[str, Any] | None = None,
    inputs: dict[str, str] | None = None,
    labels: dict[str, str] | None = None,
    returns: list[str] | None = None,
    artifact_path: str | None = None,
    hyperparams: dict[str, list[Any]] | None = None,
    hyper_param_options: Any = None,
    timeout: float | None = None,
    retry: int | None = None,
    retry_delay: float | None = None,
    cache: bool | None = None,
) -> Task:
    """The task a ``run_function`` call describes: ``base_task`` with the call's arguments applied (the
    one place the run arguments of every entry point are merged)."""
    if isinstance(base_task, dict):  # a task dict (runlab's shape or MLRun's {"metadata", "spec"})
        base_task = Task.from_dict(base_task)
    if base_task is not None and not isinstance(base_task, Task):
        raise ValidationError(f"base_task must be a Task from runlab.new_task() (or a task dict), not "
                              f"{type(base_task).__name__}")
    options = hyper_param_options.to_dict() if hasattr(hyper_param_options, "to_dict") else hyper_param_options
    call = {"name": name, "params": params, "inputs": inputs, "labels": labels, "returns": returns,
            "artifact_path": artifact_path, "hyperparams": hyperparams, "hyper_param_options": options,
            "timeout": timeout, "retry": retry, "retry_delay": retry_delay, "cache": cache}
    if base_task is None:  # a fresh task is nobody else's: no copy to protect
        return Task()._apply(call)
    return base_task.merged(**call)


def new_task(
    name: str = "",
    project: str = "",
    handler: str | None = None,
    params: dict[str, Any] | None = None,
    inputs: dict[str, str] | None = None,
    labels: dict[str, str] | None = None,
    hyper_params: dict[str, list[Any]] | None = None,
    param_file: str = "",
    selector: str | None = None,
    hyper_param_options: dict[str, Any] | None = None,
    outputs: list[str] | None = None,
    returns: list[str] | None = None,
    artifact_path: str = "",
    out_path: str = "",
    base: Task | dict[str, Any] | None = None,
) -> Task:
    """A new run template.

    >>> task = new_task(name="t1", params={"p1": 8}).with_input("data", "data/iris.csv")
    >>> task.set_label("team", "a").params
    {'p1': 8}

    ``base`` is a task (or a task dict, runlab's or MLRun's shape) to start from: a copy of it gets the
    arguments given here, which replace its own (as MLRun's ``new_task``). ``out_path`` is MLRun's name for
    ``artifact_path``. ``project`` names the project the run goes to (created on the run if missing).
    """
    if base is None:
        task = Task()
    elif isinstance(base, Task):
        task = base.copy()
    elif isinstance(base, dict):
        task = Task.from_dict(base)
    else:
        raise ValidationError(f"base must be a Task (runlab.new_task) or a task dict, not {type(base).__name__}")
    options = hyper_param_options.to_dict() if hasattr(hyper_param_options, "to_dict") else hyper_param_options
    task.name = name or task.name
    task.project = project or task.project
    task.handler = handler or task.handler
    task.params = _mapping("params", params) or task.params
    task.inputs = _mapping("inputs", inputs) or task.inputs
    task.labels = {k: str(v) for k, v in _mapping("labels", labels).items()} or task.labels
    task.hyperparams = _mapping("hyper_params", hyper_params) or task.hyperparams
    task.param_file = param_file or task.param_file
    task.hyper_param_options = _converted("hyper_param_options", options) if options else task.hyper_param_options
    task.outputs = list(outputs) if outputs else task.outputs
    task.returns = list(returns) if returns else task.returns
    task.artifact_path = artifact_path or out_path or task.artifact_path
    if selector is not None:
        task.hyper_param_options["selector"] = selector
    return task


def _mapping(what: str, value: Any) -> dict[str, Any]:
    """``value`` as a new dict (``{}`` for None); ``ValidationError`` when it is not a mapping."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValidationError(f"{what} must be a dict, not {type(value).__name__} {value!r}")
    return dict(value)
