"""``Task``: a run template (name, handler, params, inputs, labels, ...) built with ``new_task``.

A task is passed as ``base_task=`` to ``run_function`` / ``Function.run``; the call's own arguments win
over the task's, and dict arguments (params, inputs, labels) are merged key by key.
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

    def to_dict(self) -> dict[str, Any]:
        return {f.name: copy.deepcopy(getattr(self, f.name)) for f in fields(self)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Task:
        known = {f.name for f in fields(cls)}
        return cls(**{k: copy.deepcopy(v) for k, v in data.items() if k in known})

    def merged(self, **call: Any) -> Task:
        """A copy of this task with the call's arguments applied: given scalars win, dicts merge."""
        merged = Task.from_dict(self.to_dict())
        for key, value in call.items():
            if value is None or value == "" or value == [] or value == {}:
                continue
            current = getattr(merged, key)
            if isinstance(current, dict) and isinstance(value, dict):
                current.update(value)
            else:
                setattr(merged, key, value)
        return merged


def task_for_call(
    base_task: Task | None = None,
    name: str = "",
    params: dict[str, Any] | None = None,
    inputs: dict[str, str] | None = None,
    labels: dict[str, str] | None = None,
    returns: list[str] | None = None,
    artifact_path: str | None = None,
    hyperparams: dict[str, list[Any]] | None = None,
    hyper_param_options: Any = None,
) -> Task:
    """The task a ``run_function`` call describes: ``base_task`` with the call's arguments applied (the
    one place the run arguments of every entry point are merged)."""
    if base_task is not None and not isinstance(base_task, Task):
        raise ValidationError(f"base_task must be a Task from runlab.new_task(), not {type(base_task).__name__}")
    options = hyper_param_options.to_dict() if hasattr(hyper_param_options, "to_dict") else hyper_param_options
    return (base_task or Task()).merged(
        name=name, params=params, inputs=inputs, labels=labels, returns=returns, artifact_path=artifact_path,
        hyperparams=hyperparams, hyper_param_options=options,
    )


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
) -> Task:
    """A new run template.

    >>> task = new_task(name="t1", params={"p1": 8}).with_input("data", "data/iris.csv")
    >>> task.set_label("team", "a").params
    {'p1': 8}
    """
    task = Task(
        name=name,
        project=project,
        handler=handler,
        params=dict(params or {}),
        inputs=dict(inputs or {}),
        labels={k: str(v) for k, v in (labels or {}).items()},
        hyperparams=dict(hyper_params or {}),
        param_file=param_file,
        hyper_param_options=dict(hyper_param_options or {}),
        outputs=list(outputs or []),
        returns=list(returns or []),
        artifact_path=artifact_path,
    )
    if selector is not None:
        task.hyper_param_options["selector"] = selector
    return task
