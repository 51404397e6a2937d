"""``mlrun.artifacts``: the artifact classes a handler logs with ``context.log_artifact(item)``, and
``get_model`` / ``update_model``.

An artifact object describes what to log; ``context.log_artifact(obj)`` writes and records it (runlab's
record, a dict with ``uri`` and ``target_path``, is returned, and both are also set on the object).
"""

from __future__ import annotations

import copy
import os
from types import SimpleNamespace
from typing import Any

from ..artifactfiles import encode_body, resolve_store_uri, write_bytes
from ..data import DataItem, get_dataitem
from ..errors import ArtifactNotFoundError, ValidationError
from ..store import get_store
from ..values import to_storable


class Artifact:
    """A file artifact: ``body`` (bytes, str, dict/list, ...) or an existing ``src_path``/``local_path``."""

    kind = "artifact"

    def __init__(self, key: str | None = None, body: Any = None, viewer: str | None = None,
                 is_inline: bool = False, format: str | None = None, size: int | None = None,
                 target_path: str | None = None, project: str | None = None, src_path: str | None = None,
                 local_path: str | None = None, labels: dict[str, str] | None = None, **kwargs: Any) -> None:
        if not key:
            raise ValidationError(f"{type(self).__name__} needs a key: {type(self).__name__}('name', ...)")
        self.key = key
        self.body = body
        self.format = format
        self.src_path = src_path or local_path
        self.target_path = target_path
        self.labels = dict(labels or {})
        self.meta: dict[str, Any] = {}
        self.uri: str | None = None

    def log_spec(self) -> tuple[str, dict[str, Any]]:
        """How ``context.log_artifact`` logs this object: which log method, with which arguments."""
        arguments: dict[str, Any] = {"key": self.key, "format": self.format, "meta": dict(self.meta),
                                     "labels": self.labels or None, "target_path": self.target_path}
        if self.body is not None:
            arguments["body"] = self.body
            if self.src_path:
                arguments["local_path"] = os.path.basename(self.src_path)
        elif self.src_path:
            arguments["local_path"] = self.src_path
        else:
            raise ValidationError(f"artifact {self.key!r} has neither a body nor a src_path: give it one")
        if self.kind in ("plot", "table"):
            arguments["kind"] = self.kind
        return "artifact", {k: v for k, v in arguments.items() if v is not None}

    @property
    def metadata(self) -> SimpleNamespace:
        """MLRun's ``artifact.metadata``: ``key`` and ``labels``."""
        return SimpleNamespace(key=self.key, labels=self.labels)

    def to_dict(self) -> dict[str, Any]:
        """The artifact's description (MLRun's metadata/spec sections, as far as runlab keeps them)."""
        return {"kind": self.kind, "metadata": {"key": self.key, "labels": dict(self.labels)},
                "spec": {"target_path": self.target_path, "format": self.format, **copy.deepcopy(self.meta)},
                "uri": self.uri}

    def __repr__(self) -> str:
        return f"{type(self).__name__}(key={self.key!r}, uri={self.uri!r})"


class DirArtifact(Artifact):
    """A folder, logged as a zip of its files (``src_path`` is the folder)."""

    kind = "dir"

    def log_spec(self) -> tuple[str, dict[str, Any]]:
        if not self.src_path or not os.path.isdir(self.src_path):
            raise ValidationError(f"DirArtifact {self.key!r}: src_path {self.src_path!r} is not a folder")
        return super().log_spec()  # log_artifact zips a folder itself, in memory (no temporary file left behind)


class PlotArtifact(Artifact):
    """A plot: a matplotlib figure (written as PNG) or HTML text."""

    kind = "plot"

    def __init__(self, key: str | None = None, body: Any = None, is_inline: bool = False,
                 target_path: str | None = None, title: str | None = None, **kwargs: Any) -> None:
        super().__init__(key, body, target_path=target_path, **kwargs)
        if title:
            self.meta["title"] = title


class PlotlyArtifact(Artifact):
    """A plotly figure, written as standalone HTML."""

    kind = "plot"

    def __init__(self, figure: Any = None, key: str | None = None, target_path: str | None = None,
                 **kwargs: Any) -> None:
        if figure is None or not hasattr(figure, "to_html"):
            raise ValidationError("PlotlyArtifact takes a plotly figure: PlotlyArtifact(figure=fig, key='name')")
        super().__init__(key, figure.to_html(), target_path=target_path, format="html", **kwargs)


