"""Secret sources of a run (``Task.with_secrets``): where ``context.get_secret`` finds a secret's value.

A run records only where its secrets come from, never their values:

- ``inline``: a dict given in this process. The values stay in this process's memory (the run record
  holds the keys and a handle), so only in-process runs (``local=True``) can read them.
- ``env``: environment variable names (``"A,B"`` or ``["A", "B"]``), read from the environment of the
  process that runs the handler.
- ``file``: a file of ``KEY=value`` lines, read when the handler asks for a secret.

``get_secret(key)`` tries the sources in the order they were added, then the process environment.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from . import process
from .errors import UnsupportedError, ValidationError

KINDS = ("inline", "env", "file")
_inline_values: dict[str, dict[str, str]] = {}


def secret_source(kind: str, source: Any) -> dict[str, Any]:
    """The storable form of one secret source (no values); raises ``ValidationError`` for a bad one."""
    if kind not in KINDS:
        raise ValidationError(
            f"unknown secret kind {kind!r}: use 'inline' (a dict), 'env' (variable names) or 'file' "
            "(a file of KEY=value lines)"
        )
    if kind == "inline":
        if not isinstance(source, Mapping) or not all(isinstance(k, str) and k for k in source):
            raise ValidationError(
                f"inline secrets take a dict of name → value, not {type(source).__name__} "
                "(e.g. with_secrets('inline', {'PASSWORD': '...'}))"
            )
        handle = uuid.uuid4().hex
        _inline_values[handle] = {k: str(v) for k, v in source.items()}
        return {"kind": "inline", "keys": sorted(source), "handle": handle}
    if kind == "env":
        names = source.split(",") if isinstance(source, str) else source
        if not isinstance(names, (list, tuple)) or not all(isinstance(n, str) for n in names):
            raise ValidationError(
                f"env secrets take variable names as 'A,B' or ['A', 'B'], not {type(source).__name__}"
            )
        names = [n.strip() for n in names if n.strip()]
        if not names:
            raise ValidationError("env secrets need at least one variable name (e.g. with_secrets('env', 'TOKEN'))")
        return {"kind": "env", "source": names}
    if not isinstance(source, (str, os.PathLike)) or not Path(source).expanduser().is_file():
        raise ValidationError(
            f"secrets file {source!r} does not exist: pass the path of a file of KEY=value lines"
        )
    return {"kind": "file", "source": str(Path(source).expanduser().absolute())}


def check_reachable(sources: list[dict[str, Any]], in_process: bool, runtime: str) -> None:
    """Refuse inline secrets for a run in another process: their values exist only in this one."""
    for source in sources:
        if source.get("kind") == "inline" and not in_process:
            raise UnsupportedError(
                f"inline secrets ({', '.join(source.get('keys', []))}) cannot reach a background {runtime!r} run "
                "without being written down: use with_secrets('env', [...]) or with_secrets('file', path), "
                "or run it in this process with local=True"
            )
        if source.get("kind") == "inline" and source.get("handle") not in _inline_values:
            raise ValidationError("these inline secrets belong to another process: call with_secrets again here")


def get_secret(sources: list[dict[str, Any]], key: str) -> str | None:
    """The value of secret ``key`` from ``sources`` (in order), else the environment, else None."""
    for source in sources:
        kind = source.get("kind")
        if kind == "inline" and key in source.get("keys", []):
            value = _inline_values.get(source.get("handle", ""), {}).get(key)
            if value is not None:
                return value
        elif kind == "env" and key in source.get("source", []):
            if key in os.environ:
                return os.environ[key]
        elif kind == "file":
            value = read_secrets_file(source["source"]).get(key)
            if value is not None:
                return value
    return os.environ.get(key)


def read_secrets_file(path: str) -> dict[str, str]:
    """``KEY=value`` lines of a secrets file (blank lines and ``#`` comments skipped)."""
    try:
        text = Path(path).read_text()
    except OSError as exc:
        raise ValidationError(f"cannot read secrets file {path}: {exc.strerror}; check that it exists") from exc
    values: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if "=" not in line:
            raise ValidationError(f"secrets file {path}: line {line.split()[0][:20]!r}... is not KEY=value")
        name, value = line.split("=", 1)
        values[name.strip()] = value.strip()
    return values


process.on_reset("secrets", "inline secret values given to Task.with_secrets", _inline_values.clear)
