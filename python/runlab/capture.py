"""What ran: the code, its git state, the Python environment, the host and the user of a run (its
``spec.code``), and what changed since (``drift``), which a rerun warns about.

``spec.code`` (see ``record.py``) is built when a run is prepared, from what this process already knows:
file hashes are kept per file version, the environment per state of the site-packages folders
(``pyenv``), git's diff per state of the index (``gitinfo``), so a run pays a few ``stat`` calls. The
environment's package list is stored once per distinct environment (the store's ``environments`` table);
the run keeps its hash. A sweep's children share their parent's (iteration 0's) capture.
"""

from __future__ import annotations

import contextlib
import difflib
import getpass
import hashlib
import inspect
import os
import weakref
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from . import gitinfo, process, pyenv
from .config import get_config
from .handlers import FunctionSpec, HandlerRef, importable_path
from .notebookcode import current_notebook
from .record import hostname

if TYPE_CHECKING:
    from .record import RunRecord
    from .store.runstore import RunStore

MAX_SOURCE_CHARS = 64 * 1024
"""The longest source of a notebook cell's handler a run records (a longer one is recorded by hash only)."""

DIFF_LINES = 40
"""The most lines of a source diff a drift message shows."""

_CHUNK = 1024 * 1024
_file_hashes: dict[tuple[str, int, int], str] = {}
_callable_code: weakref.WeakKeyDictionary[Any, tuple[str | None, str | None]] = weakref.WeakKeyDictionary()
_saved_environments: set[tuple[str, str]] = set()
process.on_reset("capture", "file hashes by file version and the environments saved in each store",
                 lambda: (_file_hashes.clear(), _saved_environments.clear(), _callable_code.clear(),
                         _cells_notebook.cache_clear()))


def code_sha256(function: FunctionSpec, ref: HandlerRef | None) -> str | None:
    """The sha256 of the code a run of ``function`` runs: its file (a ``.py`` file or a notebook), else the
    source of ``ref``'s callable (defined in a notebook cell or an installed module); None when neither can
    be read."""
    return _sha256_of(*_code_of(function, ref))


def _sha256_of(path: str | None, source: str | None) -> str | None:
    """The sha256 of a callable's ``source`` when it has one, else of the file at ``path`` (None: unreadable)."""
    if source is not None:
        return source_sha256(source)
    return file_sha256(path) if path else None


def file_sha256(path: str) -> str | None:
    """A file's sha256, computed once per version of the file (its size and modification time); None when
    it cannot be read."""
    try:
        stat = os.stat(path)
        key = (path, stat.st_mtime_ns, stat.st_size)
        digest = _file_hashes.get(key)
        if digest is None:
            digest = _file_hashes[key] = content_sha256(path)
    except OSError:
        return None
    return digest


@lru_cache(maxsize=256)
def source_sha256(source: str) -> str:
    """The sha256 of a callable's source text, computed once per text (a notebook cell's handler runs again and
    again with the same source)."""
    return hashlib.sha256(source.encode()).hexdigest()


def content_sha256(path: str) -> str:
    """The sha256 of a file's content, read in chunks (``OSError`` when it cannot be read)."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _code_of(function: FunctionSpec, ref: HandlerRef | None) -> tuple[str | None, str | None]:
    """The file the code is in, or (None, the source) for a callable only this process holds."""
    if function.filename:
        return function.filename, None
    target = None if ref is None else (ref.cls or ref.func)
    if target is None:
        return None, None
    try:
        return _callable_code[target]
    except (KeyError, TypeError):  # TypeError: a callable that takes no weak reference, read each time
        pass
    found = _read_callable_code(target)
    with contextlib.suppress(TypeError):
        _callable_code[target] = found
    return found


def _read_callable_code(target: Any) -> tuple[str | None, str | None]:
    """Where a callable's code is: the file of its module when that is importable, else its source (read by
    ``inspect``, which tokenizes the file: kept per callable, whose code cannot change, by ``_code_of``)."""
    if importable_path(target) is not None:  # in an installed module: its file
        try:
            return inspect.getsourcefile(target), None
        except TypeError:
            return None, None
    try:  # defined in a notebook cell (or a script's __main__): IPython keeps the cell's text for inspect
        return None, inspect.getsource(target)
    except (OSError, TypeError):
        return None, None


@lru_cache(maxsize=1)
def _cells_notebook() -> str | None:
    """The notebook this kernel serves, asked once per process (Jupyter names it when the kernel starts)."""
    return current_notebook()


@lru_cache(maxsize=1)
def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name in some containers
        return str(os.getuid())


def capture(function: FunctionSpec, ref: HandlerRef | None) -> dict[str, Any] | None:
    """A run's ``spec.code``: ``sha256`` and ``path`` of the code (``source`` too for a notebook cell's
    callable), ``git`` (the file's repository; absent outside one), ``environment`` (the environment's
    hash), ``host`` and ``user``. None when capture is turned off (``RunlabConfig.capture``)."""
    if not get_config().capture:
        return None
    path, source = _code_of(function, ref)
    code: dict[str, Any] = {"sha256": _sha256_of(path, source), "path": path}
    if source is not None:
        if len(source) <= MAX_SOURCE_CHARS:
            code["source"] = source
        place = _cells_notebook()  # the cell's notebook: its repository is the code's
    else:
        place = path
    git = gitinfo.git_section(place) if place else None
    if git is not None:
        code["git"] = git
    code["environment"] = pyenv.current()[0]
    code["host"] = hostname()
    code["user"] = _user()
    return code


def keep_environment(store: RunStore, code: dict[str, Any] | None) -> None:
    """Store the environment a run's ``spec.code`` names, once per store and environment in this process."""
    if not code or not code.get("environment"):
        return
    key = (store.url, code["environment"])
    if key in _saved_environments:  # the common case: no second look at the site-packages folders
        return
    env_hash, document = pyenv.current()
    if env_hash != code["environment"]:
        return
    store.save_environment(env_hash, document)
    _saved_environments.add(key)


