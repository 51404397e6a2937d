"""The jupyter_server extension: runlab's REST API under ``/runlab/api/`` (see ``openapi.yaml``)."""

from __future__ import annotations

from jupyter_server.extension.application import ExtensionApp
from traitlets import Bool, Int

from ..scheduler import start_in_thread
from ..store import get_store
from .handlers import routes
from .kernels import KnownKernels


class RunlabServerApp(ExtensionApp):
    """Serves the run store to JupyterLab's Jobs panel (and to anything holding the server's token)."""

    name = "runlab"
    load_other_extensions = True

    preview_max_bytes = Int(2 * 1024 * 1024, help="Largest text, HTML or image a preview inlines.").tag(config=True)

    scheduler = Bool(True, help="Fire due schedules while the server runs (any number of schedulers may share "
                     "a store: each due time fires once).").tag(config=True)

    _scheduler_stop = None

    def initialize_settings(self) -> None:
        self.settings.update(runlab_store=get_store, runlab_preview_max_bytes=self.preview_max_bytes,
                             runlab_kernels=KnownKernels(getattr(self.serverapp, "kernel_manager", None),
                                                         getattr(self.serverapp, "event_logger", None)))
        if self.scheduler:
            try:
                _, self._scheduler_stop = start_in_thread()
            except Exception as exc:  # noqa: BLE001 - the API still serves; the panel shows the store error
                self.log.error("runlab: no scheduler in this server: %s", exc)

    async def stop_extension(self) -> None:
        if self._scheduler_stop is not None:
            self._scheduler_stop.set()

    def initialize_handlers(self) -> None:
        self.handlers.extend(routes())  # ExtensionApp puts the server's base URL in front
