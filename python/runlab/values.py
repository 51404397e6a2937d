"""Which values a run can store (params, results, meta): JSON types, ints within 64 bits.

numpy scalars and arrays, tuples and sets are converted to their JSON form; anything else is a typed
error naming the value, so a bad param fails before a run is recorded instead of inside the store.
"""

from __future__ import annotations

import json
import math
from typing import Any

from .config import get_config
from .errors import InvalidParameterError

_INT64 = (-(2**63), 2**63 - 1)


def to_storable(what: str, value: Any, non_finite: str = "string") -> Any:
    """``value`` in a form every store can hold, or ``InvalidParameterError`` naming ``what``.

    ``non_finite``: ``"string"`` turns NaN/inf into ``"nan"``/``"inf"`` (results), ``"error"`` refuses them.
    A list or dict that contains itself is refused (JSON cannot hold it).
    """
    return _storable(what, value, non_finite, ())


def _storable(what: str, value: Any, non_finite: str, outer: tuple[int, ...]) -> Any:
    """:func:`to_storable` with the ids of the containers ``value`` sits in, to find one that holds itself."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        if not _INT64[0] <= value <= _INT64[1]:
            raise InvalidParameterError(
                f"{what} = {value} does not fit in 64 bits: pass it as a string or a float"
            )
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        if non_finite == "error":
            raise InvalidParameterError(f"{what} = {value} cannot be stored: use a finite number or None")
        return str(value)
    if isinstance(value, (dict, list, tuple, set, frozenset)):
        if id(value) in outer:
            raise InvalidParameterError(
                f"{what} contains itself (a {type(value).__name__} that refers back to an outer one): "
                "JSON cannot store a cycle; pass a copy without the self-reference")
        outer = (*outer, id(value))
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise InvalidParameterError(f"{what} has a key {key!r} that is not a string: use string keys")
            out[key] = _storable(f"{what}[{key!r}]", item, non_finite, outer)
        return out
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value
        return [_storable(f"{what}[{i}]", item, non_finite, outer) for i, item in enumerate(items)]
    if type(value).__module__ == "numpy" and hasattr(value, "tolist"):
        return _storable(what, value.tolist(), non_finite, outer)
    raise InvalidParameterError(
        f"{what} is a {type(value).__module__}.{type(value).__name__}, which cannot be stored as JSON: "
        "pass str, int, float, bool, None, or a list/dict of those (log objects as artifacts instead)"
    )


def is_plain_scalar(value: Any) -> bool:
    """True for the usual param or result: None, a bool, an int within 64 bits or a finite float (not a
    subclass such as numpy's): stored as it is, within any size limit, nothing to convert or check."""
    kind = type(value)
    return (kind is bool or value is None or (kind is int and _INT64[0] <= value <= _INT64[1])
            or (kind is float and math.isfinite(value)))


def check_storable(what: str, value: Any) -> Any:
    """Like :func:`to_storable` but refuses NaN and infinity, and values over the size limit (params)."""
    if is_plain_scalar(value):
        return value
    return check_size(what, to_storable(what, value, non_finite="error"))


def storable_params(params: dict[Any, Any], what: str = "param") -> dict[str, Any]:
    """``params`` with string names and storable values within the size limit; a typed error otherwise."""
    return {check_key(what, key): value if is_plain_scalar(value) else check_storable(f"{what} {key!r}", value)
            for key, value in params.items()}  # the name in an error is only built for a value checked further


def check_size(what: str, value: Any) -> Any:
    """``value`` (already storable) if its JSON form is within the ``max_value_bytes`` setting, else
    ``InvalidParameterError`` suggesting an artifact: every listing of runs carries these values."""
    limit = get_config().max_value_bytes
    if limit <= 0 or value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, str):
        if len(value) * 4 <= limit:  # cannot be over the limit even if every character takes 4 bytes
            return value
        size = len(value.encode("utf-8", "surrogatepass"))
    else:
        size = len(json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass"))
    if size > limit:
        raise InvalidParameterError(
            f"{what} is {format_bytes(size)}, over the {format_bytes(limit)} limit for one value: log it as an "
            "artifact instead (context.log_artifact(key, body=...) or a file input), or raise the limit "
            "(RUNLAB_MAX_VALUE_BYTES)")
    return value


def format_bytes(size: float) -> str:
    """``size`` bytes for people: '512 B', '1.5 KB', '10.0 MB' (powers of 1000, like the limit)."""
    if size < 1000:
        return f"{size:.0f} B"
    if size < 1_000_000:
        return f"{size / 1000:.1f} KB"
    return f"{size / 1_000_000:.1f} MB"


def counted(count: int, noun: str) -> str:
    """``count`` things for people: '1 run', '3 runs' (``noun`` singular; the plural adds an s)."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def check_key(what: str, key: Any) -> str:
    """``key`` if it is a string (a param, hyper-parameter or label name), else ``InvalidParameterError``."""
    if not isinstance(key, str):
        raise InvalidParameterError(
            f"{what} name {key!r} is not a string but {type(key).__name__}: use string names")
    return key
