"""Fingerprints of what a run reads: its code (``code_sha256``) and its inputs (``input_fingerprint``).

Two runs with equal fingerprints read the same code and the same data, which is what the run cache
(``runcache``) needs to know. Code is the handler's whole file (or notebook), so a change anywhere in it
counts; a callable with no file of the function's is its module's file, or, defined in a notebook cell, its
source text: the same sha256 the run records as what ran (``capture``). A local input up to
``cache_hash_limit`` bytes is its content's sha256; a larger one, and a remote object, is its size and
modification stamp (an etag when the store gives one); a ``store://`` artifact is the hash recorded when it
was logged.
"""

from __future__ import annotations

import hashlib
import os
from typing import TYPE_CHECKING

from . import capture
from .artifactfiles import resolve_store_uri
from .config import get_config
from .errors import CacheError, RunlabError

if TYPE_CHECKING:
    from .handlers import FunctionSpec, HandlerRef
    from .store.runstore import RunStore

_CHANGE_MARKS = ("ETag", "etag", "md5Hash", "checksum", "mtime", "LastModified", "last_modified", "modified",
                 "updated", "created")
"""What an fsspec store's ``info`` may say about an object's version, strongest first."""


def code_sha256(function: FunctionSpec, ref: HandlerRef | None) -> str:
    """The sha256 of the code a run runs, as the run records it (``capture.code_sha256``: the function's file,
    a ``.py`` file or a notebook, when it has one; else its handler's module file, or the source of a callable
    defined in a notebook cell). ``CacheError`` when it cannot be read."""
    digest = capture.code_sha256(function, ref)
    if digest is not None:
        return digest
    if function.filename:
        raise CacheError(f"cannot read {function.filename} to fingerprint function {function.name!r}: run it "
                         "with cache=False")
    if ref is None or (ref.cls is None and ref.func is None):
        raise CacheError(f"function {function.name!r} has no file and no handler to fingerprint: give it a file, "
                         "or run it with cache=False")
    raise CacheError(f"the source of handler {ref.label!r} cannot be read (defined with exec or in a console?), so "
                     "the cache cannot tell whether it changed: put it in a file or a notebook cell, or run it with "
                     "cache=False")


def input_fingerprint(key: str, url: str, store: RunStore | None = None) -> str:
    """What input ``key`` at ``url`` (as the run records it: local paths absolute) holds, as a short text:
    ``sha256:<hex>`` for a local file's content, ``stat:..`` for a large local file or a folder, ``remote:..``
    for an fsspec URL, ``artifact:..`` for a ``store://`` artifact. ``CacheError`` when it cannot tell."""
    if url.startswith("store://"):
        return _artifact_fingerprint(key, url, store)
    if url.startswith("file://"):
        url = url[len("file://"):]
    if "://" not in url:
        return _local_fingerprint(key, url)
    return _remote_fingerprint(key, url)


def _local_fingerprint(key: str, path: str) -> str:
    try:
        stat = os.stat(path)
        if os.path.isdir(path):
            return "stat-dir:" + _folder_digest(path)
        if stat.st_size <= get_config().cache_hash_limit:
            return "sha256:" + capture.content_sha256(path)
    except OSError as exc:
        raise CacheError(f"input {key!r}: cannot read {path} to fingerprint it: {exc}") from None
    return f"stat:{path}:{stat.st_size}:{stat.st_mtime_ns}"


def _folder_digest(path: str) -> str:
    """A folder's files by relative path, size and modification time (their content is not read)."""
    digest = hashlib.sha256()
    for root, dirs, files in os.walk(path):
        dirs.sort()
        for name in sorted(files):
            full = os.path.join(root, name)
            stat = os.stat(full)
            digest.update(f"{os.path.relpath(full, path)}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _remote_fingerprint(key: str, url: str) -> str:
    import fsspec  # only for a remote input of a cached run

    try:
        fs, path = fsspec.core.url_to_fs(url)
        info = fs.info(path)
    except Exception as exc:  # noqa: BLE001 - any store's failure is the same answer: no fingerprint
        raise CacheError(f"input {key!r}: cannot read the size and version of {url}: {exc}; run it with "
                         "cache=False") from None
    mark = next((f"{name}={info[name]}" for name in _CHANGE_MARKS if info.get(name) not in (None, "")), None)
    if mark is None:
        raise CacheError(f"input {key!r}: the store of {url} reports no etag or modification time, so the cache "
                         "cannot tell whether it changed: run it with cache=False")
    return f"remote:{url}:{info.get('size')}:{mark}"


def _artifact_fingerprint(key: str, uri: str, store: RunStore | None) -> str:
    try:
        row = resolve_store_uri(uri, store).record
    except RunlabError as exc:
        raise CacheError(f"input {key!r}: {exc}") from None
    if row.get("hash"):
        return f"artifact:sha256:{row['hash']}"
    return f"artifact:{row['target']}:{row['run_uid']}#{row['iteration']}:v{row['version']}:{row.get('size')}"
