"""``mlrun.model``: MLRun's names for runlab's objects."""

from __future__ import annotations

from ..hyper import STRATEGIES, HyperParamOptions
from ..run import RunObject

__all__: list[str] = ["HyperParamOptions", "HyperParamStrategies", "RunObject"]


class HyperParamStrategies:
    """MLRun's names of the sweep strategies (``HyperParamStrategies.grid``, ``.list``, ``.random``,
    ``.custom``); each is the plain string runlab's ``HyperParamOptions(strategy=...)`` takes."""

    grid = "grid"
    list = "list"
    random = "random"
    custom = "custom"

    @staticmethod
    def all() -> list[str]:
        """Every strategy, in MLRun's order."""
        return [*STRATEGIES]
