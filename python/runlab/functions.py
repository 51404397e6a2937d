"""``Function``: code runlab can run — a Python file, a module, a callable, a script or a notebook — and
``new_function`` / ``code_to_function`` that make one.

A function hosts many handlers; ``handler=`` names one, else the function's default handler is used (see
:mod:`runlab.handlers`). ``fn.run(...)`` runs it in its project (or the current one).
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import projectref
from .errors import UnsupportedError, ValidationError
from .handlers import FunctionSpec
from .launch import launch
from .task import task_for_call

if TYPE_CHECKING:
    from .run import RunObject
    from .task import Task


class Function(FunctionSpec):
    """A runnable function. Make one with :func:`new_function`, :func:`code_to_function` or
    ``project.set_function``."""

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
        run_task = task_for_call(task or base_task, name=name, params=params, inputs=inputs, labels=labels,
                                 returns=returns, artifact_path=artifact_path, hyperparams=hyperparams,
                                 hyper_param_options=hyper_param_options)
        return launch(self, projectref.resolve(project or self.project), run_task, handler=handler, local=local,
                      watch=watch, selector=selector)


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
