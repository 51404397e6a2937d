"""``ProjectRef``: what a run needs to know of its project (name, context folder, artifact path, store),
and which project is current.

``Project`` (the user's object, with functions and schedules) is a ``ProjectRef``; the launcher, sweeps,
the scheduler and ``get_or_create_ctx`` take a reference and never need the rest.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from . import process
from .config import get_config
from .errors import ProjectNotFoundError, ValidationError
from .store import get_store

if TYPE_CHECKING:
    from .store.runstore import RunStore

_Ref = TypeVar("_Ref", bound="ProjectRef")
_current: ProjectRef | None = None
_defaults: dict[tuple[str, str, type], ProjectRef] = {}
_lock = threading.Lock()


class ProjectRef:
    """A project as runs see it: its name, context folder, artifact path, description and store."""

    def __init__(self, name: str, context: str, artifact_path: str = "", description: str = "",
                 store: RunStore | None = None) -> None:
        self.name = name
        self.context = _folder(context)
        check_artifact_path(artifact_path)
        self.artifact_path = artifact_path or default_artifact_path(self.context)
        self.description = description
        self.store = store or get_store()
        self.cache = False
        """The project's default for ``cache=`` (the run cache): True makes its runs return the newest completed
        run of the same code, handler, params and inputs unless a call says ``cache=False``. Kept on this
        object, as ``params`` are: set it in each kernel that runs the project's functions."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name} context={self.context}>"

    def save(self: _Ref) -> _Ref:
        """Store the project's context, artifact path and description."""
        self.store.save_project(self.name, self.context, self.artifact_path, self.description)
        return self


def _folder(context: str | os.PathLike) -> str:
    """A project's context folder as an absolute path; ``ValidationError`` when it is not a path."""
    if not isinstance(context, (str, os.PathLike)):
        raise ValidationError(f"context must be a folder path (a str), not {type(context).__name__} {context!r}")
    return str(Path(context).expanduser().resolve())


def check_artifact_path(path: object) -> None:
    """``ValidationError`` unless ``path`` is a folder path or URL (a str; '' for the default)."""
    if not isinstance(path, str):
        raise ValidationError(
            f"artifact_path must be a folder path or URL (a str such as './artifacts' or 's3://bucket/runs'), "
            f"not {type(path).__name__} {path!r}")


def default_artifact_path(context: str) -> str:
    """The configured artifact path, else ``<context>/artifacts``."""
    return get_config().artifact_path or str(Path(context) / "artifacts")


def load(name: str, cls: type[_Ref] = ProjectRef, store: RunStore | None = None) -> _Ref | None:  # type: ignore[assignment]
    """The project ``name`` stored in ``store`` (default: the configured store) as ``cls``, or None."""
    store = store or get_store()
    record = store.get_project(name)
    if record is None:
        return None
    return cls(name, record["context"], record["artifact_path"], record["description"], store)


def get_or_create(name: str, context: str = "./", artifact_path: str = "", description: str = "",
                  cls: type[_Ref] = ProjectRef) -> _Ref:  # type: ignore[assignment]
    """The stored project ``name`` (its context, artifact path and description updated when given anew),
    or a new one."""
    project = load(name, cls)
    if project is None:
        return cls(name, context, artifact_path, description).save()
    new_context = _folder(context)
    check_artifact_path(artifact_path)
    if (project.context != new_context or (artifact_path and artifact_path != project.artifact_path)
            or (description and description != project.description)):
        old_default = default_artifact_path(project.context)
        project.context = new_context
        if artifact_path or project.artifact_path == old_default:
            project.artifact_path = artifact_path or default_artifact_path(project.context)
        project.description = description or project.description
        project.save()
    return project


def current() -> ProjectRef | None:
    """The current project (set by the last get_or_create/new/load_project), or None."""
    return _current


def set_current(project: ProjectRef | None) -> None:
    global _current
    with _lock:
        _current = project


def resolve(name: str = "", cls: type[_Ref] = ProjectRef) -> _Ref:  # type: ignore[assignment]
    """The named project, else the current one, else the configured default project (created on demand)."""
    if name:
        if _current is not None and _current.name == name:
            return _current  # type: ignore[return-value]
        project = load(name, cls)
        if project is None:
            raise ProjectNotFoundError(f"no project named {name!r}: create it with runlab.get_or_create_project")
        return project
    if _current is not None:
        return _current  # type: ignore[return-value]
    config = get_config()
    key = (config.db_url, config.default_project, cls)
    project = _defaults.get(key)
    if project is None:  # cached: a run with no current project must not pay a project lookup each time
        project = _defaults[key] = get_or_create(config.default_project, context=os.getcwd(), cls=cls)
    return project  # type: ignore[return-value]


def _reset() -> None:
    set_current(None)
    _defaults.clear()


process.on_reset("projectref", "the current project and the cached default project", _reset)
