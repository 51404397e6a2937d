"""Calling a handler: arguments by name from params and inputs, ``context``, and type-hint conversion.

An input reaches a handler as a :class:`~runlab.DataItem`, or converted by the parameter's type hint:
``pandas.DataFrame`` → ``as_df()``, ``str`` / ``pathlib.Path`` → a local path, ``bytes`` → ``get()``,
``dict`` / ``list`` → parsed JSON or YAML,
``numpy.ndarray`` → the array (``.npy``) or the table's values; a pickled artifact (``.pkl``) is unpickled
for any other hint. ``**kwargs`` receives every param and input not named.
"""

from __future__ import annotations

import copy
import inspect
import json
import pathlib
import pickle
import typing
from collections.abc import Callable
from types import FunctionType
from typing import Any
from weakref import WeakKeyDictionary

from . import process
from .errors import MissingParameterError

_SKIPPED = (inspect.Parameter.VAR_POSITIONAL,)
INIT_ARGS = "_init_args"  # params["_init_args"] builds the class of a "Class::method" handler
_signatures: WeakKeyDictionary[FunctionType, tuple[tuple, tuple]] = WeakKeyDictionary()
_IMMUTABLE = (int, float, str, bool, type(None))  # param values passed as they are (others are deep-copied)


def split_input_key(key: str) -> tuple[str, str]:
    """An input key and its type hint: ``"df: pandas.DataFrame"`` → ``("df", "pandas.DataFrame")``
    (MLRun's way to say what a handler gets for an input); a plain key has no hint (``""``)."""
    name, _, hint = key.partition(":")
    return name.strip(), hint.strip()


def check_binding(handler: Callable, params: dict[str, Any], inputs: dict[str, str], label: str) -> None:
    """Raise ``MissingParameterError`` if a required argument would get no value."""
    check_required(_read_signature(handler)[1], params, inputs, label)


def check_required(required: tuple[str, ...], params: dict[str, Any], inputs: dict[str, str], label: str) -> None:
    """``check_binding`` for a handler known by the names of its required arguments (read from its source
    without importing it): ``MissingParameterError`` if one would get no value."""
    inputs_named = {split_input_key(k)[0] for k in inputs} if inputs else ()
    missing = [name for name in required
               if name not in params and name not in inputs_named and name != "context"]
    if missing:
        names = ", ".join(repr(m) for m in missing)
        given = ", ".join(sorted(set(params) | set(inputs))) or "none"
        raise MissingParameterError(
            f"handler {label} needs {names} but the run gives no such param or input (given: {given}); "
            f"pass params={{{missing[0]!r}: ...}} or inputs={{{missing[0]!r}: url}}, or give it a default"
        )


def bind(handler: Callable, context: Any, params: dict[str, Any], inputs: dict[str, str],
         hints: dict[str, Any] | None = None, convert: bool = True) -> tuple[list, dict]:
    """Positional and keyword arguments for ``handler`` in this run. ``hints`` (input name → type or type
    name) win over the handler's own type hints; ``convert=False`` passes every input as a DataItem."""
    bound, accepts_rest = _read_signature(handler)[2]
    if inputs:  # type hints say what an input is converted to (a param is passed as it is)
        hints = {**_type_hints(handler), **(hints or {})}
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    used: set[str] = set()
    for name, param, positional in bound:
        if name == "context" and name not in params:
            value = context
        elif name in inputs:
            item = context.get_input(name)
            value = convert_input(item, hints.get(name, param.annotation)) if convert else item
            used.add(name)
        elif name in params:
            value = _own_copy(params[name])
            used.add(name)
        else:
            continue  # has a default (check_binding ran before the run was created)
        if positional:
            args.append(value)
        else:
            kwargs[name] = value
    if accepts_rest:
        for name, value in params.items():
            if name not in used and name not in kwargs and name != INIT_ARGS:
                kwargs[name] = _own_copy(value)
        for name in inputs:
            if name not in used and name not in kwargs:
                item = context.get_input(name)
                kwargs[name] = convert_input(item, hints[name]) if convert and name in hints else item
    return args, kwargs


