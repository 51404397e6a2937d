"""The Python environment a run ran in: the Python version, the platform and the installed distributions.

The distributions are listed from the names of the ``*.dist-info`` folders (one ``listdir`` per
site-packages folder), once per state of those folders (their modification times change when a package is
installed or removed), and the environment's hash is computed then. Those folders are looked at again when
``LOOK_AGAIN_AFTER`` has passed since the last look: no install (pip's or uv's, a process of its own) takes
less, so a run started after one always sees it, and runs in a quick loop skip a ``stat`` each.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import sys
import time
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from . import process

LOOK_AGAIN_AFTER = 0.01
"""Seconds after a look at the site-packages folders during which the environment found then is reused."""

_known: dict[tuple[tuple[str, int], ...], tuple[str, dict[str, Any]]] = {}
_last_look: tuple[float, tuple[str, ...], tuple[str, dict[str, Any]]] | None = None  # when, folders, found


def _site_folders() -> tuple[str, ...]:
    """The folders distributions are installed in (the user's own folders on ``sys.path`` hold none), found
    again only when ``sys.path`` changes."""
    return _site_folders_of(tuple(sys.path))


@lru_cache(maxsize=1)
def _site_folders_of(path: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(p for p in path if os.path.basename(p) in ("site-packages", "dist-packages") and os.path.isdir(p))


def _reset() -> None:
    global _last_look
    _known.clear()
    _site_folders_of.cache_clear()
    _last_look = None


process.on_reset("pyenv", "the Python environment by state of the site-packages folders", _reset)


def _state(folders: tuple[str, ...]) -> tuple[tuple[str, int], ...]:
    state = []
    for folder in folders:
        try:
            state.append((folder, os.stat(folder).st_mtime_ns))
        except OSError:
            continue
    return tuple(state)


def current() -> tuple[str, dict[str, Any]]:
    """This interpreter's environment as ``(hash, document)``: the document holds ``python`` (the version),
    ``implementation``, ``platform`` and ``packages`` (sorted ``name==version`` lines); the hash is the
    sha256 of the document, so equal environments share one."""
    global _last_look
    folders = _site_folders()
    now = time.monotonic()
    last = _last_look
    if last is not None and now - last[0] < LOOK_AGAIN_AFTER and last[1] is folders:
        return last[2]
    key = _state(folders)
    known = _known.get(key)
    if known is None:
        document = describe(folders)
        known = (environment_hash(document), document)
        _known.clear()  # only the current state is worth keeping
        _known[key] = known
    _last_look = (now, folders, known)
    return known


def describe(folders: Iterable[str]) -> dict[str, Any]:
    """The environment document of the distributions installed in ``folders``."""
    packages = set()
    for folder in folders:
        packages.update(installed(folder))
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": f"{platform.system()}-{platform.release()}-{platform.machine()}",  # platform.platform() reads
        # the interpreter's binary for its libc version: tens of milliseconds
        "packages": sorted(packages),
    }


def installed(folder: str) -> set[str]:
    """The distributions installed in ``folder`` as ``name==version``, read from the names of their
    ``*.dist-info`` folders (``name-version.dist-info``: no file is opened); an ``*.egg-info`` without a
    version in its name has its metadata read."""
    found = set()
    try:
        entries = os.listdir(folder)
    except OSError:
        return found
    for entry in entries:
        stem, dot, suffix = entry.rpartition(".")
        if not dot or suffix not in ("dist-info", "egg-info"):
            continue
        name, _, version = stem.partition("-")
        version = version.split("-py")[0]  # an egg's "-py3.11" tag
        if not version:
            from importlib import metadata  # rare: not worth its import on every process

            try:
                version = metadata.Distribution.at(os.path.join(folder, entry)).version or ""
            except Exception:  # noqa: BLE001 - a broken egg-info is listed without its version
                version = ""
        found.add(f"{_canonical(name)}=={version}")
    return found


def environment_hash(document: dict[str, Any]) -> str:
    """The sha256 of an environment document (its JSON with sorted keys)."""
    return hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()


def _canonical(name: str) -> str:
    """A distribution's name as pip compares them (``Foo_Bar`` and ``foo-bar`` are one)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def package_changes(old: list[str], new: list[str]) -> dict[str, list[str]]:
    """What differs between two package lists (``name==version``): ``added`` and ``removed`` names with their
    versions, and ``changed`` as ``name old → new``."""
    before = dict(_split(line) for line in old)
    after = dict(_split(line) for line in new)
    return {
        "added": [f"{name}=={after[name]}" for name in sorted(after.keys() - before.keys())],
        "removed": [f"{name}=={before[name]}" for name in sorted(before.keys() - after.keys())],
        "changed": [f"{name} {before[name]} → {after[name]}" for name in sorted(before.keys() & after.keys())
                    if before[name] != after[name]],
    }


def _split(line: str) -> tuple[str, str]:
    name, _, version = line.partition("==")
    return name, version
