"""``mlrun.artifacts``: MLRun's names for runlab's objects."""

from __future__ import annotations

__all__: list[str] = []
