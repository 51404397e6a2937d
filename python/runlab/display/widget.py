"""``RunsWidget``: the runs table as an interactive widget (anywidget), with a static fallback.

The widget sends the browser one page of rows at a time: it holds the runs, the total count and the rows
of the page in view, and builds a page's rows when the browser asks for it (a ``{"type": "page"}``
message), so showing 100,000 runs costs what showing 20 does. It answers preview requests for the
artifacts and inputs it shows, follows runs that are not finished yet (a thread that re-reads the live
runs in view every second, learns with one query which of the others ended, and stops once they all
ended), and carries a ``text/html`` and ``text/plain`` copy of the table's first 200 runs in its output so the
table reads where widgets do not render. JupyterLab's runlab extension draws the table from a third copy,
the table as data (``bundle.MIME``), so a reopened notebook shows it without the kernel that made it.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anywidget
import traitlets

from ..errors import RunNotFoundError
from ..preview import preview_artifact, preview_url
from ..record import is_terminal
from ..store import get_store
from .bundle import KEYS_LIMIT, MIME, runs_bundle
from .static import HTML_ROWS, iterations_html, table_html, table_text
from .table import columns, iteration_table, run_row, widget_row

_HERE = Path(__file__).parent
POLL_SECONDS = 1.0


class RunsWidget(anywidget.AnyWidget):
    """A table of runs: paging, state badges, result chips, artifact links with previews, live rows."""

    _esm = _HERE / "runs_widget.js"
    _css = _HERE / "runs_widget.css"

    columns = traitlets.List(traitlets.Unicode()).tag(sync=True)
    rows = traitlets.List(traitlets.Dict()).tag(sync=True)  # the rows of the page in view
    total = traitlets.Int(0).tag(sync=True)  # how many runs the table holds
    page = traitlets.Int(0).tag(sync=True)  # the page in view (``rows``), from 0
    page_size = traitlets.Int(20).tag(sync=True)
    iterations = traitlets.Dict(allow_none=True, default_value=None).tag(sync=True)
    plot = traitlets.Unicode("").tag(sync=True)
    preview = traitlets.Dict(allow_none=True, default_value=None).tag(sync=True)
    live = traitlets.Bool(False).tag(sync=True)
    home = traitlets.Unicode("").tag(sync=True)

    def __init__(self, runs: list[Any], short: bool = False, page_size: int = 20) -> None:
        self._runs = list(runs)
        self._short = short
        self._size = max(1, page_size)
        self._lock = threading.RLock()  # the live thread and the browser's page requests both build rows
        self._stores = {getattr(run, "_store_url", None) for run in self._runs}  # a RunObject's (None: default)
        self._query = _listing_query(self._runs)  # read before live runs are re-read (that drops the listing)
        self._live = self._live_runs()  # index -> (uid, iteration) of the runs not finished when shown
        super().__init__(columns=columns(short), rows=self._page_rows(0, reread=False), total=len(self._runs),
                         page_size=self._size, live=bool(self._live), home=os.path.expanduser("~"))
        if len(self._runs) == 1:
            self._show_sweep(self._runs[0].to_dict())
        self.on_msg(self._on_message)
        self._stop = threading.Event()
        if self.live:
            threading.Thread(target=self._follow, name="runlab-widget-live", daemon=True).start()

    # -- pages -----------------------------------------------------------------------------------

    @property
    def pages(self) -> int:
        """How many pages the table has (at least 1)."""
        return max(1, -(-len(self._runs) // self._size))

    @traitlets.observe("page_size")
    def _resize(self, change: dict[str, Any]) -> None:
        self._size = max(1, change["new"])
        if self.comm is not None:  # set after the widget was shown: page again from the first page
            self.go_to(0)

    def go_to(self, page: int) -> None:
        """Show page ``page`` (from 0; clamped to the pages there are): build its rows and send them."""
        with self._lock:
            page = min(max(0, int(page)), self.pages - 1)
            rows = self._page_rows(page)
            with self.hold_sync():  # the page number and its rows reach the browser together
                self.page = page
                self.rows = rows

    def _page_indices(self, page: int) -> range:
        start = page * self._size
        return range(start, min(start + self._size, len(self._runs)))

    def _page_rows(self, page: int, reread: bool = True) -> list[dict[str, Any]]:
        """The widget rows of one page, built now. A live run is re-read first (unless ``reread`` is off);
        a run whose record says it goes on but the store no longer lists as live ended while out of view,
        and is re-read once."""
        rows = []
        for i in self._page_indices(page):
            run = self._runs[i]
            if reread and i in self._live:
                _reread(run)
            data = run.to_dict()
            if not is_terminal(data["status"]["state"]) and i not in self._live and _reread(run):
                data = run.to_dict()
            rows.append(widget_row(data, run_row(data, self._short)))
        return rows

    # -- output ----------------------------------------------------------------------------------

    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict, dict] | None:
        """The widget view, and beside it the table's first ``HTML_ROWS`` runs as static HTML and text (with
        a line saying how many more runs there are), as ``RunList``'s own HTML: a saved notebook reads the
        same whatever the number of runs."""
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is None:
            return None
        data, metadata = bundle
        cells = [run_row(run.to_dict(), self._short) for run in self._runs[:HTML_ROWS]]
        extra = _iterations_fallback(self._runs)
        return {**data, MIME: self.saved_table(),
                "text/html": table_html(cells, len(self._runs), self._short) + extra,
                "text/plain": table_text(cells, self._short, total=len(self._runs))}, metadata

    def saved_table(self) -> dict[str, Any]:
        """The table as data for JupyterLab's runlab renderer (``bundle.MIME``): the page in view, and the
        listing's filters or the runs' keys to page and refresh it without this kernel."""
        stores = {get_store(url).url for url in self._stores}
        keys = None
        if self._query is None:
            keys = [(run.uid(), run.metadata["iteration"]) for run in self._runs[:KEYS_LIMIT]]
        return runs_bundle(columns=list(self.columns), rows=list(self.rows), total=self.total,
                           page_size=self._size, short=self._short,
                           store_url=stores.pop() if len(stores) == 1 else "", keys=keys, query=self._query,
                           iterations=self.iterations, plot=self.plot)

    # -- previews --------------------------------------------------------------------------------

    def open_preview(self, ref: dict[str, Any]) -> dict[str, Any]:
        """Preview an artifact (``{"uid", "iteration", "key"}``) or input (``{"url"}``) shown in the table."""
        self.preview = {"loading": True, "title": ref.get("key") or ref.get("url", "")}
        result = {**self._preview(ref), "ref": ref}
        self.preview = result
        return result

    def _preview(self, ref: dict[str, Any]) -> dict[str, Any]:
        if "url" in ref:
            if not any(ref["url"] == str(url) for run in self._in_view_first() for url in
                       (run.spec.get("inputs") or {}).values()):
                return {"kind": "error", "title": ref["url"], "text": "not an input of a run in this table"}
            return preview_url(ref["url"])
        for run in self._in_view_first():
            if run.uid() == ref.get("uid") and run.metadata["iteration"] == ref.get("iteration"):
                for record in run.status.get("artifacts") or []:
                    if record["key"] == ref.get("key"):
                        return preview_artifact(record)
        return {"kind": "error", "title": str(ref.get("key")), "text": "not an artifact of a run in this table"}

    def _in_view_first(self) -> Iterator[Any]:
        """The runs of the table, those of the page in view (where the links a user clicks are) first."""
        in_view = self._page_indices(self.page)
        yield from (self._runs[i] for i in in_view)
        yield from (run for i, run in enumerate(self._runs) if i not in in_view)

    def _on_message(self, widget: Any, content: Any, buffers: list) -> None:
        if not isinstance(content, dict):
            return
        if content.get("type") == "preview" and isinstance(content.get("ref"), dict):
            self.open_preview(content["ref"])
        elif content.get("type") == "close_preview":
            self.preview = None
        elif content.get("type") == "page" and isinstance(content.get("page"), int):
            self.go_to(content["page"])

    # -- sweeps ----------------------------------------------------------------------------------

    def _show_sweep(self, data: dict[str, Any]) -> None:
        self.iterations = iteration_table(data)
        for record in data["status"].get("artifacts") or []:
            if record["key"] == "sweep_plot":
                preview = preview_artifact(record)
                self.plot = preview.get("src", "") if preview["kind"] == "image" else ""

    # -- live rows -------------------------------------------------------------------------------

    def _live_runs(self) -> dict[int, tuple[str, int]]:
        """The runs of the table the store lists as not finished, by one indexed query per store (none
        live, the common case, costs no pass over the runs)."""
        live = self._live_keys()
        if not live:
            return {}
        uids = {uid for uid, _ in live}
        found = {}
        for i, run in enumerate(self._runs):
            if run.uid() in uids:
                key = (run.uid(), run.metadata["iteration"])
                if key in live:
                    found[i] = key
        return found

    def _live_keys(self) -> set[tuple[str, int]]:
        return {(record.uid, record.iteration) for url in self._stores for record in get_store(url).live_runs()}

    def _follow(self) -> None:
        """Re-read the live runs, every second, until none is left (or the widget closes)."""
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
        """Re-read the live runs in view and update their rows; learn with one query which of the live
        runs out of view ended (their rows are re-read when they come into view)."""
        with self._lock:
            if not self._live:
                self.live = False
                return
            in_view = [i for i in self._page_indices(self.page) if i in self._live]
            # with none in view, one live run is still re-read: that marks runs whose process died
            for i in in_view or [min(self._live)]:
                _reread(self._runs[i])
            still = self._live_keys()
            self._live = {i: key for i, key in self._live.items() if key in still}
            if in_view:
                rows = self._page_rows(self.page, reread=False)
                if rows != self.rows:  # only changes cross to the browser
                    self.rows = rows
            if len(self._runs) == 1:
                self._show_sweep(self._runs[0].to_dict())
            self.live = bool(self._live)

    def close(self) -> None:
        self._stop.set()
        super().close()


def _reread(run: Any) -> bool:
    """Re-read a run from the store; False if it is gone (its last known record stays in the table)."""
    try:
        run.refresh()
    except RunNotFoundError:
        return False
    return True


def _listing_query(runs: list[Any]) -> dict[str, Any] | None:
    """The filters of the ``list_runs`` call that read these runs, in its order (all of them: the list is as
    long as the listing and starts and ends with its first and last run), else None."""
    first = getattr(runs[0], "_listed", None) if runs else None
    if first is None or first[0].query is None or len(first[0].rows) != len(runs):
        return None
    listing = first[0]
    # the first and the last run in their listed places (a whole list_runs result, not a reordered copy of
    # it); checking every run would cost 30 ms for 100,000 runs
    for index in (0, len(runs) - 1):
        listed = getattr(runs[index], "_listed", None)
        if listed is None or listed[0] is not listing or listed[1] != index:
            return None
    return dict(listing.query)


def _iterations_fallback(runs: list[Any]) -> str:
    return iterations_html(runs[0]) if len(runs) == 1 else ""