class TableArtifact(Artifact):
    """A table: a DataFrame, or ``body`` text (CSV), or a ``header`` and rows; written as CSV."""

    kind = "table"

    def __init__(self, key: str | None = None, body: Any = None, df: Any = None, viewer: str | None = None,
                 visible: bool = False, inline: bool = False, format: str = "", header: list[str] | None = None,
                 schema: Any = None, **kwargs: Any) -> None:
        if df is not None:
            body = df.to_csv(index=False)
        elif header is not None and isinstance(body, list):
            body = "\n".join(",".join(str(v) for v in row) for row in [header, *body]) + "\n"
        super().__init__(key, body, format=format or "csv", **kwargs)


class DatasetArtifact(Artifact):
    """A dataset: a DataFrame (or anything ``pandas.DataFrame`` takes) with its schema, preview and stats."""

    kind = "dataset"

    def __init__(self, key: str | None = None, df: Any = None, preview: int | None = None, format: str = "",
                 stats: bool | None = None, target_path: str | None = None, extra_data: dict | None = None,
                 column_metadata: dict | None = None, ignore_preview_limits: bool = False,
                 label_column: str | None = None, **kwargs: Any) -> None:
        super().__init__(key, None, format=format, target_path=target_path, **kwargs)
        self.df = df
        self.preview = preview
        self.stats = bool(stats)
        self.extra_data = extra_data
        self.label_column = label_column

    def log_spec(self) -> tuple[str, dict[str, Any]]:
        if self.df is None:
            raise ValidationError(f"DatasetArtifact {self.key!r} has no df: DatasetArtifact('name', df=frame)")
        arguments = {"key": self.key, "df": self.df, "format": self.format or "csv", "preview": self.preview,
                     "stats": self.stats, "extra_data": self.extra_data, "label_column": self.label_column,
                     "labels": self.labels or None, "target_path": self.target_path}
        return "dataset", {k: v for k, v in arguments.items() if v is not None}


class ModelArtifact(Artifact):
    """A model: ``body`` or ``model_file`` (in ``model_dir``), with metrics, parameters and extra data."""

    kind = "model"

    def __init__(self, key: str | None = None, body: Any = None, format: str | None = None,
                 model_file: str | None = None, metrics: dict[str, Any] | None = None,
                 target_path: str | None = None, parameters: dict[str, Any] | None = None,
                 inputs: list | None = None, outputs: list | None = None, framework: str | None = None,
                 algorithm: str | None = None, feature_vector: str | None = None,
                 feature_weights: list | None = None, extra_data: dict[str, Any] | None = None,
                 model_dir: str | None = None, **kwargs: Any) -> None:
        super().__init__(key, body, format=format, target_path=target_path, **kwargs)
        self.model_file = model_file
        self.model_dir = model_dir
        self.metrics = dict(metrics or {})
        self.parameters = dict(parameters or {})
        self.inputs = list(inputs or [])
        self.outputs = list(outputs or [])
        self.framework = framework or ""
        self.algorithm = algorithm or ""
        self.extra_data: dict[str, Any] = dict(extra_data or {})
        self.size: int | None = None

    def log_spec(self) -> tuple[str, dict[str, Any]]:
        arguments = {"key": self.key, "body": self.body, "model_file": self.model_file, "model_dir": self.model_dir,
                     "metrics": self.metrics, "parameters": self.parameters, "framework": self.framework,
                     "algorithm": self.algorithm, "inputs": self.inputs or None, "outputs": self.outputs or None,
                     "extra_data": self.extra_data or None, "labels": self.labels or None}
        return "model", {k: v for k, v in arguments.items() if v is not None}

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> ModelArtifact:
        """The model artifact a store record describes."""
        meta = record.get("meta") or {}
        model = cls(record["key"], model_file=meta.get("model_file"), metrics=meta.get("metrics"),
                    parameters=meta.get("parameters"), framework=meta.get("framework"),
                    algorithm=meta.get("algorithm"), extra_data=meta.get("extra_data"),
                    labels=record.get("labels"), inputs=meta.get("inputs"), outputs=meta.get("outputs"))
        model.target_path = record.get("target") or record.get("target_path")
        model.size = record.get("size")
        model.meta = copy.deepcopy(meta)
        model.record = record
        return model

    @property
    def spec(self) -> ModelArtifact:
        """MLRun reads the model's fields from ``.spec``; here they are on the object itself."""
        return self


def _artifact_url(source: Any) -> str:
    if isinstance(source, DataItem):
        return source.artifact_url or source.url
    if isinstance(source, ModelArtifact):
        if not source.uri:
            raise ValidationError(f"model {source.key!r} is not logged yet: log it with context.log_model first")
        return source.uri
    if not isinstance(source, (str, os.PathLike)):
        raise ValidationError(
            f"pass a model's store:// URI, a DataItem or a model folder/file path, not {type(source).__name__}"
        )
    return os.fspath(source)


