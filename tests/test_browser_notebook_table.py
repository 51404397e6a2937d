"""The notebook runs table in a real JupyterLab, driven in Debian's Chromium: tables made by a notebook are
drawn again from the saved outputs once the kernel is gone, restarted, or the page reloaded (rows, state
badges, links, live rows from the server), in the light and the dark theme; they do not restyle the Jobs
panel; "Open in JupyterLab" stays in the page; a sweep's iteration opens; Abort asks first."""

from __future__ import annotations

import json
import os
import textwrap
import urllib.request

import nbformat
import pytest

from labserver import CHROMIUM, LabServer, launch_chromium, screenshot

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs /usr/bin/chromium")]

LONG = "a-function-with-a-rather-long-name-that-would-wrap-the-row"

HANDLERS = """
import pathlib
import time


def scores(context):
    context.log_result("loss", 0.123456789012345)
    context.log_result("steps", 10)
    context.set_label("team", "vision")
    context.log_artifact("notes", body="line one\\nline two", format="txt")


def sweep(context, p=1):
    print(f"iteration with p={p}")
    context.log_result("score", p * 0.1111111)


def slow(context, gate=""):
    context.log_result("started", 1)
    deadline = time.monotonic() + 120
    while not pathlib.Path(gate).exists() and time.monotonic() < deadline:
        time.sleep(0.05)
"""

CELLS = [
    f"""
    import runlab
    project = runlab.get_or_create_project("nbtable", context="./")
    project.set_function("handlers.py", name="{LONG}", kind="local", handler="scores")
    project.set_function("handlers.py", name="sweep", kind="local", handler="sweep")
    project.set_function("handlers.py", name="slow", kind="job", handler="slow")
    """,
    f"""
    run = project.run_function("{LONG}")
    run.show()
    """,
    """
    parent = project.run_function("sweep", hyperparams={"p": [1, 2, 3]}, selector="max.score")
    """,
    """
    live = project.run_function("slow", params={"gate": "gate"}, watch=False)
    """,
    """
    print("all cells ran")
    """,
]


@pytest.fixture
def lab(tmp_path, runlab_home):
    root = tmp_path / "root"
    root.mkdir()
    (root / "handlers.py").write_text(HANDLERS)
    notebook = nbformat.v4.new_notebook(metadata={"kernelspec": {
        "name": "python3", "display_name": "Python 3", "language": "python"}})
    notebook.cells = [nbformat.v4.new_code_cell(textwrap.dedent(cell).strip()) for cell in CELLS]
    nbformat.write(notebook, root / "tables.ipynb")
    server = LabServer(root, tmp_path / "state", {"RUNLAB_HOME": str(runlab_home),
                                                  "RUNLAB_ARTIFACT_PATH": str(root / "artifacts")})
    yield server
    (root / "gate").touch()  # the live run ends (if the test did not abort it)
    server.stop()


