"""Handlers: what a function's source holds and how to reach it, checked before any run is recorded.

A function hosts many handlers; ``handler=`` names one, else the function's default handler is used.
A handler is a callable, a name in the file, ``"module.func"``, or ``"Class::method"`` (the class is
built with ``context`` and ``params["_init_args"]``). A file with no handler runs as a script; a notebook
runs whole. ``FunctionSpec`` is a function's stored definition; any process rebuilds it with
``FunctionSpec.from_dict`` and resolves the same handler.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import importlib
import importlib.util
import inspect
import os
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, TypeVar

from . import process
from .errors import FunctionNotFoundError, HandlerNotFoundError, UnsupportedError, ValidationError
from .names import fix_name, normalize_name
from .pysource import missing_source

if TYPE_CHECKING:
    from .store.runstore import RunStore

KINDS = ("local", "job", "dask", "notebook")
"""Function kinds: ``local`` (in-process), ``job`` (own process), ``dask`` (a Dask cluster), ``notebook``
(a whole notebook through papermill, in its own process); ``local=True`` runs any of them in this process."""

CLUSTER_KINDS = ("serving", "nuclio", "remote", "mpijob", "spark", "remote-spark", "databricks", "application",
                 "nuclio:mlrun", "nuclio:serving", "serving-v2")
"""MLRun's kinds that need Kubernetes (a pod, Nuclio, an operator, a remote service): refused with what
runlab offers instead."""

RECORDED = ("tag", "image", "requirements", "requirements_file", "source", "mode", "with_repo", "labels",
            "categories", "env", "build")
"""What MLRun uses to build and deploy a function (an image, packages, a source archive, ...): kept with the
function (``to_dict``, the store, ``to_yaml``) and changes nothing in how runlab runs it, except ``env``,
which background ``job`` runs set in their process."""

_Spec = TypeVar("_Spec", bound="FunctionSpec")
_module_cache: dict[tuple[str, int, int], ModuleType] = {}
_module_lock = threading.Lock()


@dataclass
class FunctionSpec:
    """What a function is: its kind, source (file, module or callable), default handler and script
    arguments. :class:`runlab.Function` adds ``run()``; runtimes rebuild a spec from its stored dict."""

    name: str = ""
    kind: str = "job"
    filename: str = ""
    args: list[str] = field(default_factory=list)
    handler: str | Callable | None = None
    project: str = ""
    description: str = ""
    kernel_name: str = ""
    tag: str = ""
    image: str = ""
    requirements: list[str] = field(default_factory=list)
    requirements_file: str = ""
    source: str = ""
    """MLRun's ``source`` (a git, zip or tar archive to build the image from): recorded only."""
    mode: str = ""
    with_repo: bool | None = None
    labels: dict[str, str] = field(default_factory=dict)
    categories: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    """Environment variables of the function's runs (set in the process of a background ``job`` run)."""
    build: dict[str, Any] = field(default_factory=dict)
    """MLRun's other build options (``code_output``, ``embed_code``, ``with_doc``, ``ignored_tags``, ...), recorded."""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise UnsupportedError(unsupported_kind(self.kind))
        if self.filename:
            self.filename = str(Path(self.filename).expanduser().resolve())
        if self.name:
            self.name = fix_name(self.name, "function name")
        else:  # made from the file or handler name: normalised silently
            self.name = normalize_name(_default_name(self)) or "function"

    def __repr__(self) -> str:
        source = self.filename or "(in-process)"
        handler = self.handler_name or "-"
        return f"<{type(self).__name__} {self.name} kind={self.kind} source={source} handler={handler}>"

    @property
    def handler_name(self) -> str:
        """The default handler as text ('' when it runs as a script or has none)."""
        return handler_label(self.handler) if self.handler else ""

    # -- handlers --------------------------------------------------------------------------------

    def load_module(self) -> ModuleType:
        """The function's file as a module (reloaded when the file changes on disk)."""
        if not self.filename:
            raise ValidationError(f"function {self.name!r} has no source file")
        return load_file_module(self.filename)

    def resolve(self, handler: str | Callable | None) -> HandlerRef:
        """What to call for ``handler`` (default: the function's handler); raises if it does not exist."""
        handler = handler if handler is not None else self.handler
        if not (handler is None or isinstance(handler, str) or callable(handler)):
            raise ValidationError(
                f"handler must be the name of a function in {self.name!r} (a string) or a callable, "
                f"not {type(handler).__name__} {handler!r}")
        if self.filename.endswith(".ipynb"):
            if handler:
                raise HandlerNotFoundError(f"notebook function {self.name!r} runs the whole notebook: drop handler=")
            kernel = check_notebook(self.filename, self.kernel_name)
            return HandlerRef(label=f"notebook {Path(self.filename).name}", notebook=self.filename, kernel=kernel)
        if callable(handler):
            return HandlerRef(label=handler_label(handler), func=handler, path=importable_path(handler) or "")
        if not handler:
            if self.filename:
                return HandlerRef(label=f"script {Path(self.filename).name}", script=self.filename)
            raise HandlerNotFoundError(
                f"function {self.name!r} has no source and no handler: pass handler=<a callable> or "
                "create it with a filename"
            )
        if "::" in handler:
            class_path, method = handler.split("::", 1)
            cls = self._lookup(class_path, handler)
            if not inspect.isclass(cls) or not callable(getattr(cls, method, None)):
                raise HandlerNotFoundError(
                    f"{handler!r}: {class_path} has no method {method!r} in function {self.name!r}"
                )
            return HandlerRef(label=handler, cls=cls, method=method, path=handler)
        return HandlerRef(label=handler, func=self._lookup(handler, handler), path=handler)

    def check_handler(self, ref: HandlerRef) -> None:
        """A ``job`` function names its handler so that any process can load it: a lambda or a nested
        function cannot be one, even for a run with ``local=True`` (the function stays a job)."""
        qualname = getattr(ref.func, "__qualname__", "")
        if self.kind == "job" and ("<lambda>" in qualname or "<locals>" in qualname):
            raise ValidationError(
                f"a {'lambda' if '<lambda>' in qualname else 'nested function'} cannot be the handler of job "
                f"{self.name!r}: a job must be able to load its handler by name; define it with def at the "
                "top level of a file, or use kind='local'"
            )

    def _lookup(self, dotted: str, label: str) -> Any:
        if self.filename:
            obj: Any = self.load_module()
            for part in dotted.split("."):
                obj = getattr(obj, part, None)
                if obj is None:
                    names = [n for n, v in vars(self.load_module()).items() if callable(v) and not n.startswith("_")]
                    raise HandlerNotFoundError(
                        f"no handler {label!r} in {self.filename} (function {self.name!r}); "
                        f"callables there: {', '.join(sorted(names)) or 'none'}"
                    )
            return obj
        module_name, _, attr = dotted.rpartition(".")
        if not module_name:
            raise HandlerNotFoundError(
                f"handler {label!r} of function {self.name!r} names no file or module: use 'module.func', "
                "give the function a filename, or pass a callable"
            )
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            raise HandlerNotFoundError(f"handler {label!r}: cannot import module {module_name!r}: {exc}") from exc
        if not hasattr(module, attr):
            raise HandlerNotFoundError(f"handler {label!r}: module {module_name!r} has no {attr!r}")
        return getattr(module, attr)

    # -- records ---------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The function's definition as stored (a callable handler is stored by import path)."""
        handler = self.handler
        if callable(handler):
            handler = importable_path(handler)
        data = {
            "name": self.name,
            "kind": self.kind,
            "filename": self.filename,
            "args": list(self.args),
            "handler": handler,
            "project": self.project,
            "description": self.description,
            "kernel_name": self.kernel_name,
        }
        for key in RECORDED:  # MLRun's build options, only when set (run records stay small)
            value = getattr(self, key)
            if value is not None and (value or not isinstance(value, (str, list, dict))):  # not "", [] or {}
                data[key] = copy.deepcopy(value)
        return data

    @classmethod
    def from_dict(cls: type[_Spec], data: dict[str, Any]) -> _Spec:
        known = {"name", "kind", "filename", "args", "handler", "project", "description", "kernel_name", *RECORDED}
        return cls(**{k: copy.deepcopy(v) for k, v in data.items() if k in known})


