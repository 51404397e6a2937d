"""runlab's Jupyter server extension (REST API for JupyterLab's Jobs panel); enabled on install."""

from __future__ import annotations

from typing import Any


def _jupyter_server_extension_points() -> list[dict[str, Any]]:
    from .app import RunlabServerApp  # jupyter_server, only when a Jupyter server loads the extension

    return [{"module": "runlab.server", "app": RunlabServerApp}]
