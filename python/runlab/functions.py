"""``Function``: code runlab can run — a Python file, a module, a callable, a script or a notebook — and
``new_function`` / ``code_to_function`` that make one.

A function hosts many handlers; ``handler=`` names one, else the function's default handler is used (see
:mod:`runlab.handlers`). ``fn.run(...)`` runs it in its project (or the current one).

MLRun's build and deploy options (``image``, ``requirements``, ``source``, ``tag``, ...) are accepted and
kept with the function (see ``handlers.RECORDED``); they change nothing in how it runs here. What needs
Kubernetes (``deploy``, ``with_limits``, ``apply``, cluster kinds) raises ``UnsupportedError`` saying what
runlab offers instead, before anything is recorded.
"""

from __future__ import annotations

import base64
import json
import os
import shlex
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from . import projectref
from .errors import UnsupportedError, ValidationError
from .gc import after_run
from .handlers import CLUSTER_KINDS, KINDS, FunctionSpec, unsupported_kind
from .launch import launch
from .names import fix_name, normalize_name, validate_name
from .notebookcode import IGNORED_TAGS, code_file, current_notebook, notebook_to_file
from .schedules import Schedule, create_schedule
from .task import task_for_call

if TYPE_CHECKING:
    from .projectref import ProjectRef
    from .run import RunObject
    from .task import Task

_POD_ONLY = ("runlab runs a function as a process of this machine (kind 'job'), in this process ('local') or on "
             "a Dask cluster, never in a Kubernetes pod")


