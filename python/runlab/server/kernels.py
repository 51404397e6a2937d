"""The kernels of this Jupyter server: those it runs now and those it ran since it started (a run launched
from a kernel that was shut down since still counts as "started from this JupyterLab"). Kept in memory:
after a server restart only the kernels of the new server count."""

from __future__ import annotations

import threading
from typing import Any

KERNEL_ACTIONS = "https://events.jupyter.org/jupyter_server/kernel_actions/v1"
"""jupyter_server's event for a kernel start, restart, interrupt or shutdown (with the kernel's id)."""


class KnownKernels:
    """Every kernel id this server ran: its kernel manager's current ids plus those seen before."""

    def __init__(self, kernel_manager: Any, event_logger: Any = None) -> None:
        self._manager = kernel_manager
        self._seen: set[str] = set()
        self._lock = threading.Lock()
        if event_logger is not None:  # a kernel started and shut down between two looks is remembered too
            event_logger.add_listener(schema_id=KERNEL_ACTIONS, listener=self._on_kernel_action)

    async def _on_kernel_action(self, logger: Any, schema_id: str, data: Any) -> None:
        # jupyter_events calls listeners by keyword (logger=, schema_id=, data=); an error here would fail
        # the kernel's start, so nothing is assumed about data
        kernel = data.get("kernel_id") if isinstance(data, dict) else None
        if kernel:
            with self._lock:
                self._seen.add(str(kernel))

    def ids(self) -> frozenset[str]:
        """The ids of the kernels running now and of every kernel seen since the server started."""
        current = {str(k) for k in self._manager.list_kernel_ids()} if self._manager is not None else set()
        with self._lock:
            self._seen |= current
            return frozenset(self._seen)
