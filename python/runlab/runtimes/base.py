"""What the launcher hands a runtime: the stored run row and the function/handler to call."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..functions import Function, HandlerRef


@dataclass
class PreparedRun:
    """A validated run, already recorded in the store."""

    row: dict[str, Any]
    function: Function
    handler: HandlerRef
    store_url: str

    @property
    def uid(self) -> str:
        return self.row["uid"]