def get_model(model_dir: Any, suffix: str = "") -> tuple[str, ModelArtifact | None, dict[str, DataItem]]:
    """The model's local file, its artifact and its extra data (name → DataItem).

    ``model_dir`` is a model's ``store://`` URI (``store://models/<project>/<key>``), a DataItem of one, a
    folder (the file ending with ``suffix``, default ``.pkl``, is the model; the other files are extra
    data) or the model file itself.

    >>> model_file, model_artifact, extra_data = get_model(context.get_input("model").artifact_url)  # doctest: +SKIP
    """
    url = _artifact_url(model_dir)
    suffix = suffix or ".pkl"
    if url.startswith("store://"):
        ref = resolve_store_uri(url)
        if ref.kind != "model":
            raise ValidationError(f"{url} is a {ref.kind} artifact, not a model: pass a model's URI")
        extra = {name: get_dataitem(where, key=name) for name, where in (ref.meta.get("extra_data") or {}).items()}
        model = ModelArtifact.from_record(ref.record)
        model.uri = url
        return DataItem(ref.target).local(), model, extra
    item = DataItem(url if "://" in url else os.path.abspath(os.path.expanduser(url)))
    if url.endswith(suffix):
        return item.local(), None, {}
    try:
        names = item.listdir()
    except (ArtifactNotFoundError, NotADirectoryError) as exc:
        raise ArtifactNotFoundError(f"no model at {url}: pass a model's store:// URI, folder or file") from exc
    found = [n for n in names if n.endswith(suffix)]
    if not found:
        raise ArtifactNotFoundError(f"no file ending with {suffix!r} in {url}: pass suffix= naming the model's")
    base = item.url.rstrip("/")
    extra = {n: DataItem(f"{base}/{n}", key=n) for n in names if n != found[0]}
    return DataItem(f"{base}/{found[0]}").local(), None, extra


def update_model(model_artifact: Any, parameters: dict[str, Any] | None = None,
                 metrics: dict[str, Any] | None = None, extra_data: dict[str, Any] | None = None,
                 inputs: list | None = None, outputs: list | None = None, feature_vector: str | None = None,
                 feature_weights: list | None = None, key_prefix: str = "", labels: dict[str, str] | None = None,
                 write_spec_copy: bool = True, store_object: bool = True) -> ModelArtifact:
    """Add parameters, metrics (keys prefixed with ``key_prefix``), extra data and labels to a logged model
    (by store URI, DataItem or logged ``ModelArtifact``); the record is updated in place."""
    url = _artifact_url(model_artifact)
    if not url.startswith("store://"):
        raise ValidationError(f"update_model takes a logged model (store:// URI, DataItem or ModelArtifact), not {url}")
    store = get_store()
    ref = resolve_store_uri(url, store)
    if ref.kind != "model":
        raise ValidationError(f"{url} is a {ref.kind} artifact, not a model: pass a model's URI")
    meta = copy.deepcopy(ref.meta)
    meta.setdefault("parameters", {}).update(parameters or {})
    meta.setdefault("metrics", {}).update({f"{key_prefix}{k}": v for k, v in (metrics or {}).items()})
    if inputs:
        meta["inputs"] = [getattr(f, "to_dict", lambda f=f: f)() for f in inputs]
    if outputs:
        meta["outputs"] = [getattr(f, "to_dict", lambda f=f: f)() for f in outputs]
    if feature_vector:
        meta["feature_vector"] = feature_vector
    folder = ref.target.rsplit("/", 1)[0]
    extras = meta.setdefault("extra_data", {})
    for name, value in (extra_data or {}).items():
        name = f"{key_prefix}{name}"
        if isinstance(value, (bytes, bytearray)) or type(value).__name__ == "DataFrame":
            encoded = encode_body(bytes(value) if isinstance(value, bytearray) else value)
            target = f"{folder}/{ref.key}.extra/{name}{encoded.suffix}"
            write_bytes(target, encoded.data, ref.key)
            extras[name] = target
        elif isinstance(value, dict) and "uri" in value:
            extras[name] = value["uri"]
        elif isinstance(value, Artifact) and value.uri:
            extras[name] = value.uri
        elif isinstance(value, (str, os.PathLike)):
            extras[name] = os.fspath(value)
        else:
            raise ValidationError(f"extra_data {name!r}: pass bytes, a path or URL, or a logged artifact")
    row = store.update_artifact(ref.record["id"], to_storable("model meta", meta),
                                {**(ref.record.get("labels") or {}), **{k: str(v) for k, v in (labels or {}).items()}})
    model = ModelArtifact.from_record(row)
    model.uri = url
    return model


__all__ = [
    "Artifact",
    "DatasetArtifact",
    "DirArtifact",
    "ModelArtifact",
    "PlotArtifact",
    "PlotlyArtifact",
    "TableArtifact",
    "get_model",
    "update_model",
]
