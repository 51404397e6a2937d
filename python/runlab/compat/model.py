"""``mlrun.model``: MLRun's names for runlab's objects (run templates, sweep options, run objects)."""

from __future__ import annotations

from typing import Any

from ..hyper import STRATEGIES, HyperParamOptions
from ..run import RunList, RunObject
from ..task import Task, new_task

__all__ = ["HyperParamOptions", "HyperParamStrategies", "RunList", "RunObject", "RunTemplate", "new_task"]


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


class RunTemplate(Task):
    """MLRun's ``RunTemplate``: a runlab :class:`~runlab.Task` built from MLRun's ``spec`` and ``metadata``
    (dicts or objects with ``to_dict``): ``RunTemplate(spec={"parameters": {"p1": 1}})``. ``new_task``,
    ``task.spec.*`` and ``task.metadata.*`` work on it as on any task."""

    def __init__(self, spec: Any = None, metadata: Any = None) -> None:
        super().__init__()
        for value, view in ((metadata, self.metadata), (spec, self.spec)):
            if value is not None:
                view.update(value.to_dict() if hasattr(value, "to_dict") else dict(value))
