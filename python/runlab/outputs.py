"""A handler's return values, logged by their log hints (MLRun's packagers): ``returns=["key: type"]``.

A log hint is ``"key"`` (the value's default type), ``"key: type"`` (spaces around ``:`` are fine), or a
dict ``{"key": ..., "artifact_type": ..., "file_format": ...}``; ``None`` skips a value. The types:

- ``result``: a run result (numpy arrays become lists, DataFrames dicts of columns);
- ``dataset``: a dataset artifact (DataFrames, Series, numpy arrays, lists and dicts of columns);
- ``plot``: a matplotlib figure, as a PNG plot;
- ``object``: the value pickled (``.pkl``);
- ``file``: the value written as a file: DataFrames as Parquet (``file_format`` csv/parquet), numpy arrays
  as ``.npy``, dicts and lists as JSON (or YAML), str and bytes as they are;
- ``path`` (or ``directory``): the value is a local path; the file (a folder as a zip) is logged;
- ``artifact``: the value is an artifact object from ``runlab.artifacts``.

Without a type: DataFrames and Series are datasets, figures plots, numpy arrays of 10 or more elements
``.npy`` files (smaller ones results), JSON-storable values results, anything else pickled.
"""

from __future__ import annotations

import inspect
import io
import json
import os
import pickle
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .artifactfiles import is_dataframe
from .errors import ValidationError
from .values import to_storable

HANDLER_OPTIONS = "_runlab_handler_options"
"""The attribute ``@runlab.handler`` sets on the function it wraps (a :class:`HandlerOptions`)."""
ARTIFACT_TYPES = ("result", "dataset", "plot", "object", "file", "path", "directory", "artifact")
_ARRAY_SIZE_AS_RESULT = 10


@dataclass
class HandlerOptions:
    """What ``@runlab.handler(labels=, outputs=, inputs=)`` says about a handler: the labels its runs get,
    the log hints of its return values, and how its inputs are parsed (True: by the type hints of its
    signature; False: not at all, every input is a DataItem; a dict: name → type or type name, on top of
    the signature's)."""

    func: Callable
    labels: dict[str, str] = field(default_factory=dict)
    outputs: list[Any] | None = None
    inputs: bool | dict[str, Any] = True

    @property
    def parse_inputs(self) -> bool:
        return self.inputs is not False

    @property
    def input_hints(self) -> dict[str, Any]:
        return dict(self.inputs) if isinstance(self.inputs, dict) else {}

    def prepare(self, context: Any, returns: list[Any], called: Any = None) -> tuple[Callable, list[Any]]:
        """Label the run; the function to call and the log hints of its return values (the run's own
        ``returns`` win over the decorator's ``outputs``). ``called`` is what the run was given: a bound
        method (a decorated method of a class handler) binds the undecorated function to its object."""
        for key, value in self.labels.items():
            context.set_label(key, value)
        func = self.func
        if inspect.ismethod(called):
            func = types.MethodType(func, called.__self__)
        return func, list(returns or self.outputs or [])


def parse_log_hint(hint: Any) -> dict[str, Any] | None:
    """A log hint as a dict with ``key`` (and ``artifact_type`` when given); None stays None."""
    if hint is None:
        return None
    if isinstance(hint, str):
        if hint.count(":") > 1:
            raise ValidationError(
                f"log hint {hint!r} has more than one ':': write 'key' or 'key: type' (type one of "
                f"{', '.join(ARTIFACT_TYPES)})"
            )
        key, _, kind = (part.strip() for part in hint.partition(":"))
        if ":" in hint and not kind:
            raise ValidationError(f"log hint {hint!r} names no type after ':': e.g. '{key}: result'")
        hint = {"key": key, **({"artifact_type": kind} if kind else {})}
    if not isinstance(hint, dict) or not isinstance(hint.get("key"), str) or not hint["key"]:
        raise ValidationError(
            f"a log hint is 'key', 'key: type' or a dict with a 'key' (e.g. {{'key': 'x', 'artifact_type': "
            f"'file'}}), not {hint!r}"
        )
    kind = hint.get("artifact_type")
    if kind is not None and kind not in ARTIFACT_TYPES:
        raise ValidationError(
            f"log hint {hint['key']!r}: unknown artifact type {kind!r}: use one of {', '.join(ARTIFACT_TYPES)}"
        )
    return dict(hint)


def check_log_hints(hints: list[Any]) -> list[dict[str, Any] | None]:
    """Every log hint parsed (raises ``ValidationError`` for a bad one, before a run is recorded)."""
    if not isinstance(hints, (list, tuple)):
        raise ValidationError(f"returns must be a list of log hints (e.g. ['accuracy', 'df: dataset']), not {hints!r}")
    return [parse_log_hint(h) for h in hints]