class Function(FunctionSpec):
    """A runnable function. Make one with :func:`new_function`, :func:`code_to_function` or
    ``project.set_function``."""

    def run(
        self,
        task: Task | dict[str, Any] | None = None,
        handler: str | Callable | None = None,
        name: str = "",
        params: dict[str, Any] | None = None,
        inputs: dict[str, str] | None = None,
        labels: dict[str, str] | None = None,
        artifact_path: str | None = None,
        local: bool | None = None,
        watch: bool = True,
        returns: list[str] | None = None,
        project: str = "",
        base_task: Task | dict[str, Any] | None = None,
        hyperparams: dict[str, list[Any]] | None = None,
        hyper_param_options: Any = None,
        selector: str | None = None,
        schedule: str | None = None,
        out_path: str = "",
        runspec: Task | dict[str, Any] | None = None,
        verbose: bool | None = None,
        auto_build: bool | None = None,
        workdir: str = "",
        timeout: float | None = None,
        retry: int | None = None,
        retry_delay: float | None = None,
        cache: bool | None = None,
    ) -> RunObject | Schedule:
        """Run this function and return its :class:`~runlab.RunObject` (the same arguments as
        :func:`runlab.run_function`; ``task`` and MLRun's ``runspec`` are aliases of ``base_task``, which
        may also be a task dict, ``out_path`` of ``artifact_path``).

        The run goes to ``project``, else the task's project, else the function's, else the current one (a
        project named by the task or the function that does not exist yet is created, as MLRun does).
        With ``schedule`` (a cron string) nothing runs now: the function is stored in that project and a
        :class:`~runlab.schedules.Schedule` named after it is recorded, as ``project.run_function(...,
        schedule=)`` does. ``workdir`` is the folder relative input paths are read from (MLRun's input path;
        default the project's context folder). ``verbose`` and ``auto_build`` are MLRun's and change nothing.
        ``timeout``, ``retry`` and ``retry_delay``: see ``Project.run_function``.
        ``cache``: the run cache, as in :meth:`runlab.Project.run_function`.
        """
        base = task or runspec or base_task
        run_task = task_for_call(base, name=name, params=params, inputs=inputs, labels=labels,
                                 returns=returns, artifact_path=artifact_path or out_path or None,
                                 hyperparams=hyperparams, hyper_param_options=hyper_param_options,
                                 timeout=timeout, retry=retry, retry_delay=retry_delay, cache=cache)
        if workdir and isinstance(run_task.inputs, dict):
            folder = os.path.abspath(os.path.expanduser(workdir))
            run_task.inputs = {key: os.path.join(folder, url) if isinstance(url, str) and "://" not in url else url
                               for key, url in run_task.inputs.items()}
        target = project_for(project, run_task.project or self.project)
        if schedule is not None:
            if local:
                raise ValidationError(f"schedule={schedule!r} with local=True: a schedule fires later in another "
                                      "process, never in this one; drop local=True (or schedule=)")
            return self._schedule(target, schedule, run_task, handler, selector)
        try:
            return launch(self, target, run_task, handler=handler, local=local, watch=watch, selector=selector)
        finally:
            after_run(target)  # the project's gc policy, if it keeps one (at most once per its interval)

    def _schedule(self, target: ProjectRef, schedule: str, task: Task, handler: Any,
                  selector: str | None) -> Schedule:
        validate_name(self.name, "function name")
        if callable(self.handler):
            raise ValidationError(
                f"function {self.name!r} has a callable handler defined here, so a scheduler (another process) "
                "cannot load it: give the function a file and name its handler")
        sched = create_schedule(target, self, schedule, task, handler if handler is not None else task.handler,
                                selector)
        stored = self.to_dict()
        stored["project"] = target.name
        target.store.save_function(target.name, self.name, self.kind, stored)  # the scheduler loads it by name
        return sched

    # -- MLRun's views and export, build options: recorded ---------------------------------------

    @property
    def metadata(self) -> FunctionMetadataView:
        """MLRun's ``fn.metadata``: ``name``, ``project``, ``tag`` (``"latest"`` when none), ``labels``,
        ``categories`` (views of this function's fields)."""
        return FunctionMetadataView(self)

    @property
    def spec(self) -> FunctionSpecView:
        """MLRun's ``fn.spec``: ``command``, ``args``, ``default_handler``, ``description``, ``image``,
        ``mode``, ``env`` and ``build`` (``requirements``, ``source``, ...) (views of this function's fields)."""
        return FunctionSpecView(self)


    def to_yaml(self) -> str:
        """The function as MLRun's function YAML (``kind``, ``metadata``, ``spec``), which
        :func:`runlab.import_function` (and MLRun's) reads back; a Python file's code is embedded."""
        return yaml.safe_dump(to_mlrun_dict(self), sort_keys=False)

    def export(self, target: str = "", format: str = ".yaml", secrets: Any = None, strip: bool = True) -> Function:
        """Write the function to ``target`` (default ``function.yaml``) as MLRun's function YAML (or JSON
        with ``format=".json"``); returns the function. ``secrets`` and ``strip`` are MLRun's, unused."""
        path = Path(target or f"function{format}")
        text = json.dumps(to_mlrun_dict(self), indent=2) if format == ".json" else self.to_yaml()
        path.write_text(text)
        return self

    def save(self, tag: str = "", versioned: bool = False, refresh: bool = False) -> str:
        """Store the function in its project (the current one when it names none), as ``set_function``
        does, and return its URI (``db://<project>/<name>[:<tag>]``); ``project.get_function(name)`` and
        schedules then find it. ``versioned`` and ``refresh`` are MLRun's, unused (one version per function)."""
        if callable(self.handler):
            raise ValidationError(
                f"function {self.name!r} has a callable handler defined here, which another process or session "
                "cannot load: give the function a file (code_to_function(filename=...) or fn.with_code()) to save it")
        validate_name(self.name, "function name")
        target = project_for("", self.project)
        if tag:
            self.tag = tag
        stored = self.to_dict()
        stored["project"] = target.name
        target.store.save_function(target.name, self.name, self.kind, stored)
        return f"db://{target.name}/{self.name}" + (f":{self.tag}" if self.tag else "")

    def with_code(self, from_file: str = "", body: str | None = None, with_doc: bool = True) -> Function:
        """Set the function's source, as MLRun's ``with_code``: ``from_file`` (a Python file), ``body`` (code
        as text, kept as a file once per content under ``$RUNLAB_HOME/code/``), or, with neither, the code
        of the saved Jupyter notebook this runs in (see :func:`code_to_function`). Returns the function."""
        if from_file and body is not None:
            raise ValidationError("with_code takes from_file= or body=, not both")
        if body is not None:
            filename = code_file(str(body), f"{self.name}.py")
        elif from_file:
            if not Path(from_file).expanduser().is_file():
                raise ValidationError(f"with_code: file {from_file!r} does not exist (cwd: {os.getcwd()})")
            filename = from_file
        else:
            notebook = current_notebook()
            if notebook is None:
                raise ValidationError("with_code() with no from_file= or body= takes the code of the notebook it "
                                      "runs in, and this is not a saved Jupyter notebook: pass from_file=")
            filename = notebook_to_file(notebook)
        self.filename = str(Path(filename).expanduser().resolve())
        return self

    def set_env(self, name: str, value: Any) -> Function:
        """Set an environment variable for the function's background (``job``) runs, which set it in their
        own process; an in-process run leaves this process's environment alone, as MLRun's local runs do."""
        self.env[str(name)] = str(value)
        return self

    def set_envs(self, env_vars: dict[str, Any] | None = None, file_path: str | None = None) -> Function:
        """Set several environment variables (a dict, or the ``NAME=value`` lines of ``file_path``)."""
        env = dict(env_vars or {})
        if file_path:
            for line in Path(file_path).read_text().splitlines():
                if line.strip() and not line.lstrip().startswith("#") and "=" in line:
                    key, _, value = line.partition("=")
                    env[key.strip()] = value.strip()
        for key, value in env.items():
            self.set_env(key, value)
        return self

    def set_label(self, key: str, value: Any) -> Function:
        """Add a label to the function (recorded with it)."""
        self.labels[str(key)] = str(value)
        return self

    def with_requirements(self, requirements: str | list[str] | None = None, requirements_file: str = "",
                          **options: Any) -> Function:
        """Record packages to build the function's image with (not installed: runlab runs in this environment)."""
        self.requirements = [*self.requirements, *_as_list(requirements)]
        self.requirements_file = requirements_file or self.requirements_file
        return self

    def with_source_archive(self, source: str, workdir: str | None = None, handler: str | None = None,
                            pull_at_runtime: bool = True, target_dir: str | None = None) -> Function:
        """Record MLRun's source archive (runlab runs the function's own file); ``handler`` sets the default
        handler."""
        self.source = source
        if handler:
            self.handler = handler
        return self

    def build_config(self, image: str = "", base_image: str | None = None, commands: list | None = None,
                     requirements: str | list[str] | None = None, requirements_file: str = "", **options: Any
                     ) -> Function:
        """Record MLRun's image build settings; nothing is built (runlab runs in this environment)."""
        self.image = image or self.image
        if base_image:
            self.build["base_image"] = base_image
        if commands:
            self.build["commands"] = list(commands)
        return self.with_requirements(requirements, requirements_file)

    # -- what needs Kubernetes -------------------------------------------------------------------

    def deploy(self, *args: Any, **kwargs: Any) -> None:
        """MLRun builds an image and deploys it: there is nothing to deploy here; raises ``UnsupportedError``."""
        raise UnsupportedError(f"fn.deploy() builds a container image, which runlab does not: {_POD_ONLY}; call "
                               "fn.run(...) directly (the requirements are recorded, install them here)")

    def with_limits(self, *args: Any, **kwargs: Any) -> None:
        """MLRun's pod resource limits: raises ``UnsupportedError``."""
        raise _pod_only("fn.with_limits()")

    def with_requests(self, *args: Any, **kwargs: Any) -> None:
        """MLRun's pod resource requests: raises ``UnsupportedError``."""
        raise _pod_only("fn.with_requests()")

    def with_node_selection(self, *args: Any, **kwargs: Any) -> None:
        """MLRun's pod node selection: raises ``UnsupportedError``."""
        raise _pod_only("fn.with_node_selection()")

    def with_priority_class(self, *args: Any, **kwargs: Any) -> None:
        """MLRun's pod priority class: raises ``UnsupportedError``."""
        raise _pod_only("fn.with_priority_class()")

    def with_preemption_mode(self, *args: Any, **kwargs: Any) -> None:
        """MLRun's pod preemption mode: raises ``UnsupportedError``."""
        raise _pod_only("fn.with_preemption_mode()")

    def with_security_context(self, *args: Any, **kwargs: Any) -> None:
        """MLRun's pod security context: raises ``UnsupportedError``."""
        raise _pod_only("fn.with_security_context()")

    def apply(self, *args: Any, **kwargs: Any) -> None:
        """MLRun's pod modifiers (``mlrun.auto_mount()``, volumes): raises ``UnsupportedError``."""
        raise _pod_only("fn.apply() (a pod modifier such as auto_mount or a volume mount)")

    def set_env_from_secret(self, *args: Any, **kwargs: Any) -> None:
        """An environment variable from a Kubernetes secret: raises ``UnsupportedError``."""
        raise UnsupportedError(f"fn.set_env_from_secret() reads a Kubernetes secret: {_POD_ONLY}; use "
                               "fn.set_env(name, value) or the task's secrets")


