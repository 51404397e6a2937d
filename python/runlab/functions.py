"""``Function``: code runlab can run — a Python file, a module, a callable or a script — and its handlers.

A function hosts many handlers; ``handler=`` names one, else the function's default handler is used.
A handler is a callable, a name in the file, ``"module.func"``, or ``"Class::method"`` (the class is
built with ``context`` and ``params["_init_args"]``). A file with no handler runs as a script.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import importlib.util
import inspect
import os
import shlex
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from .errors import HandlerNotFoundError, UnsupportedError, ValidationError

if TYPE_CHECKING:
    from .run import RunObject
    from .task import Task

KINDS = ("local", "job", "dask", "notebook")
"""Function kinds: ``local`` (in-process), ``job`` (own process), ``dask`` (a Dask cluster), ``notebook``
(a whole notebook through papermill, in its own process); ``local=True`` runs any of them in this process."""

_module_cache: dict[tuple[str, int, int], ModuleType] = {}
_module_lock = threading.Lock()


@dataclass
class Function:
    """A runnable function. Make one with :func:`new_function`, :func:`code_to_function` or
    ``project.set_function``."""

    name: str = ""
    kind: str = "job"
    filename: str = ""
    args: list[str] = field(default_factory=list)
    handler: str | Callable | None = None
    project: str = ""
    description: str = ""
    kernel_name: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise UnsupportedError(
                f"function kind {self.kind!r} is not supported: use one of {', '.join(KINDS)}"
            )
        if self.filename:
            self.filename = str(Path(self.filename).expanduser().resolve())
        if not self.name:
            self.name = _default_name(self)

    def __repr__(self) -> str:
        source = self.filename or "(in-process)"
        return f"<Function {self.name} kind={self.kind} source={source} handler={self.handler_name or '-'}>"

    @property
    def handler_name(self) -> str:
        """The default handler as text ('' when it runs as a script or has none)."""
        return handler_label(self.handler) if self.handler else ""

    # -- running ---------------------------------------------------------------------------------

    def run(
        self,
        task: Task | None = None,
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
        base_task: Task | None = None,
        hyperparams: dict[str, list[Any]] | None = None,
        hyper_param_options: Any = None,
        selector: str | None = None,
    ) -> RunObject:
        """Run this function and return its :class:`~runlab.RunObject` (the same arguments as
        :func:`runlab.run_function`; ``task`` is an alias of ``base_task``)."""
        from .launch import launch
        from .project import resolve_project

        return launch(
            self,
            resolve_project(project or self.project),
            base_task=task or base_task,
            handler=handler,
            name=name,
            params=params,
            inputs=inputs,
            labels=labels,
            artifact_path=artifact_path,
            local=local,
            watch=watch,
            returns=returns,
            hyperparams=hyperparams,
            hyper_param_options=hyper_param_options,
            selector=selector,
        )

    # -- handlers --------------------------------------------------------------------------------

    def load_module(self) -> ModuleType:
        """The function's file as a module (reloaded when the file changes on disk)."""
        if not self.filename:
            raise ValidationError(f"function {self.name!r} has no source file")
        return load_file_module(self.filename)

    def resolve(self, handler: str | Callable | None) -> HandlerRef:
        """What to call for ``handler`` (default: the function's handler); raises if it does not exist."""
        handler = handler if handler is not None else self.handler
        if self.filename.endswith(".ipynb"):
            from .runtimes.notebook import check_notebook

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
        return {
            "name": self.name,
            "kind": self.kind,
            "filename": self.filename,
            "args": list(self.args),
            "handler": handler,
            "project": self.project,
            "description": self.description,
            "kernel_name": self.kernel_name,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Function:
        known = {"name", "kind", "filename", "args", "handler", "project", "description", "kernel_name"}
        return cls(**{k: v for k, v in data.items() if k in known})


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
        raise ValidationError(
            f"the function's source file {filename} no longer exists: restore it, or set_function the new file"
        ) from None
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


def _default_name(fn: Function) -> str:
    if fn.filename:
        return Path(fn.filename).stem
    if callable(fn.handler):
        return handler_label(fn.handler).split(".")[-1]
    return "function"


def new_function(
    name: str = "",
    kind: str = "job",
    command: str = "",
    handler: str | Callable | None = None,
    project: str = "",
    description: str = "",
) -> Function:
    """A function from a command (``"trainer.py --lr {lr}"``: a file and its script arguments).

    With no command, ``fn.run(handler=some_callable)`` runs that callable in-process.
    """
    filename, args = "", []
    if command:
        parts = shlex.split(command)
        filename, args = parts[0], parts[1:]
        if not Path(filename).expanduser().exists():
            raise ValidationError(f"command {command!r}: file {filename!r} does not exist")
    return Function(name=name, kind=kind, filename=filename, args=args, handler=handler, project=project,
                    description=description)


def code_to_function(
    name: str = "",
    filename: str = "",
    kind: str = "job",
    handler: str | Callable | None = None,
    project: str = "",
    description: str = "",
    kernel_name: str = "",
) -> Function:
    """A function from a Python file (``code_to_function("trainer", filename="trainer.py", handler="train")``)
    or a notebook (``kind="notebook"``, inferred from ``.ipynb``; ``kernel_name`` overrides its kernelspec)."""
    if not filename:
        raise ValidationError("code_to_function needs filename= (the Python file holding the handlers)")
    path = Path(filename).expanduser()
    if not path.is_file():
        raise ValidationError(f"code_to_function: file {filename!r} does not exist (cwd: {os.getcwd()})")
    if path.suffix == ".ipynb":
        kind = "notebook" if kind in ("job", "notebook") else kind
        if kind != "notebook" and kind != "local":
            raise UnsupportedError(f"{filename} is a notebook: use kind='notebook' (or 'local'), not {kind!r}")
    return Function(name=name, kind=kind, filename=str(path), handler=handler, project=project,
                    description=description, kernel_name=kernel_name)