def log_returns(context: Any, value: Any, hints: list[Any]) -> None:
    """Log a handler's return value by ``hints`` (one per returned value); no hints: as ``return``."""
    if not hints:
        if value is not None:
            log_output(context, {"key": "return"}, value)
        return
    if value is None:
        return
    values = value if isinstance(value, (tuple, list)) and len(hints) > 1 else (value,)
    if len(values) != len(hints):
        raise ValueError(f"the handler returned {len(values)} values but returns= names {len(hints)}: {hints}")
    for hint, item in zip(check_log_hints(hints), values, strict=True):
        if hint is not None:
            log_output(context, hint, item)


def log_output(context: Any, hint: dict[str, Any], value: Any) -> None:
    """Log one value as its hint says (see the module's docstring for the types)."""
    key = hint["key"]
    kind = hint.get("artifact_type") or _default_type(value)
    extra = {k: hint[k] for k in ("tag", "labels") if k in hint}
    if kind == "result":
        context.log_result(key, to_storable(f"return value {key!r}", _as_result(value)))
    elif kind == "dataset":
        context.log_dataset(key, value, format=hint.get("file_format", "csv"), **extra)
    elif kind == "plot" and _is_plotly(value):
        context.log_artifact(key, body=value.to_html(), format="html", kind="plot", **extra)
    elif kind == "plot":
        if not (type(value).__module__.startswith("matplotlib") and hasattr(value, "savefig")):
            raise ValidationError(f"return value {key!r} is a {type(value).__name__}, not a matplotlib figure: "
                                  "log it as 'object' or 'file'")
        context.log_artifact(key, body=value, **extra)
    elif kind == "object":
        context.log_artifact(key, body=pickle.dumps(value), format="pkl", **extra)
    elif kind == "file":
        data, suffix = _as_file(key, value, hint.get("file_format"))
        context.log_artifact(key, body=data, format=suffix, **extra)
    elif kind in ("path", "directory"):
        _log_path(context, key, value, extra)
    else:  # artifact
        if not callable(getattr(value, "log_spec", None)):
            raise ValidationError(f"return value {key!r} is a {type(value).__name__}, not an artifact object from "
                                  "runlab.artifacts: log it as 'object' or 'file'")
        context.log_artifact(value, key=key, **extra)


def _default_type(value: Any) -> str:
    module, name = type(value).__module__.split(".")[0], type(value).__name__
    if (module, name) in (("pandas", "DataFrame"), ("pandas", "Series")):
        return "dataset"
    if (module == "matplotlib" and hasattr(value, "savefig")) or _is_plotly(value):
        return "plot"
    if isinstance(value, (bytes, bytearray)):
        return "object"
    if (module, name) == ("numpy", "ndarray"):
        return "result" if value.size < _ARRAY_SIZE_AS_RESULT else "file"
    if callable(getattr(value, "log_spec", None)):
        return "artifact"
    try:
        to_storable("return value", value)
    except ValueError:
        return "object"
    return "result"


def _is_plotly(value: Any) -> bool:
    return type(value).__module__.startswith("plotly") and hasattr(value, "to_html")


def _as_result(value: Any) -> Any:
    if is_dataframe(value):
        return value.to_dict(orient="list")
    if type(value).__name__ == "Series" and hasattr(value, "to_list"):
        return value.to_list()
    if type(value).__module__ == "numpy" and hasattr(value, "tolist"):
        return value.tolist()
    return value


def _as_file(key: str, value: Any, file_format: str | None) -> tuple[bytes, str]:
    """The bytes and suffix of a value logged as a file."""
    fmt = (file_format or "").lower().lstrip(".")
    if is_dataframe(value) or type(value).__name__ == "Series":
        frame = value if is_dataframe(value) else value.to_frame()
        if fmt == "csv":
            return frame.to_csv(index=False).encode("utf-8"), "csv"
        buf = io.BytesIO()
        frame.to_parquet(buf)
        return buf.getvalue(), "parquet"
    if type(value).__module__ == "numpy":
        import numpy as np

        buf = io.BytesIO()
        np.save(buf, np.asarray(value))
        return buf.getvalue(), "npy"
    if isinstance(value, (dict, list, tuple)):
        if fmt in ("yaml", "yml"):
            import yaml

            return yaml.safe_dump(to_storable(f"return value {key!r}", value), sort_keys=False).encode(), fmt
        return json.dumps(to_storable(f"return value {key!r}", value), indent=2).encode(), "json"
    if isinstance(value, (bytes, bytearray)):
        return bytes(value), fmt or "bin"
    if isinstance(value, str):
        return value.encode("utf-8"), fmt or "txt"
    raise ValidationError(f"return value {key!r} ({type(value).__name__}) cannot be written as a file: "
                          "log it as 'object' (pickled)")


def _log_path(context: Any, key: str, value: Any, extra: dict[str, Any]) -> None:
    """Log the file at a returned path (``log_artifact`` logs a folder as a zip of its files)."""
    if not isinstance(value, (str, os.PathLike)) or not os.path.exists(value):
        raise ValidationError(f"return value {key!r} is logged as 'path' but {value!r} is no existing file or folder")
    context.log_artifact(key, local_path=os.fspath(value), **extra)
