"""runlab: run Python functions and notebooks as tracked jobs, from a notebook cell.

>>> import runlab
>>> project = runlab.get_or_create_project("demo", context="./")
>>> project.set_function("trainer.py", name="trainer", kind="job", handler="train")
>>> run = project.run_function("trainer", params={"lr": 0.1}, inputs={"data": "data/iris.csv"}, local=True)
>>> run.state(), run.outputs

Names are imported on first use, so ``import runlab`` stays cheap (no SQLAlchemy, pandas or fsspec).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    # projects
    "Project": "project",
    "get_or_create_project": "project",
    "new_project": "project",
    "load_project": "project",
    "get_current_project": "project",
    # functions and runs
    "Function": "functions",
    "new_function": "functions",
    "code_to_function": "functions",
    "Task": "task",
    "new_task": "task",
    "HyperParamOptions": "hyper",
    "RunObject": "run",
    "RunList": "run",
    "get_run": "run",
    "compare_runs": "run",
    "RunState": "record",
    "RunContext": "context",
    "get_or_create_ctx": "adhoc",
    "DataItem": "data",
    "get_dataitem": "data",
    "get_run_db": "rundb",
    "set_dask_client": "runtimes.dask",
    "RunDB": "rundb",
    "Schedule": "schedules",
    "export_runs": "exchange",
    "import_runs": "exchange",
    # errors
    "RunlabError": "errors",
    "ValidationError": "errors",
    "FunctionNotFoundError": "errors",
    "HandlerNotFoundError": "errors",
    "MissingParameterError": "errors",
    "InvalidParameterError": "errors",
    "InvalidInputError": "errors",
    "InvalidNameError": "errors",
    "UnsupportedError": "errors",
    "CacheError": "errors",
    "ProjectNotFoundError": "errors",
    "RunNotFoundError": "errors",
    "ArtifactNotFoundError": "errors",
    "RunTimeoutError": "errors",
    "StoreError": "errors",
    "RunError": "errors",
    "ScheduleExistsError": "errors",
    "ScheduleNotFoundError": "errors",
    "RunStateError": "errors",
    "CodeChangedWarning": "errors",
    "ClusterUnavailableError": "errors",
    "NotebookCellError": "errors",
    "ExportFileError": "errors",
}

__all__ = sorted([*_EXPORTS, "run_function", "__version__"])

# MLRun's names for the same things (see runlab.compat): resolvable, but not part of runlab's own API listing.
_MLRUN_NAMES = {
    "MLClientCtx": "compat.execution",
    "mlconf": "compat.config",
    "set_environment": "compat.config",
    "set_env_from_file": "compat.config",
    "get_secret_or_env": "compat.config",
    "get_version": "compat.config",
    "mount_v3io": "compat.functions",
    "v3io_cred": "compat.functions",
    "import_function": "compat.functions",
    "auto_mount": "compat.functions",
    "RunTemplate": "compat.model",
    "handler": "compat.decorators",
    "get_object": "compat.datastore",
    "compare_run_objects": "compat.compare",
}
_SUBMODULES = {"model", "execution", "datastore", "artifacts", "errors", "compat"}


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"runlab.{name}")
    module = _EXPORTS.get(name) or _MLRUN_NAMES.get(name)
    if module is None:
        raise AttributeError(f"module 'runlab' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"runlab.{module}"), name)
    if module == "run":  # RunObject.rerun starts runs through runlab.launch, which sits above runlab.run
        importlib.import_module("runlab.launch")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__


def run_function(
    function: str | Function,
    handler: str | Any = None,
    name: str = "",
    params: dict[str, Any] | None = None,
    inputs: dict[str, str] | None = None,
    labels: dict[str, str] | None = None,
    base_task: Task | None = None,
    artifact_path: str | None = None,
    local: bool | None = None,
    watch: bool = True,
    returns: list[str] | None = None,
    project: str = "",
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
    """Run a function of the current project (by name) or a function object; see ``Project.run_function``
    (with ``schedule``, record a cron schedule instead).

    With no current project, a function object runs in the default project; a name needs a project
    (``runlab.get_or_create_project``). A function object's run goes to ``project``, else the task's or
    the function's project (created if missing, as MLRun does), else the current one. ``timeout``, ``retry``
    and ``retry_delay`` bound each attempt and try a failed one again (see ``Project.run_function``).
    ``cache=True`` returns the newest completed run of the same code, handler, params and inputs instead of
    running (see ``Project.run_function``).
    """
    from .functions import project_for
    from .project import get_current_project, resolve_project

    if isinstance(function, str) and not project and get_current_project() is None:
        get_current_project(required=True)
    fallback = ""
    if not isinstance(function, str) and not project:
        fallback = getattr(base_task, "project", "") or getattr(function, "project", "")
        if fallback:
            project_for("", fallback)  # created when missing
    target = resolve_project(project or fallback)
    return target.run_function(function, handler=handler, name=name, params=params, inputs=inputs,
                               labels=labels, base_task=base_task, artifact_path=artifact_path, local=local,
                               watch=watch, returns=returns, hyperparams=hyperparams,
                               hyper_param_options=hyper_param_options, selector=selector, schedule=schedule,
                               schedule_name=schedule_name, timezone=timezone, concurrency=concurrency,
                               overwrite=overwrite, keep_runs=keep_runs, timeout=timeout, retry=retry,
                               retry_delay=retry_delay, cache=cache)


if TYPE_CHECKING:
    from .functions import Function
    from .run import RunObject
    from .schedules import Schedule
    from .task import Task
