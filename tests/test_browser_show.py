"""The runs widget in a real JupyterLab, driven in Debian's Chromium: run the show_runs example, see the
tables, open previews, sort a sweep's iterations, and check that user strings render as text."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import nbformat
import pytest

from contrast import CONTRAST
from labserver import CHROMIUM, LabServer, launch_chromium, screenshot

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs /usr/bin/chromium")]

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
EVIL = "<img src=x onerror=alert(1)>"
PAYLOAD = "javascript://%0aalert(1)"


@pytest.fixture
def lab(tmp_path, runlab_home):
    root = tmp_path / "root"
    root.mkdir()
    for name in ("show_runs.ipynb", "trainer.py"):
        shutil.copy(NOTEBOOKS / name, root / name)
    shutil.copytree(NOTEBOOKS / "data", root / "data")
    notebook = nbformat.read(root / "show_runs.ipynb", as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(
        "def echo(context, text=''):\n    context.log_result('echo', text)\n\n"
        "project.set_function(echo, name='echo', kind='local')\n"
        f"evil = project.run_function('echo', params={{'text': {EVIL!r}}})"))
    notebook.cells.append(nbformat.v4.new_code_cell(  # a stored input no run could record any more
        "from runlab.store import get_store\n"
        "spec = get_store().get_run(evil.uid()).spec\n"
        f"get_store().update_run(evil.uid(), 0, {{'spec': {{**spec, 'inputs': {{'payload': {PAYLOAD!r}}}}}}})\n"
        "runlab.get_run(evil.uid()).show()"))
    nbformat.write(notebook, root / "show_runs.ipynb")
    server = LabServer(root, tmp_path / "state", {"RUNLAB_HOME": str(runlab_home),
                                                  "RUNLAB_ARTIFACT_PATH": str(root / "artifacts")})
    yield server
    server.stop()


def run_all_cells(page, lab: LabServer, notebook: str) -> None:
    """Open ``notebook`` in JupyterLab and run all its cells, once its kernel is up."""
    from playwright.sync_api import expect

    page.goto(f"{lab.url}/lab/tree/{notebook}?token={lab.token}")
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=60_000)
    # run only once the kernel is up: JupyterLab may replace the first kernel it starts
    expect(page.locator(".jp-StatusBar-Widget", has_text="Idle").first).to_be_visible(timeout=60_000)
    page.wait_for_timeout(500)
    expect(page.locator(".jp-StatusBar-Widget", has_text="Idle").first).to_be_visible(timeout=60_000)
    page.locator("#jp-MainMenu").get_by_text("Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()


def test_tables_previews_and_escaping_in_jupyterlab(lab):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1500, "height": 1100})
        try:
            run_all_cells(page, lab, "show_runs.ipynb")
            widgets = page.locator(".runlab-widget")
            expect(widgets).to_have_count(6, timeout=120_000)

            first = widgets.nth(0)
            expect(first.locator("tbody tr")).to_have_count(1)
            expect(first.locator(".runlab-badge")).to_have_text("completed")
            first.locator("a.runlab-link", has_text="test_set").click()
            preview = first.locator(".runlab-preview[data-kind=table]")
            expect(preview).to_be_visible(timeout=30_000)
            expect(preview.locator("tbody tr")).to_have_count(20)
            open_link = preview.get_by_role("link", name="Open in JupyterLab")
            assert "/lab/tree/artifacts/" in open_link.get_attribute("href")
            preview.scroll_into_view_if_needed()
            screenshot(page, "show-dataset-preview")

            first.locator("a.runlab-link", has_text="centroids_plot").click()
            expect(first.locator(".runlab-preview img.runlab-image")).to_be_visible(timeout=30_000)
            first.locator("a.runlab-link", has_text="data").click()
            expect(first.locator(".runlab-preview[data-kind=table]")).to_be_visible(timeout=30_000)
            first.get_by_role("button", name="Close preview").click()
            expect(first.locator(".runlab-preview")).to_have_count(0)

            sweep = widgets.nth(1)
            iterations = sweep.locator("table.runlab-iterations")
            expect(iterations.locator("tbody tr")).to_have_count(3)
            expect(iterations.locator("tr.runlab-best")).to_have_count(1)
            # the sweep's chart: JupyterLab's Vega-Lite rendering of the server's spec, not a picture
            expect(sweep.locator(".runlab-sweep-chart .jp-RenderedVegaCommon5 svg.marks")).to_be_visible(
                timeout=30_000)
            assert sweep.locator("img").count() == 0
            iterations.locator("th", has_text="iter").click()
            iterations.locator("th", has_text="iter").click()  # descending
            assert iterations.locator("tbody tr").first.locator("td").nth(1).inner_text().startswith("3")
            sweep.scroll_into_view_if_needed()
            screenshot(page, "show-sweep")

            evil = widgets.nth(4)
            expect(evil.locator(".runlab-chip", has_text=EVIL).first).to_be_visible()
            assert page.locator("img[src='x']").count() == 0, "a param value became markup"

            tampered = widgets.nth(5)
            tampered.locator("a.runlab-link", has_text="payload").click()
            expect(tampered.locator(".runlab-preview[data-kind=error]")).to_be_visible(timeout=30_000)
            assert tampered.locator(".runlab-preview a").count() == 0, "no Open link for a javascript: URL"
            assert page.locator("a[href^='javascript' i]").count() == 0
        except Exception:
            screenshot(page, "show-failure")
            raise
        finally:
            browser.close()


RUNS = 100_000


def _bulk_fill(project: str, total: int) -> None:
    """``total`` finished runs of ``project`` written in one transaction: run ``i`` has uid ``i`` (8 hex
    digits, then zeros), started at second ``i`` and the result ``i=<i>``, so the newest (``i`` = total - 1) lists
    first."""
    from runlab.store import get_store, schema

    store, t0 = get_store(), 1_700_000_000.0
    with store.engine.connect() as conn:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
        for first in range(0, total, 10_000):
            conn.execute(schema.runs.insert(), [{
                "uid": f"{i:08x}{0:024x}", "iteration": 0, "project": project, "name": "bulk", "kind": "local",
                "state": "completed", "labels": {"kind": "local"}, "spec": {"parameters": {"i": i}},
                "results": {"i": i}, "status": {}, "start_time": t0 + i, "last_update": t0 + i + 1,
                "end_time": t0 + i + 1,
            } for i in range(first, min(first + 10_000, total))])
        conn.exec_driver_sql("COMMIT")


@pytest.fixture
def big_lab(tmp_path, runlab_home):
    root = tmp_path / "root"
    root.mkdir()
    _bulk_fill("bulk", RUNS)
    notebook = nbformat.v4.new_notebook(metadata={"kernelspec": {
        "name": "python3", "display_name": "Python 3", "language": "python"}})
    notebook.cells = [
        nbformat.v4.new_code_cell("import runlab\n"
                                  "runs = runlab.get_or_create_project('bulk', context='./').list_runs()"),
        nbformat.v4.new_code_cell("runs.show()"),
    ]
    nbformat.write(notebook, root / "many.ipynb")
    server = LabServer(root, tmp_path / "state", {"RUNLAB_HOME": str(runlab_home)})
    yield server
    server.stop()


DASH = "\N{EN DASH}"  # the pager's f"1{DASH}20 of 100,000 runs"


def _shown(widget) -> list[str]:
    """The ``i`` result of each row the widget shows."""
    return widget.locator("tbody td.runlab-col-results").all_inner_texts()


def test_100k_runs_show_a_page_at_a_time_in_jupyterlab(big_lab):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1500, "height": 1000})
        try:
            run_all_cells(page, big_lab, "many.ipynb")
            widget = page.locator(".runlab-widget")
            expect(widget.locator("tbody tr")).to_have_count(20, timeout=180_000)
            pager = widget.locator(".runlab-pager")
            expect(pager).to_contain_text(f"1{DASH}20 of 100,000 runs")
            assert _shown(widget) == [f"i={i}" for i in range(RUNS - 1, RUNS - 21, -1)], "newest first"
            assert widget.locator("tbody tr").first.get_attribute("data-uid") == f"{RUNS - 1:08x}{0:024x}"
            screenshot(page, "show-100k-light")

            pager.get_by_role("button", name="Next page").click()
            expect(pager).to_contain_text(f"21{DASH}40 of 100,000 runs", timeout=30_000)
            assert _shown(widget) == [f"i={i}" for i in range(RUNS - 21, RUNS - 41, -1)]
            pager.get_by_role("button", name="Last page").click()
            expect(pager).to_contain_text(f"99,981{DASH}100,000 of 100,000 runs", timeout=30_000)
            assert _shown(widget) == [f"i={i}" for i in range(19, -1, -1)]
            assert pager.get_by_role("button", name="Next page").is_disabled()
            pager.get_by_role("button", name="First page").click()
            expect(pager).to_contain_text(f"1{DASH}20 of 100,000 runs", timeout=30_000)
            assert _shown(widget)[0] == f"i={RUNS - 1}"

            page.locator("#jp-MainMenu").get_by_text("Settings", exact=True).click()
            page.locator(".lm-Menu-item", has_text="Theme").first.click()
            page.get_by_role("menuitem", name="JupyterLab Dark", exact=True).click()
            expect(page.locator("body[data-jp-theme-light='false']")).to_have_count(1, timeout=30_000)
            expect(widget.locator("tbody tr")).to_have_count(20)
            badge = widget.locator(".runlab-badge").first
            ratio = badge.evaluate(CONTRAST)  # the theme's text on the badge's tint, readable in the dark
            assert ratio >= 4.5, f"badge contrast {ratio:.2f} in the dark theme"
            screenshot(page, "show-100k-dark")
        except Exception:
            screenshot(page, "show-100k-failure")
            raise
        finally:
            browser.close()