class _FunctionView:
    """Attributes under MLRun's names over a function's fields (reads and writes go to the function)."""

    _names: dict[str, str] = {}

    def __init__(self, fn: FunctionSpec) -> None:
        object.__setattr__(self, "_fn", fn)

    def __getattr__(self, name: str) -> Any:
        if name not in type(self)._names:
            raise AttributeError(f"function {type(self).__name__[8:-4].lower()} has no {name!r} "
                                 f"(it has {', '.join(sorted(type(self)._names))})")
        return getattr(self._fn, type(self)._names[name])

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in type(self)._names:
            raise ValidationError(f"a function has no {name!r} to set here (use one of "
                                  f"{', '.join(sorted(type(self)._names))})")
        setattr(self._fn, type(self)._names[name], value)

    def __dir__(self) -> list[str]:
        return sorted(type(self)._names)


class FunctionMetadataView(_FunctionView):
    """``fn.metadata``: MLRun's ``BaseMetadata`` names."""

    _names = {"name": "name", "project": "project", "tag": "tag", "labels": "labels", "categories": "categories"}

    @property
    def tag(self) -> str:
        """The function's tag; ``"latest"`` when it has none, as in MLRun."""
        return self._fn.tag or "latest"


class FunctionSpecView(_FunctionView):
    """``fn.spec``: MLRun's ``FunctionSpec`` names."""

    _names = {"command": "filename", "args": "args", "default_handler": "handler", "description": "description",
              "image": "image", "mode": "mode", "env": "env"}

    @property
    def build(self) -> FunctionBuildView:
        """``fn.spec.build``: ``requirements``, ``requirements_file``, ``source``, ``image``, ``base_image``,
        ``commands``, ... (recorded)."""
        return FunctionBuildView(self._fn)


