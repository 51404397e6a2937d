"""``mlrun.execution``: the run context a handler receives."""

from __future__ import annotations

from ..context import RunContext

MLClientCtx = RunContext
"""MLRun's name for the context passed to a handler: type hints such as ``context: MLClientCtx`` work."""

__all__ = ["MLClientCtx"]
