"""How a run executes. Each runtime is one small module implementing :class:`Runtime`.

Runtimes are found by name in a registry (built-ins below, plus the ``runlab.runtimes`` entry-point
group), never by ``if kind == ...`` in the launcher.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Protocol

from ..errors import UnsupportedError

if TYPE_CHECKING:
    from .base import PreparedRun

_BUILTIN = {
    "local": "runlab.runtimes.local:LocalRuntime",
    "job": "runlab.runtimes.job:JobRuntime",
    "dask": "runlab.runtimes.dask:DaskRuntime",
}


class RunHandle(Protocol):
    """A submitted run."""

    uid: str

    def wait(self, timeout: float | None = None) -> str:
        """Block until the run is terminal; return its state."""

    def abort(self) -> None:
        """Stop the run."""


class Runtime(Protocol):
    """Starts runs."""

    name: str

    initial_state: str
    """The state a run is recorded with: ``running`` in-process, ``pending`` when it waits to start."""
    in_process: bool
    """True if the handler runs inside the submitting process (its output is already in the cell)."""

    def submit(self, run: PreparedRun) -> RunHandle:
        """Start ``run`` and return a handle at once (the in-process runtime returns when it ends).

        A runtime may also define ``validate(row)``: checks that refuse a run before it is recorded.
        """


def available_runtimes() -> list[str]:
    """Names of every runtime this installation can use."""
    return sorted(set(_BUILTIN) | set(_entry_points()))


def get_runtime(name: str) -> Runtime:
    """The runtime registered under ``name``."""
    target = _BUILTIN.get(name) or _entry_points().get(name)
    if target is None:
        raise UnsupportedError(
            f"no runtime named {name!r}: available runtimes are {', '.join(available_runtimes())}"
        )
    module_name, _, attr = target.partition(":")
    return getattr(importlib.import_module(module_name), attr)()


def _entry_points() -> dict[str, str]:
    from importlib.metadata import entry_points

    return {ep.name: ep.value for ep in entry_points(group="runlab.runtimes")}
