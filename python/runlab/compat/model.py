"""``mlrun.model``: MLRun's names for runlab's objects."""

from __future__ import annotations

__all__: list[str] = []

# -- run templates (functions, projects and tasks) ----------------------------------------------------

from typing import Any as _Any

from ..task import Task as _Task
from ..task import new_task


class RunTemplate(_Task):
    """MLRun's ``RunTemplate``: a runlab :class:`~runlab.Task` built from MLRun's ``spec`` and ``metadata``
    (dicts or objects with ``to_dict``): ``RunTemplate(spec={"parameters": {"p1": 1}})``. ``new_task``,
    ``task.spec.*`` and ``task.metadata.*`` work on it as on any task."""

    def __init__(self, spec: _Any = None, metadata: _Any = None) -> None:
        super().__init__()
        for value, view in ((metadata, self.metadata), (spec, self.spec)):
            if value is not None:
                view.update(value.to_dict() if hasattr(value, "to_dict") else dict(value))


__all__ += ["RunTemplate", "new_task"]
