"""The jupyter_server extension: runlab's REST API under ``/runlab/api/`` (see ``openapi.yaml``)."""

from __future__ import annotations

from jupyter_server.extension.application import ExtensionApp
from traitlets import Int

from .handlers import routes


class RunlabServerApp(ExtensionApp):
    """Serves the run store to JupyterLab's Jobs panel (and to anything holding the server's token)."""

    name = "runlab"
    load_other_extensions = True

    preview_max_bytes = Int(2 * 1024 * 1024, help="Largest text, HTML or image a preview inlines.").tag(config=True)

    def initialize_settings(self) -> None:
        from ..store import get_store

        self.settings.update(runlab_store=get_store, runlab_preview_max_bytes=self.preview_max_bytes)

    def initialize_handlers(self) -> None:
        self.handlers.extend(routes())  # ExtensionApp puts the server's base URL in front