def _own_copy(value: Any) -> Any:
    """A param's value for the handler to keep: a deep copy (it may change it; the recorded params stay as
    they ran), or the value itself when it cannot change."""
    return value if type(value) in _IMMUTABLE else copy.deepcopy(value)


def convert_input(item: Any, annotation: Any) -> Any:
    """Convert a ``DataItem`` to what the type hint asks for (a ``DataItem`` when it asks nothing known)."""
    target = _hint_name(annotation)
    if target not in ("", "DataItem", "str", "Path", "bytes") and item.suffix == ".pkl":
        return pickle.loads(item.get())  # an object logged pickled comes back as itself, whatever the hint
    if target == "DataFrame":
        return item.as_df()
    if target == "str":
        return item.local()
    if target == "Path":
        return pathlib.Path(item.local())
    if target == "bytes":
        return item.get()
    if target == "ndarray":
        if item.suffix == ".npy":
            import numpy as np

            return np.load(item.local(), allow_pickle=False)
        return item.as_df().to_numpy()
    if target == "DataItem":
        return item
    if target in ("dict", "list"):
        text = item.get(encoding="utf-8")
        if item.suffix in (".yaml", ".yml"):
            import yaml

            return yaml.safe_load(text)
        return json.loads(text)
    return item


def _hint_name(annotation: Any) -> str:
    """The bare type name a hint asks for: ``Optional[pd.DataFrame]`` and ``"pandas.DataFrame"`` → ``DataFrame``."""
    if annotation is inspect.Parameter.empty or annotation is None:
        return ""
    if isinstance(annotation, str):
        text = annotation.replace("Optional[", "").replace("]", "").split("|")[0].strip()
        return text.rsplit(".", 1)[-1]
    origin = typing.get_origin(annotation)
    if origin is typing.Union or type(annotation).__name__ == "UnionType":
        options = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _hint_name(options[0]) if options else ""
    if origin is not None:
        return _hint_name(origin)
    return getattr(annotation, "__name__", "")


_Bound = tuple[tuple[tuple[str, inspect.Parameter, bool], ...], bool]
"""How ``bind`` fills a signature: (name, parameter, positional-only) of each argument that takes a value by
name, and whether ``**kwargs`` takes the rest."""


def _read_signature(handler: Callable) -> tuple[inspect.Signature, tuple[str, ...], _Bound]:
    """The handler's signature, its required argument names (no default; not ``*args``/``**kwargs``) and how
    ``bind`` fills it, kept per plain function while its code, defaults and annotations stay the same objects:
    a run reads them twice (checking params, then binding them), and reading a signature costs as much as a
    store write."""
    if type(handler) is FunctionType:
        extra = handler.__dict__
        key = (handler.__code__, handler.__defaults__, handler.__kwdefaults__, handler.__annotations__,
               extra.get("__signature__") if extra else None, extra.get("__wrapped__") if extra else None)
        kept = _signatures.get(handler)
        if kept is not None and kept[0] == key:  # the same objects (a tuple compares identity first)
            return kept[1]
    signature = inspect.signature(handler)
    params = signature.parameters.values()
    required = tuple(p.name for p in params
                     if p.kind not in (*_SKIPPED, inspect.Parameter.VAR_KEYWORD)
                     and p.default is inspect.Parameter.empty)
    bound = (tuple((p.name, p, p.kind is inspect.Parameter.POSITIONAL_ONLY) for p in params
                   if p.kind not in (*_SKIPPED, inspect.Parameter.VAR_KEYWORD)),
             any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params))
    read = (signature, required, bound)
    if type(handler) is FunctionType:
        _signatures[handler] = (key, read)
    return read


def _type_hints(handler: Callable) -> dict[str, Any]:
    try:
        return typing.get_type_hints(handler)
    except Exception:  # noqa: BLE001 - unresolvable string hints fall back to their text
        return {}


process.on_reset("binding", "handler signatures, kept per function while it stays the same", _signatures.clear)
