"""Artifacts: what a run produces besides results — files, datasets, models, plots.

Each artifact is written through fsspec to ``{artifact_path}/{run name}/{iteration}/{key}{suffix}`` and
recorded in the store (kind, target, size, sha256, producer run, tag, meta). Logging a key again makes a
new version; ``store://artifacts/{project}/{key}[#iteration][:tag][@uid]`` names the newest match.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import math
import os
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

from .errors import ArtifactNotFoundError, ArtifactWriteError, ValidationError
from .store import get_store

if TYPE_CHECKING:
    from .store.runstore import RunStore

KINDS = ("file", "dataset", "model", "plot", "table", "notebook")
_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,254}$")
_STORE_URI = re.compile(
    r"^store://(?P<category>artifacts|models|datasets)/(?P<project>[^/#:@]+)/(?P<key>[^#:@]+)"
    r"(?:#(?P<iteration>\d+))?(?::(?P<tag>[^@]+))?(?:@(?P<uid>[0-9a-f]+))?$"
)
_PREVIEW_ROWS = 20


def validate_key(key: str) -> str:
    """An artifact key: letters, digits, ``_ . -``; it becomes a file name."""
    if not isinstance(key, str) or not _KEY.match(key):
        raise ValidationError(
            f"invalid artifact key {key!r}: use letters, digits, '_', '.' and '-' (e.g. 'model' or 'test_set')"
        )
    return key


def expand_artifact_path(path: str, uid: str, run_name: str, project: str) -> str:
    """Fill ``{run.uid}``, ``{run.name}`` and ``{project}`` (single or double braces) into a path."""
    if "{" not in path:  # the usual path: nothing to fill
        return path
    for name, value in (("run.uid", uid), ("run.name", run_name), ("project", project)):
        path = path.replace("{{" + name + "}}", value).replace("{" + name + "}", value)
    return path


def target_path(artifact_path: str, run_name: str, iteration: int, key: str, suffix: str) -> str:
    """Where an artifact's file goes: ``{artifact_path}/{run name}/{iteration}/{key}{suffix}``."""
    return f"{artifact_path.rstrip('/')}/{run_name}/{iteration}/{key}{suffix}"


# -- writing -------------------------------------------------------------------------------------------


def write_bytes(target: str, data: bytes, key: str = "") -> tuple[int, str]:
    """Write ``data`` to ``target`` (any fsspec URL) whole or not at all; returns (size, sha256).

    ``key`` names the artifact in the :class:`~runlab.errors.ArtifactWriteError` a failed write raises.
    """
    _write_whole(target, key, lambda out: out.write(data))
    return len(data), hashlib.sha256(data).hexdigest()


def copy_file(source: str, target: str, key: str = "") -> tuple[int, str]:
    """Stream a local file to ``target`` whole or not at all; returns (size, sha256)."""
    try:
        src = open(source, "rb")  # noqa: SIM115 - closed below, once copied
    except FileNotFoundError as exc:
        raise ValidationError(f"local_path {source!r} does not exist: pass the path of an existing file") from exc
    with src:
        return copy_stream(src, target, key)


def copy_stream(src: IO[bytes], target: str, key: str = "") -> tuple[int, str]:
    """Stream an open file to ``target`` (any fsspec URL) whole or not at all; returns (size, sha256)."""
    digest, size = hashlib.sha256(), 0

    def copy(out: IO[bytes]) -> None:
        nonlocal size
        while block := src.read(1 << 20):
            digest.update(block)
            size += len(block)
            out.write(block)

    _write_whole(target, key, copy)
    return size, digest.hexdigest()


