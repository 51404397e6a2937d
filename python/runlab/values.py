"""Which values a run can store (params, results, meta): JSON types, ints within 64 bits.

numpy scalars and arrays, tuples and sets are converted to their JSON form; anything else is a typed
error naming the value, so a bad param fails before a run is recorded instead of inside the store.
"""

from __future__ import annotations

import math
from typing import Any

from .errors import InvalidParameterError

_INT64 = (-(2**63), 2**63 - 1)


def to_storable(what: str, value: Any, non_finite: str = "string") -> Any:
    """``value`` in a form every store can hold, or ``InvalidParameterError`` naming ``what``.

    ``non_finite``: ``"string"`` turns NaN/inf into ``"nan"``/``"inf"`` (results), ``"error"`` refuses them.
    """
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
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise InvalidParameterError(f"{what} has a key {key!r} that is not a string: use string keys")
            out[key] = to_storable(f"{what}[{key!r}]", item, non_finite)
        return out
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value
        return [to_storable(f"{what}[{i}]", item, non_finite) for i, item in enumerate(items)]
    if type(value).__module__ == "numpy" and hasattr(value, "tolist"):
        return to_storable(what, value.tolist(), non_finite)
    raise InvalidParameterError(
        f"{what} is a {type(value).__module__}.{type(value).__name__}, which cannot be stored as JSON: "
        "pass str, int, float, bool, None, or a list/dict of those (log objects as artifacts instead)"
    )


def check_storable(what: str, value: Any) -> Any:
    """Like :func:`to_storable` but refuses NaN and infinity (used for params)."""
    return to_storable(what, value, non_finite="error")
