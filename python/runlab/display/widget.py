"""``RunsWidget``: the runs table as an interactive widget (anywidget), with a static fallback.

The widget holds the rows as JSON (the browser draws one page at a time), answers preview requests for
the artifacts and inputs it shows, follows runs that are not finished yet (a thread that re-reads them
every second and stops once they all ended), and carries a ``text/html`` and ``text/plain`` copy of the
table in its output so the table reads where widgets do not render.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import anywidget
import traitlets

from ..preview import preview_artifact, preview_url
from .static import iterations_html, table_html, table_text
from .table import columns, iteration_table, run_row, widget_row

_HERE = Path(__file__).parent
POLL_SECONDS = 1.0


class RunsWidget(anywidget.AnyWidget):
    """A table of runs: paging, state badges, result chips, artifact links with previews, live rows."""

    _esm = _HERE / "runs_widget.js"
    _css = _HERE / "runs_widget.css"

    columns = traitlets.List(traitlets.Unicode()).tag(sync=True)
    rows = traitlets.List(traitlets.Dict()).tag(sync=True)
    page_size = traitlets.Int(20).tag(sync=True)
    iterations = traitlets.Dict(allow_none=True, default_value=None).tag(sync=True)
    plot = traitlets.Unicode("").tag(sync=True)
    preview = traitlets.Dict(allow_none=True, default_value=None).tag(sync=True)
    live = traitlets.Bool(False).tag(sync=True)
    home = traitlets.Unicode("").tag(sync=True)

    def __init__(self, runs: list[Any], short: bool = False, page_size: int = 20) -> None:
        self._runs = list(runs)
        self._short = short
        data = [run.to_dict() for run in self._runs]
        self._cells = [run_row(d, short) for d in data]  # the widget and its static copies draw the same cells
        rows = [widget_row(d, c) for d, c in zip(data, self._cells, strict=True)]
        super().__init__(columns=columns(short), rows=rows, page_size=page_size, home=os.path.expanduser("~"))
        if len(self._runs) == 1:
            self._show_sweep(data[0])
        self.on_msg(self._on_message)
        self._stop = threading.Event()
        if any(not row["terminal"] for row in self.rows):
            self.live = True
            threading.Thread(target=self._follow, name="runlab-widget-live", daemon=True).start()

    # -- output ----------------------------------------------------------------------------------

    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict, dict] | None:
        """The widget view, and beside it the same table as static HTML and text."""
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is None:
            return None
        data, metadata = bundle
        extra = _iterations_fallback(self._runs)
        return {**data, "text/html": table_html(self._cells, len(self._cells), self._short) + extra,
                "text/plain": table_text(self._cells, self._short)}, metadata

    # -- previews --------------------------------------------------------------------------------

    def open_preview(self, ref: dict[str, Any]) -> dict[str, Any]:
        """Preview an artifact (``{"uid", "iteration", "key"}``) or input (``{"url"}``) shown in the table."""
        self.preview = {"loading": True, "title": ref.get("key") or ref.get("url", "")}
        result = {**self._preview(ref), "ref": ref}
        self.preview = result
        return result

    def _preview(self, ref: dict[str, Any]) -> dict[str, Any]:
        if "url" in ref:
            if not any(ref["url"] == link.ref.get("url") for cells in self._cells
                       for link in (cells["inputs"].links if "inputs" in cells else [])):
                return {"kind": "error", "title": ref["url"], "text": "not an input of a run in this table"}
            return preview_url(ref["url"])
        for run in self._runs:
            if (run.uid(), run.metadata.iteration) == (ref.get("uid"), ref.get("iteration")):
                for record in run.status.artifacts:
                    if record["key"] == ref.get("key"):
                        return preview_artifact(record)
        return {"kind": "error", "title": str(ref.get("key")), "text": "not an artifact of a run in this table"}

    def _on_message(self, widget: Any, content: Any, buffers: list) -> None:
        if isinstance(content, dict) and content.get("type") == "preview" and isinstance(content.get("ref"), dict):
            self.open_preview(content["ref"])
        elif isinstance(content, dict) and content.get("type") == "close_preview":
            self.preview = None

    # -- sweeps ----------------------------------------------------------------------------------

    def _show_sweep(self, data: dict[str, Any]) -> None:
        self.iterations = iteration_table(data)
        for record in data["status"].get("artifacts") or []:
            if record["key"] == "sweep_plot":
                preview = preview_artifact(record)
                self.plot = preview.get("src", "") if preview["kind"] == "image" else ""

    # -- live rows -------------------------------------------------------------------------------

    def _follow(self) -> None:
        """Re-read the runs that have not ended, every second, until none is left (or the widget closes)."""
        while not self._stop.wait(POLL_SECONDS):
            if self.comm is None:  # closed
                return
            try:
                self.refresh()
            except Exception:  # noqa: BLE001 - a store hiccup must not kill the kernel thread; try again
                continue
            if not self.live:
                return

    def refresh(self) -> None:
        """Re-read the runs that have not ended and update their rows."""
        rows = list(self.rows)
        for i, row in enumerate(self.rows):
            if row["terminal"]:
                continue
            data = self._runs[i].refresh().to_dict()
            self._cells[i] = run_row(data, self._short)
            rows[i] = widget_row(data, self._cells[i])
            if len(self._runs) == 1:
                self._show_sweep(data)
        if rows != self.rows:  # only changes cross to the browser
            self.rows = rows
        self.live = any(not row["terminal"] for row in rows)

    def close(self) -> None:
        self._stop.set()
        super().close()


def _iterations_fallback(runs: list[Any]) -> str:
    return iterations_html(runs[0]) if len(runs) == 1 else ""