def _write_whole(target: str, key: str, fill: Callable[[IO[bytes]], Any]) -> None:
    """Run ``fill`` on ``target`` opened for writing, so that a failure (a full disk) leaves no partial file.

    A local file is written under a temporary name in the same folder and renamed over ``target`` once
    whole (the rename is atomic); elsewhere (object stores upload whole anyway) a failed write is removed.
    A failed write raises ArtifactWriteError with the key, the path and the OS's reason.
    """
    import fsspec
    from fsspec.implementations.local import LocalFileSystem

    fs, path = fsspec.core.url_to_fs(target)
    local = isinstance(fs, LocalFileSystem)
    folder, _, name = path.rpartition("/")
    written = f"{folder}/.{name}.{uuid.uuid4().hex[:8]}.part" if local else path
    try:
        fs.makedirs(fs._parent(path), exist_ok=True)
        with fs.open(written, "wb") as out:
            fill(out)
        if local:
            os.replace(written, path)
    except BaseException as exc:
        with contextlib.suppress(Exception):  # the partial file must not stay (nor keep the disk full)
            fs.rm(written)
        if isinstance(exc, OSError):
            raise _write_error(key, target, exc) from exc
        raise


def _write_error(key: str, target: str, exc: OSError) -> ArtifactWriteError:
    what = f"artifact {key!r}" if key else "an artifact"
    reason = exc.strerror or str(exc) or type(exc).__name__
    return ArtifactWriteError(
        f"{what} could not be written to {target}: {reason}; nothing was left there. Free some space (or fix "
        "the folder's permissions), or log it to another artifact_path, then log it again"
    )


def write_artifact(
    store: RunStore,
    record: dict[str, Any],
    folder: str,
    stem: str,
    suffix: str,
    data: bytes | None = None,
    source: str | None = None,
) -> dict[str, Any]:
    """Write an artifact's file as ``{folder}/{stem}{suffix}`` and record it as the next version of its key.

    ``record`` holds the row's other columns (project, key, kind, tag, run_uid, ...). When another version
    already lives at that path, the file goes beside it (``name.vN.ext``) instead of destroying it.
    """
    if record["kind"] not in KINDS:
        raise ValidationError(f"unknown artifact kind {record['kind']!r}: use one of {', '.join(KINDS)}")
    target = f"{folder.rstrip('/')}/{stem}{suffix}"
    version = store.next_artifact_version(record["project"], record["key"]) if store.artifact_target_taken(
        target) else 0
    while version and store.artifact_target_taken(target):
        target = f"{folder.rstrip('/')}/{stem}.v{version}{suffix}"
        version += 1
    key = record["key"]
    size, digest = write_bytes(target, data, key) if data is not None else copy_file(str(source), target, key)
    return store.add_artifact({**record, "target": target, "size": size, "hash": digest})


@dataclass
class Encoded:
    """A body ready to write: its bytes, file suffix, artifact kind and extra metadata."""

    data: bytes
    suffix: str
    kind: str
    meta: dict[str, Any]


def encode_body(body: Any, format: str | None = None) -> Encoded:
    """Turn a body (bytes, str, dict/list, DataFrame, matplotlib figure) into bytes with a suffix."""
    fmt = (format or "").lower().lstrip(".")
    if _is_figure(body):
        buf = io.BytesIO()
        body.savefig(buf, format=fmt or "png", bbox_inches="tight")
        return Encoded(buf.getvalue(), f".{fmt or 'png'}", "plot", {})
    if _is_dataframe(body):
        return encode_dataset(body, fmt or "csv")
    if isinstance(body, bytes):
        return Encoded(body, f".{fmt}" if fmt else "", "file", {})
    if isinstance(body, str):
        if fmt == "html" or (not fmt and body.lstrip()[:15].lower().startswith(("<html", "<!doctype html"))):
            return Encoded(body.encode("utf-8"), ".html", "plot", {})
        return Encoded(body.encode("utf-8"), f".{fmt or 'txt'}", "file", {})
    if isinstance(body, (dict, list)):
        if fmt in ("yaml", "yml"):
            import yaml

            return Encoded(yaml.safe_dump(body, sort_keys=False).encode(), f".{fmt}", "file", {})
        return Encoded(json.dumps(body, indent=2, default=str).encode(), ".json", "file", {})
    raise ValidationError(
        f"cannot log a body of type {type(body).__name__}: pass bytes, str, dict/list, a pandas DataFrame, "
        "a matplotlib figure, or write the object to a file and pass local_path="
    )


