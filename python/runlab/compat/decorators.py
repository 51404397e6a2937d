"""``@mlrun.handler``: labels, input parsing and output logging declared on the handler itself.

A decorated function run by runlab (``fn.run(handler=...)``) gets its ``labels`` set on the run, its
inputs parsed by type hint (``inputs=True``, the default; ``False`` leaves them DataItems; a dict names
the type of some) and its return values logged by the ``outputs`` log hints (see :mod:`runlab.outputs`;
a run's own ``returns=`` win). Called directly, it is the plain function — unless a run context is among
its arguments: then it parses, labels and logs in that run as MLRun does, and returns None when
``outputs`` were given (the values went to the run).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from ..binding import convert_input
from ..context import RunContext
from ..data import DataItem
from ..errors import ValidationError
from ..outputs import HANDLER_OPTIONS, HandlerOptions, check_log_hints, log_returns


def handler(
    labels: dict[str, str] | None = None,
    outputs: list[str | dict[str, Any] | None] | None = None,
    inputs: bool | dict[str, Any] = True,
) -> Callable[[Callable], Callable]:
    """Declare a handler's run labels, input parsing and output log hints (MLRun's ``mlrun.handler``).

    >>> @handler(labels={"team": "a"}, outputs=["total: result"])
    ... def add(a: int, b: int):
    ...     return a + b
    >>> add(1, 2)
    3
    """
    if labels is not None and not isinstance(labels, dict):
        raise ValidationError(f"handler(labels=...) takes a dict of label → value, not {type(labels).__name__}")
    if outputs is not None:
        check_log_hints(outputs)
    if not isinstance(inputs, (bool, dict)):
        raise ValidationError(f"handler(inputs=...) takes True, False or a dict of name → type, not {inputs!r}")

    def decorator(func: Callable) -> Callable:
        options = HandlerOptions(func, {k: str(v) for k, v in (labels or {}).items()},
                                 list(outputs) if outputs is not None else None, inputs)
        signature = inspect.signature(func)

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            context = next((a for a in (*args, *kwargs.values()) if isinstance(a, RunContext)), None)
            if context is None:
                return func(*args, **kwargs)
            if options.parse_inputs:
                args, kwargs = _parse_inputs(signature, options, args, kwargs)
            for key, value in options.labels.items():
                context.set_label(key, value)
            value = func(*args, **kwargs)
            if not options.outputs:
                return value
            log_returns(context, value, options.outputs)
            return None

        setattr(wrapper, HANDLER_OPTIONS, options)
        return wrapper

    return decorator


def _parse_inputs(signature: inspect.Signature, options: HandlerOptions, args: tuple, kwargs: dict) -> tuple:
    """The call's DataItem arguments converted by type hint (the decorator's ``inputs`` dict first)."""
    bound = signature.bind_partial(*args, **kwargs)
    for name, value in bound.arguments.items():
        if isinstance(value, DataItem):
            hint = options.input_hints.get(name, signature.parameters[name].annotation)
            bound.arguments[name] = convert_input(value, hint)
    return bound.args, bound.kwargs


__all__ = ["handler"]