@dataclass
class HandlerRef:
    """A resolved handler: a function, a ``Class::method`` pair, or a script to run as ``__main__``."""

    label: str
    func: Callable | None = None
    path: str = ""
    """How another process names this handler ('' when only this process can call it)."""
    notebook: str = ""
    kernel: str = ""
    cls: type | None = None
    method: str = ""
    script: str = ""
    import_error: BaseException | None = None
    """Why the function's file failed to import (the run is recorded as failed with it, not refused)."""
    required: tuple[str, ...] | None = None
    """The params the handler requires, read from its file without importing it (``func`` and ``cls`` are
    then None: the run's own process imports the file); None when unknown."""

    def signature_target(self) -> Callable | None:
        """The callable whose signature binds the run's params (None for a script)."""
        if self.cls is not None:
            method = inspect.getattr_static(self.cls, self.method)
            if isinstance(method, (staticmethod, classmethod)):
                return getattr(self.cls, self.method)
            return functools.partial(getattr(self.cls, self.method), None)  # drops ``self``
        return self.func

    def build(self, context: Any, params: dict[str, Any]) -> Callable:
        """The callable to invoke; for ``Class::method`` the instance is built here."""
        if self.cls is None:
            assert self.func is not None
            return self.func
        init_args = dict(params.get("_init_args") or {})
        if "context" in inspect.signature(self.cls).parameters:
            init_args.setdefault("context", context)
        return getattr(self.cls(**init_args), self.method)