def encode_dataset(df: Any, format: str = "csv", index: bool = False) -> Encoded:
    """A DataFrame as CSV or Parquet bytes, with shape, schema and a preview of its first rows."""
    fmt = format.lower().lstrip(".")
    if fmt == "csv":
        data = df.to_csv(index=index).encode("utf-8")
    elif fmt in ("parquet", "pq"):
        buf = io.BytesIO()
        df.to_parquet(buf, index=index)
        data, fmt = buf.getvalue(), "parquet"
    else:
        raise ValidationError(f"unsupported dataset format {format!r}: use 'csv' or 'parquet'")
    return Encoded(data, f".{fmt}", "dataset", dataset_meta(df))


def dataset_meta(df: Any) -> dict[str, Any]:
    """Shape, column types and the first rows of a DataFrame, as JSON-safe values (for previews)."""
    head = df.head(_PREVIEW_ROWS)
    return {
        "shape": [int(df.shape[0]), int(df.shape[1])],
        "columns": [str(c) for c in df.columns],
        "dtypes": {str(c): str(t) for c, t in df.dtypes.items()},
        "header": [[json_safe(v) for v in row] for row in head.itertuples(index=False, name=None)],
    }


def json_safe(value: Any) -> Any:
    """A value as something JSON can hold (numpy scalars unwrapped, NaN as None, others as str)."""
    if hasattr(value, "item") and callable(value.item) and getattr(value, "ndim", 1) == 0:
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def dataset_stats(df: Any) -> dict[str, dict[str, Any]]:
    """Per-column statistics of a DataFrame (count, mean, std, min, quartiles, max; unique/top for text)."""
    described = df.describe(include="all")
    return {str(column): {str(stat): json_safe(value) for stat, value in described[column].items()
                          if json_safe(value) is not None}
            for column in described.columns}


def is_dataframe(obj: Any) -> bool:
    """True for a pandas DataFrame (without importing pandas)."""
    return _is_dataframe(obj)


def _is_dataframe(obj: Any) -> bool:
    return type(obj).__module__.startswith("pandas") and type(obj).__name__ == "DataFrame"


def _is_figure(obj: Any) -> bool:
    return type(obj).__module__.startswith("matplotlib") and hasattr(obj, "savefig")


# -- reading ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArtifactRef:
    """What a ``store://`` URI resolves to."""

    key: str
    kind: str
    target: str
    meta: dict[str, Any]
    record: dict[str, Any]


def parse_store_uri(uri: str) -> dict[str, Any]:
    """Split ``store://{artifacts|models|datasets}/{project}/{key}[#iteration][:tag][@uid]`` into its parts
    (the three categories name the same artifacts, as MLRun's URIs do)."""
    match = _STORE_URI.match(uri)
    if not match:
        raise ValidationError(
            f"invalid store URI {uri!r}: expected store://artifacts/<project>/<key>[#iteration][:tag][@uid] "
            "(or store://models/... and store://datasets/...)"
        )
    parts = match.groupdict()
    parts["iteration"] = int(parts["iteration"]) if parts["iteration"] is not None else None
    return parts


def resolve_store_uri(uri: str, store: RunStore | None = None) -> ArtifactRef:
    """The artifact record a ``store://`` URI names (the newest matching version) in ``store`` (default:
    the configured store)."""
    if store is None:
        store = get_store()
    parts = parse_store_uri(uri)
    row = store.get_artifact(
        parts["project"], parts["key"], tag=parts["tag"], uid=parts["uid"], iteration=parts["iteration"]
    )
    if row is None:
        raise ArtifactNotFoundError(
            f"no artifact matches {uri}: check the project and key (project.list_artifacts() lists them)"
        )
    meta = dict(row["meta"] or {})
    return ArtifactRef(key=row["key"], kind=row["kind"], target=row["target"], meta=meta, record=row)
