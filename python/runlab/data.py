"""``DataItem``: a handle on data at any fsspec URL (local path, ``file://``, ``memory://``, ``s3://``...).

Handlers receive their inputs as DataItems; ``store://`` URIs resolve to the artifact they name.
fsspec, pandas and yaml are imported inside the methods that need them.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from .artifactfiles import resolve_store_uri
from .config import get_config
from .errors import ArtifactNotFoundError, InvalidInputError, ValidationError

if TYPE_CHECKING:
    from .store.runstore import RunStore

_READERS = {".csv": "csv", ".tsv": "tsv", ".parquet": "parquet", ".pq": "parquet", ".json": "json",
            ".jsonl": "jsonl", ".feather": "feather"}


@dataclass(frozen=True)
class FileStat:
    """Size, modification time (epoch seconds, when the filesystem knows it) and guessed content type."""

    size: int
    modified: float | None
    content_type: str | None


def _normalize(url: str) -> str:
    if "://" in url:
        return url
    return str(Path(url).expanduser().absolute())


def _fs(target: str):
    import fsspec

    try:
        return fsspec.core.url_to_fs(target)
    except (ValueError, ImportError) as exc:
        protocol = target.split("://", 1)[0] if "://" in target else "file"
        raise InvalidInputError(f"cannot open {target}: protocol {protocol!r} is not available ({exc})") from exc


class DataItem:
    """Data at a URL: read it (``get``, ``as_df``, ``local``, ``open``), write it (``put``), list, copy.

    ``url`` is where the data really is; for an artifact named by a ``store://`` URI, ``artifact_url`` is
    that URI (and ``meta`` its record's metadata).
    """

    def __init__(self, url: str, key: str | None = None, kind: str = "file", meta: dict[str, Any] | None = None,
                 target: str | None = None, artifact_url: str | None = None) -> None:
        self._target = target or url
        self.url = self._target
        self.artifact_url = artifact_url
        self.key = key or self._target.rstrip("/").rsplit("/", 1)[-1]
        self.kind = kind
        self.meta = meta or {}

    def __repr__(self) -> str:
        return f"DataItem(key={self.key!r}, url={self.url!r})"

    def __str__(self) -> str:
        return self.url

    @property
    def suffix(self) -> str:
        """The file suffix, lowercase, without a compression suffix (``data.csv.gz`` → ``.csv``)."""
        name = self._target.rsplit("/", 1)[-1].lower()
        for compression in (".gz", ".bz2", ".zip", ".xz", ".zst"):
            if name.endswith(compression):
                name = name[: -len(compression)]
        return os.path.splitext(name)[1]

    # -- reading ---------------------------------------------------------------------------------

    def _missing(self, exc: Exception) -> ArtifactNotFoundError:
        return ArtifactNotFoundError(f"no such file or object: {self._target} (check the path or URL)")

    def get(self, encoding: str | None = None, offset: int = 0, size: int | None = None) -> bytes | str:
        """The content as bytes (as text when ``encoding`` is given)."""
        fs, path = _fs(self._target)
        try:
            with fs.open(path, "rb") as src:
                if offset:
                    src.seek(offset)
                data = src.read() if size is None else src.read(size)
        except FileNotFoundError as exc:
            raise self._missing(exc) from exc
        return data.decode(encoding) if encoding else data

    def open(self, mode: str = "rb") -> IO:
        """A file object (use it as a context manager)."""
        fs, path = _fs(self._target)
        if "w" in mode or "a" in mode:
            fs.makedirs(fs._parent(path), exist_ok=True)
        try:
            return fs.open(path, mode)
        except FileNotFoundError as exc:
            raise self._missing(exc) from exc

    def local(self) -> str:
        """A local path to the data: the file itself when local, else a cached download."""
        fs, path = _fs(self._target)
        if "file" in _protocols(fs):
            if not fs.exists(path):
                raise self._missing(FileNotFoundError(path))
            return path
        stat = self.stat()
        folder = Path(get_config().home) / "cache" / hashlib.sha256(self._target.encode()).hexdigest()[:16]
        cached = folder / (path.rstrip("/").rsplit("/", 1)[-1] or "data")
        sidecar = folder / ".source.json"
        seen = {"size": stat.size, "modified": stat.modified}
        if cached.exists() and sidecar.exists() and json.loads(sidecar.read_text()) == seen:
            return str(cached)
        folder.mkdir(parents=True, exist_ok=True)
        fs.get(path, str(cached))
        sidecar.write_text(json.dumps(seen))
        return str(cached)

    def as_df(self, columns: list[str] | None = None, df_module: Any = None, format: str = "", **kwargs: Any):
        """The data as a pandas DataFrame; the format comes from ``format`` or the suffix."""
        import pandas as pd

        fmt = format.lower().lstrip(".") or _READERS.get(self.suffix, "")
        if not fmt and self._target.startswith("memory://"):
            fmt = "csv"  # an in-memory item without a suffix holds CSV text (set_in_memory_item writes so)
        if not fmt:
            raise ValidationError(
                f"cannot tell the format of {self.url}: pass format= one of csv, tsv, parquet, json, jsonl, feather"
            )
        fs, path = _fs(self._target)
        try:
            with fs.open(path, "rb", compression="infer") as src:
                if fmt in ("csv", "tsv"):
                    df = pd.read_csv(src, sep="\t" if fmt == "tsv" else ",", usecols=columns, **kwargs)
                elif fmt in ("parquet", "pq"):
                    df = pd.read_parquet(src, columns=columns, **kwargs)
                elif fmt in ("json", "jsonl"):
                    df = pd.read_json(src, lines=fmt == "jsonl", **kwargs)
                elif fmt == "feather":
                    df = pd.read_feather(src, columns=columns, **kwargs)
                else:
                    raise ValidationError(
                        f"unsupported format {fmt!r}: use csv, tsv, parquet, json, jsonl or feather"
                    )
        except FileNotFoundError as exc:
            raise self._missing(exc) from exc
        return df[columns] if columns and fmt in ("json", "jsonl") else df

    def show(self, format: str | None = None) -> None:
        """Show the content in the notebook: images and HTML rendered, CSV/Parquet as a table, JSON, YAML
        and text as text (``format`` when the suffix does not tell). Outside IPython the text is printed."""
        suffix = f".{format.lower().lstrip('.')}" if format else self.suffix
        try:
            from IPython import display, get_ipython
        except ImportError:  # no IPython: print what can be printed
            display = None
        if display is not None and get_ipython() is None:
            display = None  # not in a notebook or IPython shell: print
        if suffix in (".png", ".jpg", ".jpeg", ".gif") and display is not None:
            display.display(display.Image(self.get(), format=suffix[1:]))
        elif suffix in (".html", ".htm") and display is not None:
            display.display(display.HTML(self.get(encoding="utf-8")))
        elif suffix in (".csv", ".tsv", ".parquet", ".pq", ".feather"):
            frame = self.as_df(format=suffix.lstrip("."))
            display.display(frame) if display is not None else print(frame)
        elif suffix == ".json":
            text = json.dumps(json.loads(self.get(encoding="utf-8")), indent=2)
            display.display(display.Pretty(text)) if display is not None else print(text)
        else:
            data = self.get()
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                raise ValidationError(
                    f"cannot show {self.url}: its content is binary; pass format= (png, jpg, gif, html, csv, "
                    "parquet, json) or read it with get()"
                ) from None
            display.display(display.Pretty(text)) if display is not None else print(text)

    def listdir(self) -> list[str]:
        """Names of the entries under a directory URL."""
        fs, path = _fs(self._target)
        try:
            entries = fs.ls(path, detail=False)
        except FileNotFoundError as exc:
            raise self._missing(exc) from exc
        return sorted(e.rstrip("/").rsplit("/", 1)[-1] for e in entries)

    def stat(self) -> FileStat:
        """Size, modification time and content type."""
        fs, path = _fs(self._target)
        try:
            info = fs.info(path)
        except FileNotFoundError as exc:
            raise self._missing(exc) from exc
        modified = info.get("mtime") or info.get("LastModified") or info.get("created")
        if hasattr(modified, "timestamp"):
            modified = modified.timestamp()
        return FileStat(int(info.get("size") or 0), modified, mimetypes.guess_type(path)[0])

    def exists(self) -> bool:
        fs, path = _fs(self._target)
        return fs.exists(path)

    # -- writing ---------------------------------------------------------------------------------

    def put(self, data: bytes | str, append: bool = False) -> None:
        """Write ``data`` (text is written as UTF-8)."""
        if isinstance(data, str):
            data = data.encode("utf-8")
        with self.open("ab" if append else "wb") as out:
            out.write(data)

    def upload(self, src_path: str) -> None:
        """Copy a local file to this item's URL."""
        source = Path(src_path).expanduser()
        if not source.is_file():
            raise ValidationError(f"cannot upload {src_path}: no such local file (pass the path of a file)")
        fs, path = _fs(self._target)
        fs.makedirs(fs._parent(path), exist_ok=True)
        fs.put_file(str(source), path)

    def download(self, target_path: str) -> None:
        """Copy the data to a local path."""
        Path(target_path).expanduser().parent.mkdir(parents=True, exist_ok=True)
        fs, path = _fs(self._target)
        try:
            fs.get(path, str(Path(target_path).expanduser()))
        except FileNotFoundError as exc:
            raise self._missing(exc) from exc

    def delete(self) -> None:
        """Delete the data."""
        fs, path = _fs(self._target)
        if not fs.exists(path):
            raise self._missing(FileNotFoundError(path))
        fs.rm(path)


def _protocols(fs: Any) -> tuple[str, ...]:
    protocol = fs.protocol
    return (protocol,) if isinstance(protocol, str) else tuple(protocol)


def get_dataitem(url: str, key: str | None = None, store: RunStore | None = None) -> DataItem:
    """A DataItem for ``url`` (existence is checked when it is read, so outputs can be written); a
    ``store://`` URI is looked up in ``store`` (default: the configured store)."""
    if isinstance(url, os.PathLike):
        url = os.fspath(url)
    if not isinstance(url, str):
        raise ValidationError(f"get_dataitem takes a path or URL (a str), not {type(url).__name__} {url!r}")
    if url.startswith("store://"):
        ref = resolve_store_uri(url, store)
        return DataItem(ref.target, key=key or ref.key, kind=ref.kind, meta=ref.meta, artifact_url=url)
    return DataItem(_normalize(url), key=key)


_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*")


def input_schemes() -> list[str]:
    """The URL schemes an input may have: ``store`` (an artifact) and every protocol the installed fsspec
    knows how to read (``file``, ``memory``, ``s3``, ``gs``, ``az``, ``http``, ...); a local path has none."""
    from fsspec.registry import known_implementations, registry

    return sorted({"store", *known_implementations, *registry})


def check_input_scheme(url: str, key: str) -> None:
    """Raise ``InvalidInputError`` naming the input and the allowed schemes when ``url`` (a URL, as its
    ``://`` says) has a scheme no data store reads, e.g. ``javascript://``; a local path passes."""
    if "://" not in url:
        return
    scheme = url.split("://", 1)[0]
    allowed = input_schemes()
    if not _SCHEME.fullmatch(scheme) or scheme not in allowed:
        raise InvalidInputError(
            f"input {key!r}: {url!r} has protocol {scheme!r}, which no data store reads; give a local path "
            f"or a URL of one of these schemes: {', '.join(allowed)}"
        )


def check_input(url: str, key: str, store: RunStore | None = None) -> None:
    """Every check an input's URL gets before it is recorded: a known scheme, and the artifact a
    ``store://`` URI names or the file or object it points to exists. Raises ``InvalidInputError``."""
    if url.startswith("store://"):
        try:
            resolve_store_uri(url, store)
        except Exception as exc:
            raise InvalidInputError(f"input {key!r}: {exc}") from exc
    else:
        check_exists(url, key)


def check_exists(url: str, key: str) -> None:
    """Raise ``InvalidInputError`` naming the input when ``url`` has an unknown scheme or does not exist."""
    check_input_scheme(url, key)
    target = _normalize(url)
    fs, path = _fs(target)
    if not fs.exists(path):
        raise InvalidInputError(f"input {key!r}: no such file or object: {target} (check the path or URL)")