class FunctionBuildView(_FunctionView):
    """``fn.spec.build``: MLRun's build settings, recorded with the function."""

    _names = {"requirements": "requirements", "requirements_file": "requirements_file", "source": "source",
              "image": "image", "with_repo": "with_repo"}

    def __getattr__(self, name: str) -> Any:
        if name in type(self)._names or name.startswith("_"):
            return super().__getattr__(name)
        return self._fn.build.get(name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in type(self)._names:
            super().__setattr__(name, value)
        else:
            self._fn.build[name] = value


def _pod_only(what: str) -> UnsupportedError:
    return UnsupportedError(f"{what} configures a Kubernetes pod: {_POD_ONLY}; drop the call (a job run uses "
                            "this machine's resources)")


def project_for(name: str, fallback: str = "") -> ProjectRef:
    """The project a run goes to: ``name`` (it must exist), else ``fallback`` (a project a task or function
    names, created when missing, as MLRun creates it), else the current or default project."""
    if name or not fallback:
        return projectref.resolve(name)
    current = projectref.current()
    if current is not None and current.name == fallback:
        return current
    validate_name(fallback, "project name")
    return projectref.load(fallback) or projectref.get_or_create(fallback, context=os.getcwd())


def new_function(
    name: str = "",
    kind: str = "",
    command: str = "",
    handler: str | Callable | None = None,
    project: str = "",
    description: str = "",
    *,
    tag: str = "",
    image: str = "",
    args: list[str] | None = None,
    runtime: Any = None,
    mode: str | None = None,
    source: str | None = None,
    requirements: str | list[str] | None = None,
    requirements_file: str = "",
    kfp: bool | None = None,
) -> Function:
    """A function from a command (``"trainer.py --lr {lr}"``: a file and its script arguments).

    With no ``kind`` the function is ``local`` (it runs in this process), as MLRun's ``new_function`` with
    no kind; with no command, ``fn.run(handler=some_callable)`` runs that callable in-process.
    ``args`` replaces the command's arguments; ``runtime`` is a function dict (MLRun's ``kind`` /
    ``metadata`` / ``spec`` shape, or ``fn.to_dict()``) to start from. MLRun's ``tag``, ``image``,
    ``mode``, ``source``, ``requirements``, ``requirements_file`` and ``kfp`` are recorded with the
    function and change nothing here (``image`` needs a kind such as ``"job"``, as in MLRun).
    """
    kind = _kind(kind) if kind or runtime is None else kind
    if image and kind == "local":
        raise ValidationError(f"image={image!r} is for a function of its own process: set kind='job' (runlab "
                              "records the image and runs in this environment)")
    filename, command_args = "", []
    if command:
        parts = shlex.split(command)
        filename, command_args = parts[0], parts[1:]
        if not Path(filename).expanduser().exists():
            raise ValidationError(f"command {command!r}: file {filename!r} does not exist")
    if runtime is not None:
        data = runtime.to_dict() if hasattr(runtime, "to_dict") else runtime
        if not isinstance(data, dict):
            raise ValidationError(f"runtime= must be a function dict or a Function, not {type(runtime).__name__}")
        fn = function_from_dict(data)
        fn.kind = kind or fn.kind
        fn.filename = str(Path(filename).expanduser().resolve()) if filename else fn.filename
        fn.args = list(args) if args else (command_args if command else fn.args)
        fn.name = fix_name(name, "function name") if name else fn.name
        fn.handler = handler if handler is not None else fn.handler
        fn.project = project or fn.project
        fn.description = description or fn.description
    else:
        fn = Function(name=name, kind=kind, filename=filename, args=list(args) if args else command_args,
                      handler=handler, project=project, description=description)
    if kfp is not None:
        fn.build["kfp"] = kfp
    fn.tag = tag or fn.tag
    fn.image = image or fn.image
    fn.mode = mode or fn.mode
    fn.source = source or fn.source
    return fn.with_requirements(requirements, requirements_file)


def code_to_function(
    name: str = "",
    filename: str = "",
    kind: str = "job",
    handler: str | Callable | None = None,
    project: str = "",
    description: str = "",
    kernel_name: str = "",
    *,
    tag: str = "",
    image: str | None = None,
    code_output: str = "",
    embed_code: bool = True,
    requirements: str | list[str] | None = None,
    categories: list[str] | None = None,
    labels: dict[str, str] | None = None,
    with_doc: bool = True,
    ignored_tags: str | None = None,
    requirements_file: str = "",
) -> Function:
    """A function from a Python file (``code_to_function("trainer", filename="trainer.py", handler="train")``)
    or a notebook (``kind="notebook"``, inferred from ``.ipynb``; ``kernel_name`` overrides its kernelspec).

    With no ``filename``, in a Jupyter notebook, the notebook's code becomes the function's source, as in MLRun:
    its code cells as a Python file (see :mod:`runlab.notebookcode` for the ``# mlrun: ignore`` and
    ``start-code``/``end-code`` markers; ``ignored_tags`` lists cell tags to leave out, ``;``-separated), so
    ``code_to_function(name="trainer", kind="job").run(handler="train")`` runs a handler defined in the notebook
    in its own process. The saved notebook is read: save it first.

    ``project`` is where its runs go (created on the first run if it does not exist, as in MLRun). MLRun's
    ``tag``, ``image``, ``code_output``, ``embed_code``, ``requirements``, ``requirements_file``,
    ``categories``, ``labels`` and ``with_doc`` are recorded with the function and change
    nothing here (the file itself is what runs).
    """
    if not filename:
        notebook = current_notebook()
        if notebook is None:
            raise ValidationError("code_to_function needs filename= (the Python file holding the handlers), "
                                  "unless it is called in a saved Jupyter notebook, whose code it then takes")
        tags = tuple(t for t in (ignored_tags or "").split(";") if t) or IGNORED_TAGS
        filename = notebook_to_file(notebook, tags)
        name = name or normalize_name(Path(notebook).stem)
    path = Path(filename).expanduser()
    if not path.is_file():
        raise ValidationError(f"code_to_function: file {filename!r} does not exist (cwd: {os.getcwd()})")
    kind = _kind(kind or "job")
    if path.suffix == ".ipynb":
        kind = "notebook" if kind in ("job", "notebook") else kind
        if kind != "notebook" and kind != "local":
            raise UnsupportedError(f"{filename} is a notebook: use kind='notebook' (or 'local'), not {kind!r}")
    build = {key: value for key, value in (("code_output", code_output), ("ignored_tags", ignored_tags))
             if value}
    build.update({key: value for key, value in (("embed_code", embed_code), ("with_doc", with_doc)) if not value})
    fn = Function(name=name, kind=kind, filename=str(path), handler=handler, project=project,
                  description=description, kernel_name=kernel_name, tag=tag, image=image or "",
                  categories=list(categories or []), labels={k: str(v) for k, v in (labels or {}).items()},
                  build=build)
    return fn.with_requirements(requirements, requirements_file)


def _kind(kind: str | None) -> str:
    """A function kind as runlab runs it: none (MLRun's in-process ``handler`` runtime) is ``local``."""
    kind = kind or "local"
    if kind == "handler":
        return "local"
    if kind not in KINDS:
        raise UnsupportedError(unsupported_kind(kind))
    return kind


def _as_list(requirements: str | list[str] | None) -> list[str]:
    """MLRun's requirements: a list, or a comma-separated string of packages."""
    if not requirements:
        return []
    if isinstance(requirements, str):
        return [item.strip() for item in requirements.split(",") if item.strip()]
    return [str(item) for item in requirements]


# -- MLRun's function dict ------------------------------------------------------------------------------


def to_mlrun_dict(fn: FunctionSpec) -> dict[str, Any]:
    """The function in MLRun's shape (``kind``, ``metadata``, ``spec``, ``verbose``); a Python file's code
    goes in ``spec.build.functionSourceCode`` (base64), so the YAML still works where the file is not."""
    handler = fn.to_dict()["handler"]
    metadata: dict[str, Any] = {"name": fn.name, "project": fn.project, "tag": fn.tag}
    if fn.labels:
        metadata["labels"] = dict(fn.labels)
    if fn.categories:
        metadata["categories"] = list(fn.categories)
    build: dict[str, Any] = {key: value for key, value in fn.build.items()}
    if fn.source:
        build["source"] = fn.source
    if fn.requirements:
        build["requirements"] = list(fn.requirements)
    if fn.requirements_file:
        build["requirements_file"] = fn.requirements_file
    if fn.with_repo is not None:
        build["with_repo"] = fn.with_repo
    if fn.filename.endswith(".py") and Path(fn.filename).is_file():
        build["functionSourceCode"] = base64.b64encode(Path(fn.filename).read_bytes()).decode()
        build["origin_filename"] = fn.filename
    spec: dict[str, Any] = {"command": fn.filename, "args": list(fn.args), "image": fn.image,
                            "default_handler": handler or "", "description": fn.description, "build": build}
    if fn.mode:
        spec["mode"] = fn.mode
    if fn.kernel_name:
        spec["kernel_name"] = fn.kernel_name
    if fn.env:
        spec["env"] = [{"name": key, "value": value} for key, value in fn.env.items()]
    return {"kind": fn.kind, "metadata": metadata, "spec": spec, "verbose": False}


def function_from_dict(data: dict[str, Any], origin: str = "") -> Function:
    """A function from MLRun's function dict (``kind`` / ``metadata`` / ``spec``, as ``fn.export()`` and MLRun
    write it) or from runlab's own (``fn.to_dict()``). ``origin`` is the file it came from: a relative
    ``spec.command`` is looked up next to it too, and embedded code is used when the file is gone."""
    if "spec" not in data and "metadata" not in data:
        known = {key: value for key, value in data.items() if key != "in_process_only"}
        known["kind"] = _kind(known.get("kind") or "job")
        return Function.from_dict(known)
    kind = data.get("kind") or "job"
    if kind in CLUSTER_KINDS:
        raise UnsupportedError(unsupported_kind(kind))
    kind = _kind(kind)
    metadata, spec = data.get("metadata") or {}, data.get("spec") or {}
    build = dict(spec.get("build") or {})
    code = build.pop("functionSourceCode", None)
    build.pop("origin_filename", None)
    build.pop("code_origin", None)
    name = metadata.get("name") or ""
    filename = _source_file(spec.get("command") or "", code, origin, name)
    env = {item["name"]: str(item.get("value", "")) for item in spec.get("env") or [] if "name" in item}
    requirements = build.pop("requirements", None)
    return Function(
        name=name, kind=kind, filename=filename, args=list(spec.get("args") or []),
        handler=spec.get("default_handler") or None, project=metadata.get("project") or "",
        description=spec.get("description") or "", kernel_name=spec.get("kernel_name") or "",
        tag=metadata.get("tag") or "", image=spec.get("image") or "", requirements=_as_list(requirements),
        requirements_file=build.pop("requirements_file", "") or "", source=build.pop("source", "") or "",
        mode=spec.get("mode") or "", with_repo=build.pop("with_repo", None),
        labels={k: str(v) for k, v in (metadata.get("labels") or {}).items()},
        categories=list(metadata.get("categories") or []), env=env,
        build={k: v for k, v in build.items() if v not in (None, "", [], {})},
    )


def _source_file(command: str, code: str | None, origin: str, name: str) -> str:
    """The file a function dict's ``spec.command`` names (relative to the cwd, then to ``origin``'s folder);
    its embedded code, written under RUNLAB_HOME, when the file is not there."""
    file = shlex.split(command)[0] if command.strip() else ""
    candidates = [Path(file).expanduser()] if file else []
    if file and origin and not Path(file).is_absolute():
        candidates.append(Path(origin).expanduser().parent / file)
    for candidate in candidates:
        if candidate.is_file():
            return str(candidate)
    if code:
        return code_file(base64.b64decode(code), f"{Path(file).stem if file else (name or 'function')}.py")
    if file:
        raise ValidationError(f"the function's file {file!r} (spec.command) does not exist here and the function "
                              "has no embedded code: copy the file next to the YAML or fix spec.command")
    return ""


def import_function_file(path: str) -> Function:
    """A function from a local YAML (or JSON) file written by ``fn.export()``, ``fn.to_yaml()``,
    ``yaml.dump(fn.to_dict())`` or MLRun."""
    file = Path(path).expanduser()
    if not file.is_file():
        raise ValidationError(f"function file {path!r} does not exist (cwd: {os.getcwd()})")
    try:
        data = yaml.safe_load(file.read_text())
    except yaml.YAMLError as exc:
        raise ValidationError(f"{path} is not a function YAML file: {exc}") from None
    if not isinstance(data, dict):
        raise ValidationError(f"{path} holds no function (expected a mapping with kind, metadata and spec)")
    return function_from_dict(data, origin=str(file.resolve()))