def drift(record: RunRecord, store: RunStore, function: FunctionSpec | None = None,
          ref: HandlerRef | None = None) -> dict[str, Any]:
    """What changed since ``record`` ran, as ``{"captured", "code", "environment"}``: ``code`` (None when it
    cannot be told) has ``changed``, ``old`` and ``new`` sha256 (``new`` None: the code cannot be read now),
    ``path`` and ``diff`` (a unified diff, when the old source was recorded); ``environment`` has
    ``changed``, ``old`` and ``new`` hashes, ``python`` and ``platform`` (``[old, new]`` when they differ),
    ``added``, ``removed`` and ``changed_packages``. ``captured`` is False for a run recorded without
    capture (both then None). The environment now is this process's."""
    recorded = (record.spec or {}).get("code")
    if not recorded:
        return {"captured": False, "code": None, "environment": None}
    if function is None:
        function = FunctionSpec.from_dict((record.spec or {}).get("source") or {})
    return {"captured": True, "code": _code_drift(recorded, function, ref),
            "environment": _environment_drift(recorded.get("environment"), store)}


def _code_drift(recorded: dict[str, Any], function: FunctionSpec, ref: HandlerRef | None) -> dict[str, Any] | None:
    old = recorded.get("sha256")
    path, source = _code_of(function, ref)
    if old is None or (path is None and source is None):
        return None
    new = _sha256_of(path, source)
    answer: dict[str, Any] = {"changed": new != old, "old": old, "new": new, "path": path or recorded.get("path"),
                              "diff": ""}
    if new != old and source is not None and recorded.get("source") is not None:
        lines = list(difflib.unified_diff(recorded["source"].splitlines(), source.splitlines(), "recorded", "now",
                                          lineterm=""))
        answer["diff"] = "\n".join(lines[:DIFF_LINES]) + (f"\n… ({len(lines) - DIFF_LINES} more lines)"
                                                          if len(lines) > DIFF_LINES else "")
    return answer


def _environment_drift(old: str | None, store: RunStore) -> dict[str, Any] | None:
    if not old:
        return None
    new, document = pyenv.current()
    answer: dict[str, Any] = {"changed": new != old, "old": old, "new": new, "python": None, "platform": None,
                              "added": [], "removed": [], "changed_packages": []}
    if new == old:
        return answer
    before = store.get_environment(old)
    if before is None:  # the run's environment was never stored (or was removed): only its hash is known
        return answer
    for key in ("python", "platform"):
        if before[key] != document[key]:
            answer[key] = [before[key], document[key]]
    changes = pyenv.package_changes(before["packages"], document["packages"])
    answer.update(added=changes["added"], removed=changes["removed"], changed_packages=changes["changed"])
    return answer


def drift_message(uid: str, found: dict[str, Any]) -> str | None:
    """What a rerun of run ``uid`` warns about, or None when nothing it can tell changed."""
    parts = []
    code = found.get("code")
    if code and code["changed"]:
        name = os.path.basename(code["path"]) if code.get("path") else "the handler's source"
        if code["new"] is None:
            parts.append(f"its code ({name}) can no longer be read (recorded sha256 {code['old'][:8]})")
        else:
            parts.append(f"its code changed: {name} {code['old'][:8]} → {code['new'][:8]}")
        if code.get("diff"):
            parts.append(code["diff"])
    env = found.get("environment")
    if env and env["changed"]:
        details = []
        if env.get("python"):
            details.append(f"Python {env['python'][0]} → {env['python'][1]}")
        if env.get("platform"):
            details.append(f"platform {env['platform'][0]} → {env['platform'][1]}")
        for key, word in (("added", "added"), ("removed", "removed"), ("changed_packages", "changed")):
            if env.get(key):
                details.append(f"{word} {', '.join(env[key][:10])}" + (f" and {len(env[key]) - 10} more"
                                                                      if len(env[key]) > 10 else ""))
        unknown = f"{env['old'][:8]} → {env['new'][:8]} (the old one is not stored)"
        parts.append("its environment changed: " + ("; ".join(details) or unknown))
    if not parts:
        return None
    return f"run {uid[:8]} ran other code than a rerun runs now: " + "\n".join(parts)