def unsupported_kind(kind: str) -> str:
    """Why ``kind`` cannot run here, and what runlab offers instead."""
    known = ", ".join(KINDS)
    if kind in CLUSTER_KINDS:
        return (f"function kind {kind!r} needs MLRun's Kubernetes services, which runlab does not have: use "
                f"kind='job' (a process of its own), 'local' (this process), 'dask' (a Dask cluster) or 'notebook' "
                f"(one of {known})")
    return f"function kind {kind!r} is not supported: use one of {known}"


def handler_label(handler: str | Callable) -> str:
    if isinstance(handler, str):
        return handler
    return getattr(handler, "__qualname__", None) or getattr(handler, "__name__", repr(handler))


def importable_path(func: Callable) -> str | None:
    """``module.qualname`` for a module-level function another process could import, else None."""
    qualname = getattr(func, "__qualname__", "")
    module = getattr(func, "__module__", "")
    if not module or module == "__main__" or "<" in qualname or module.startswith("runlab_fn_"):
        return None
    return f"{module}.{qualname}"


def load_file_module(filename: str) -> ModuleType:
    """Import a Python file as a module, once per version of the file."""
    try:
        stat = os.stat(filename)
    except FileNotFoundError:
        raise missing_source(filename) from None
    key = (filename, stat.st_mtime_ns, stat.st_size)
    module = _module_cache.get(key)
    if module is not None:
        return module
    with _module_lock:
        module = _module_cache.get(key)
        if module is None:
            module_name = "runlab_fn_" + hashlib.sha1(f"{key}".encode()).hexdigest()[:12]
            spec = importlib.util.spec_from_file_location(module_name, filename)
            if spec is None or spec.loader is None:
                raise ValidationError(f"{filename} is not a Python file runlab can import")
            module = importlib.util.module_from_spec(spec)
            sys.modules[module_name] = module  # classes and dataclasses in the file need it
            folder = str(Path(filename).parent)
            if folder not in sys.path:
                sys.path.insert(0, folder)  # so the file can import its sibling modules
            try:
                spec.loader.exec_module(module)
            except Exception:
                sys.modules.pop(module_name, None)
                raise
            _module_cache[key] = module
    return module


def _default_name(fn: FunctionSpec) -> str:
    if fn.filename:
        return Path(fn.filename).stem
    if callable(fn.handler):
        return handler_label(fn.handler).split(".")[-1]
    return "function"


def add_source_folders(spec: dict[str, Any]) -> None:
    """Let a process that runs a stored run import what its handler imports: the run's working folder
    and the folder of the function's file go on ``sys.path``."""
    source = spec.get("source") or {}
    for folder in (spec.get("workdir"), os.path.dirname(source.get("filename") or "")):
        if folder and folder not in sys.path:
            sys.path.insert(0, folder)


def load_function(store: RunStore, project: str, name: str, cls: type[_Spec] = FunctionSpec) -> _Spec:  # type: ignore[assignment]
    """The stored definition of the project's function ``name`` (as ``cls``)."""
    record = store.get_function(project, name)
    if record is None:
        known = ", ".join(r["name"] for r in store.list_functions(project)) or "none yet"
        raise FunctionNotFoundError(
            f"project {project!r} has no function {name!r} (functions: {known}); add it with "
            "project.set_function(...)"
        )
    spec = record["spec"]
    if spec.get("in_process_only"):
        raise UnsupportedError(
            f"function {name!r} was set from a callable defined in another kernel; set it again here, "
            "or put the handler in a file and set_function that file"
        )
    return cls.from_dict(spec)


def check_notebook(path: str, kernel_name: str = "") -> str:
    """Validate a notebook file and its kernel before any run exists; returns the kernel name to use."""
    import nbformat

    if not Path(path).is_file():
        raise ValidationError(f"notebook {path} does not exist")
    try:
        notebook = nbformat.read(path, as_version=4)
        nbformat.validate(notebook)
    except Exception as exc:  # noqa: BLE001 - any parse or schema failure is the same answer for the user
        raise ValidationError(f"{path} is not a valid Jupyter notebook: {exc}") from None
    name = kernel_name or notebook.metadata.get("kernelspec", {}).get("name") or "python3"
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        KernelSpecManager().get_kernel_spec(name)
    except NoSuchKernel:
        installed = ", ".join(sorted(KernelSpecManager().find_kernel_specs())) or "none"
        raise ValidationError(
            f"notebook {path} needs the kernel {name!r}, which is not installed (installed: {installed}); "
            "pass kernel_name= or install it"
        ) from None
    return name


process.on_reset("handlers", "Python files imported as function sources", _module_cache.clear)