def _api(lab: LabServer, method: str, path: str) -> object:
    request = urllib.request.Request(f"{lab.url}{path}", method=method,
                                     headers={"Authorization": f"token {lab.token}"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        body = answer.read()
    return json.loads(body) if body else None


def _shut_down_kernels(lab: LabServer) -> None:
    for kernel in _api(lab, "GET", "/api/kernels"):
        _api(lab, "DELETE", f"/api/kernels/{kernel['id']}")


def _wait_idle(page) -> None:
    from playwright.sync_api import expect

    # run only once the kernel is up: JupyterLab may replace the first kernel it starts
    expect(page.locator(".jp-StatusBar-Widget", has_text="Idle").first).to_be_visible(timeout=60_000)
    page.wait_for_timeout(500)
    expect(page.locator(".jp-StatusBar-Widget", has_text="Idle").first).to_be_visible(timeout=60_000)


def _set_theme(page, dark: bool) -> None:
    from playwright.sync_api import expect

    page.locator("#jp-MainMenu").get_by_text("Settings", exact=True).click()
    page.locator(".lm-Menu-item", has_text="Theme").first.click()
    name = "JupyterLab Dark" if dark else "JupyterLab Light"
    page.get_by_role("menuitem", name=name, exact=True).click()
    expect(page.locator(f"body[data-jp-theme-light='{'false' if dark else 'true'}']")).to_have_count(1,
                                                                                                   timeout=30_000)


def _tables(page):
    return page.locator(".jp-NotebookPanel .runlab-nbtable")


def _check_saved_tables(page, where: str) -> None:
    """Every table of the notebook shows its rows, badges and links, read again from the server."""
    from playwright.sync_api import expect

    tables = _tables(page)
    expect(tables).to_have_count(3, timeout=60_000)
    # (a sweep's progress bar is a plain widget: only runlab's tables are checked here)
    outputs = page.locator(".jp-OutputArea-output:has(.runlab-nbtable)")
    expect(outputs).to_have_count(3)
    assert outputs.filter(has_text="Error displaying widget").count() == 0, where
    scores, sweep, live = tables.nth(0), tables.nth(1), tables.nth(2)
    for table in (scores, sweep, live):
        expect(table.locator("tbody tr").first).to_be_visible()
        expect(table.locator(".runlab-nbtable-note[data-connection^='saved']")).to_have_count(0)
    expect(scores.locator(".runlab-badge")).to_have_text("completed")
    expect(scores.locator("a.runlab-link", has_text="notes")).to_be_visible()
    expect(sweep.locator("table.runlab-iterations tbody tr")).to_have_count(3)
    # saved while it ran; the server says how it ended
    expect(live.locator("tbody .runlab-badge")).to_have_text("aborted", timeout=30_000)


def test_tables_survive_a_reload_a_shut_down_and_a_restarted_kernel(lab):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        context = browser.new_context(viewport={"width": 1500, "height": 1000})
        page = context.new_page()
        try:
            page.goto(f"{lab.url}/lab/tree/tables.ipynb?token={lab.token}")
            page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=60_000)
            _wait_idle(page)
            page.locator("#jp-MainMenu").get_by_text("Run", exact=True).click()
            page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
            expect(page.get_by_text("all cells ran")).to_be_visible(timeout=180_000)
            tables = _tables(page)
            expect(tables).to_have_count(3, timeout=60_000)
            cells = page.locator(".jp-NotebookPanel .jp-CodeCell")
            expect(cells.nth(1).locator(".runlab-nbtable")).to_have_count(1)  # run_function's, not run.show()'s too

            # a crowded row: rounded numbers (whole on hover), the automatic labels hidden, one-line names
            scores = tables.nth(0)
            loss = scores.locator(".runlab-chip", has_text="loss=")
            expect(loss).to_have_text("loss=0.1235")
            assert loss.get_attribute("title") == "loss=0.123456789012345"
            copied = loss.evaluate("""chip => {
                const range = document.createRange();
                range.selectNodeContents(chip.closest('td'));
                getSelection().removeAllRanges();
                getSelection().addRange(range);
                const event = new ClipboardEvent('copy', {clipboardData: new DataTransfer(), bubbles: true});
                chip.dispatchEvent(event);
                return event.clipboardData.getData('text/plain');
            }""")
            assert "loss=0.123456789012345" in copied and "steps=10" in copied, copied
            labels = scores.locator("td.runlab-col-labels")
            expect(labels.locator(".runlab-chip", has_text="team=vision")).to_be_visible()
            expect(labels.locator(".runlab-chip", has_text="owner=")).to_be_hidden()
            name = scores.locator("td.runlab-col-name")
            assert name.evaluate("e => getComputedStyle(e).whiteSpace") == "nowrap"
            assert name.evaluate("e => e.getBoundingClientRect().height") < 2 * labels.locator(
                ".runlab-chip").first.evaluate("e => e.getBoundingClientRect().height") + 12
            labels.locator(".runlab-nbtable-more").click()
            expect(labels.locator(".runlab-chip", has_text="owner=")).to_be_visible()
            screenshot(page, "nbtable-ran-light")

            # Open in JupyterLab opens the file in this page
            scores.locator("a.runlab-link", has_text="notes").click()
            preview = scores.locator(".runlab-preview[data-kind=text]")
            expect(preview).to_be_visible(timeout=30_000)
            preview.get_by_role("link", name="Open in JupyterLab").click()
            expect(page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab", has_text="notes")).to_be_visible(
                timeout=30_000)
            assert len(context.pages) == 1, "no second browser tab"
            screenshot(page, "nbtable-open-in-jupyterlab")
            page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab", has_text="tables.ipynb").click()

            # a sweep's iteration opens that child
            sweep = tables.nth(1)
            sweep.locator("table.runlab-iterations tr[data-iteration='2']").click()
            child = sweep.locator(".runlab-nbtable-child[data-iteration='2']")
            expect(child.locator(".runlab-chip", has_text="score=0.2222")).to_be_visible(timeout=30_000)
            expect(child.locator(".runlab-badge")).to_have_text("completed")
            expect(child.locator(".runlab-nbtable-log")).to_contain_text("iteration with p=2", timeout=30_000)
            child.scroll_into_view_if_needed()
            screenshot(page, "nbtable-sweep-child")

            # Abort asks first, then shows progress until the run is aborted
            live = tables.nth(2)
            expect(live.locator("tbody .runlab-badge")).to_have_text("running", timeout=30_000)
            live.get_by_role("button", name="Abort").click()
            dialog = page.locator(".jp-Dialog")
            expect(dialog).to_contain_text("Abort the run?")
            dialog.get_by_role("button", name="Cancel").click()
            expect(live.locator("tbody .runlab-badge")).to_have_text("running")
            live.get_by_role("button", name="Abort").click()
            page.locator(".jp-Dialog").get_by_role("button", name="Abort").click()
            expect(live.locator("tbody .runlab-badge")).to_have_text("aborted", timeout=60_000)
            screenshot(page, "nbtable-aborted")

            page.keyboard.press("Escape")
            page.keyboard.press("Control+s")
            expect(page.locator(".jp-NotebookPanel .jp-mod-dirty")).to_have_count(0, timeout=30_000)
            _shut_down_kernels(lab)

            # the page again, the Jobs panel first: its badge keeps its colour once tables render
            page.goto(f"{lab.url}/lab?reset&token={lab.token}")
            page.wait_for_selector(".jp-LabShell", timeout=60_000)
            page.locator("li[data-id='runlab-jobs']").click()
            badge = page.locator("#runlab-jobs [data-job='slow'] .runlab-badge")
            expect(badge).to_have_text("aborted", timeout=60_000)
            before = badge.evaluate("e => getComputedStyle(e).backgroundColor")
            screenshot(page, "nbtable-jobs-panel-before")
            page.locator("li[data-id='filebrowser']").click()
            page.locator(".jp-DirListing-itemText", has_text="tables.ipynb").dblclick()
            _check_saved_tables(page, "kernel shut down, page reloaded")
            page.locator("li[data-id='runlab-jobs']").click()
            assert badge.evaluate("e => getComputedStyle(e).backgroundColor") == before, "the table restyled the panel"
            in_table = _tables(page).nth(2).locator("tbody .runlab-badge")
            assert in_table.evaluate("e => getComputedStyle(e).backgroundColor") == before, "one colour per state"
            score = _tables(page).nth(1).locator("table.runlab-iterations td[title='0.1111111']")
            expect(score).to_have_text("0.1111")
            screenshot(page, "nbtable-reopened-light")

            _set_theme(page, dark=True)
            _check_saved_tables(page, "dark theme")
            badge_in_table = _tables(page).nth(0).locator(".runlab-badge")
            assert badge_in_table.evaluate("e => getComputedStyle(e).backgroundColor") != badge_in_table.evaluate(
                "e => getComputedStyle(e.closest('.jp-OutputArea-output')).backgroundColor")
            screenshot(page, "nbtable-reopened-dark")

            _wait_idle(page)
            page.locator(".jp-NotebookPanel-toolbar [data-command='notebook:restart-kernel']").click()
            page.locator(".jp-Dialog").get_by_role("button", name="Confirm Kernel Restart").click()
            _wait_idle(page)
            page.reload()
            _check_saved_tables(page, "kernel restarted, page reloaded")
            screenshot(page, "nbtable-restarted-dark")
            _set_theme(page, dark=False)
        except Exception:
            screenshot(page, "nbtable-failure")
            raise
        finally:
            browser.close()


def _foreign_notebook(root) -> None:
    """A notebook holding a table saved from a store no server here reads."""
    from runlab.display.bundle import MIME

    saved = {"version": 1, "columns": ["uid", "state", "name"], "total": 1, "page_size": 20, "short": True,
             "store": "0" * 24, "keys": [["f" * 32, 0]],
             "rows": [{"uid": "f" * 32, "iteration": 0, "state": "completed", "terminal": True,
                       "cells": {"uid": {"text": "ffffffff"}, "state": {"text": "completed"},
                                 "name": {"text": "elsewhere"}}}]}
    notebook = nbformat.v4.new_notebook(metadata={"kernelspec": {
        "name": "python3", "display_name": "Python 3", "language": "python"}})
    cell = nbformat.v4.new_code_cell("runs.show()")
    cell.outputs = [nbformat.v4.new_output("display_data", data={MIME: saved, "text/plain": "a table"})]
    notebook.cells = [cell]
    nbformat.write(notebook, root / "other.ipynb")


@pytest.mark.parametrize("server", ["another store", "no runlab server extension"])
def test_a_table_the_server_cannot_read_again_says_its_rows_are_as_saved(tmp_path, runlab_home, server):
    """A notebook whose table came from a store the server does not read, or a server without runlab's
    extension: the saved rows, and one line that says so (no previews, no live rows)."""
    from playwright.sync_api import expect, sync_playwright

    root = tmp_path / "root"
    root.mkdir()
    _foreign_notebook(root)
    config = {"ServerApp": {"jpserver_extensions": {"runlab.server": False}}} if server.startswith("no") else None
    lab = LabServer(root, tmp_path / "state", {"RUNLAB_HOME": str(runlab_home)}, server_config=config)
    note = ("Rows as saved: the Jupyter server reads another runlab store." if config is None else
            "Rows as saved: the runlab server extension does not answer.")
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1200, "height": 800})
        try:
            page.goto(f"{lab.url}/lab/tree/other.ipynb?token={lab.token}")
            table = page.locator(".runlab-nbtable")
            expect(table.locator("tbody tr")).to_have_count(1, timeout=60_000)
            expect(table.locator(".runlab-badge")).to_have_text("completed")
            expect(table.locator(".runlab-nbtable-note")).to_have_text(note, timeout=30_000)
            expect(table.locator(".runlab-badge")).to_have_text("completed")
            screenshot(page, f"nbtable-{server.replace(' ', '-')}")
        except Exception:
            screenshot(page, "nbtable-saved-failure")
            raise
        finally:
            browser.close()
            lab.stop()
