"""The run view in a real JupyterLab, driven in Debian's Chromium at the default 250 px sidebar, in the light
and the dark theme and after a page reload: Abort and Delete ask first (Cancel focused), Rerun shows its
progress and opens the new run, a notebook run opens its executed copy read-only without a kernel, the
notebook artifact previews as cells, the Overview summarises the run, HTML previews size to their content,
state badges keep 4.5:1 contrast, arrow keys move between tabs and the focus lands in an opened run."""

from __future__ import annotations

import json
import os
import re
import textwrap
import urllib.request
from datetime import datetime
from zoneinfo import ZoneInfo

import nbformat
import pytest

import runlab
from contrast import CONTRAST
from labserver import (
    CHROMIUM,
    LabServer,
    launch_chromium,
    open_run_from_sidebar,
    screenshot,
    wait_for_saved_layout,
)
from waiting import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs /usr/bin/chromium")]

ZONE = "Asia/Tokyo"  # the browser's time zone, not the machine's: times must show in the browser's local time
STATES = ["created", "pending", "running", "completed", "error", "aborting", "aborted"]

HANDLERS = """
    import time


    def train(context, data, lr=0.1):
        df = data.as_df()
        context.log_result("accuracy", 0.8)
        context.log_result("loss", 0.25)
        context.log_dataset("scores", df.assign(score=df["a"] * lr))
        rows = "".join(f"<tr><td>{i}</td></tr>" for i in range(3))
        context.log_artifact("small", body=f"<table>{rows}</table>", format="html")
        rows = "".join(f"<tr><td style='height: 30px'>{i}</td></tr>" for i in range(60))
        context.log_artifact("tall", body=f"<table>{rows}</table>", format="html")


    def slow(context, ticks=3000):
        for i in range(ticks):
            print(f"tick {i}", flush=True)
            time.sleep(0.1)


    def fail(context):
        raise ValueError("this run fails on purpose")
"""

NOTEBOOK = [
    "# Report\nWhat the run **computed**.",
    "print(f'hello from the notebook, n={n}')",
    "import pandas as pd\npd.DataFrame({'square': [i * i for i in range(n)]})",
]

@pytest.fixture
def lab(tmp_path, runlab_home, monkeypatch):
    """A project with a finished training run (params, results, a dataset and two HTML artifacts), a running
    job, a failed run and a finished notebook run, all started here, then JupyterLab on top of the store."""
    root = tmp_path / "root"
    root.mkdir()
    (root / "handlers.py").write_text(textwrap.dedent(HANDLERS))
    (root / "data.csv").write_text("a\n" + "\n".join(str(i) for i in range(30)) + "\n")
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.cells = [nbformat.v4.new_code_cell("n = 2", metadata={"tags": ["parameters"]}),
                      nbformat.v4.new_markdown_cell(NOTEBOOK[0])]
    notebook.cells += [nbformat.v4.new_code_cell(source) for source in NOTEBOOK[1:]]
    nbformat.write(notebook, root / "report.ipynb")
    monkeypatch.setenv("RUNLAB_ARTIFACT_PATH", str(root / "artifacts"))

    project = runlab.get_or_create_project("views", context=str(root))
    project.set_function("handlers.py", name="fn", kind="job", handler="train")
    project.set_function("handlers.py", name="ticker", kind="job", handler="slow")
    project.set_function("handlers.py", name="broken", kind="job", handler="fail")
    project.set_function("report.ipynb", name="report")
    runs = {
        "train": project.run_function("fn", params={"lr": 0.5}, inputs={"data": "data.csv"},
                                      labels={"team": "vision"}),
        "notebook": project.run_function("report", params={"n": 4}),
        "slow": project.run_function("ticker", watch=False),
    }
    with pytest.raises(runlab.RunError) as failed:
        project.run_function("broken")
    runs["error"] = failed.value.run
    assert runs["train"].state() == runs["notebook"].state() == "completed"
    server = LabServer(root, tmp_path / "state", {"RUNLAB_HOME": str(runlab_home),
                                                  "RUNLAB_ARTIFACT_PATH": str(root / "artifacts")})
    server.runs = runs
    yield server
    server.stop()
    slow = runlab.get_run(runs["slow"].uid())
    if slow.state() not in ("aborted", "completed", "error"):
        slow.abort()


def _api(lab: LabServer, path: str):
    with urllib.request.urlopen(f"{lab.url}/{path}?token={lab.token}", timeout=30) as answer:
        return json.loads(answer.read())


def _state(lab: LabServer, uid: str) -> str:
    return _api(lab, f"runlab/api/runs/{uid}")["status"]["state"]


def _focused(page) -> str:
    return page.evaluate("() => { const e = document.activeElement;"
                         " return e ? (e.getAttribute('role') || e.tagName) + ':' + e.textContent : '' }")


def _check_contrast(page, view, theme: str) -> None:
    """Every state's badge, drawn in the run view, has text at 4.5:1 or more against its background."""
    low = {}
    for state in STATES:
        ratio = view.evaluate(f"""(panel) => {{
            const badge = document.createElement('span');
            badge.className = 'runlab-badge runlab-state-{state}';
            badge.textContent = '{state}';
            panel.querySelector('.runlab-run-header').appendChild(badge);
            try {{ return ({CONTRAST})(badge); }} finally {{ badge.remove(); }}
        }}""")
        print(f"{theme}: {state} badge contrast {ratio:.2f}")
        if ratio < 4.5:
            low[state] = round(ratio, 2)
    shown = view.locator(".runlab-run-header .runlab-badge").evaluate(CONTRAST)
    assert shown >= 4.5, f"{theme}: the run's own badge has contrast {shown:.2f}"
    assert not low, f"{theme}: badges below 4.5:1: {low}"


def _check_tab_keys(page, view) -> None:
    from playwright.sync_api import expect

    tabs = view.get_by_role("tab")
    view.get_by_role("tab", name="Overview").click()
    expect(view.locator("[role=tab][tabindex='0']")).to_have_count(1)  # roving: one tab in the Tab order
    view.get_by_role("tab", name="Overview").press("ArrowRight")
    expect(view.get_by_role("tab", name="Inputs")).to_have_attribute("aria-selected", "true")
    assert _focused(page).startswith("tab:Inputs")
    page.keyboard.press("ArrowLeft")
    expect(view.get_by_role("tab", name="Overview")).to_have_attribute("aria-selected", "true")
    page.keyboard.press("ArrowLeft")  # wraps to the last tab
    expect(tabs.last).to_have_attribute("aria-selected", "true")
    assert _focused(page).startswith("tab:Logs")
    expect(view.locator("[role=tabpanel]")).to_have_attribute("aria-labelledby", tabs.last.get_attribute("id"))
    page.keyboard.press("Home")
    expect(view.get_by_role("tab", name="Overview")).to_have_attribute("aria-selected", "true")


def _dark_theme(page) -> None:
    from playwright.sync_api import expect

    page.locator("#jp-MainMenu").get_by_text("Settings", exact=True).click()
    page.locator(".lm-Menu-item", has_text="Theme").first.click()
    page.get_by_role("menuitem", name="JupyterLab Dark", exact=True).click()
    expect(page.locator("body[data-jp-theme-light='false']")).to_have_count(1, timeout=30_000)


def test_run_view_actions_notebook_overview_and_accessibility(lab):
    from playwright.sync_api import expect, sync_playwright

    runs = lab.runs
    train = runs["train"].to_dict()
    notebook_job = runs["notebook"].to_dict()["metadata"]["name"]
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        context = browser.new_context(viewport={"width": 1500, "height": 1000}, timezone_id=ZONE,
                                      service_workers="block")  # so page.route sees every request
        page = context.new_page()
        errors = []
        page.on("console", lambda message: message.type == "error" and errors.append(message.text))
        try:
            page.goto(f"{lab.url}/lab?token={lab.token}")
            page.wait_for_selector(".jp-LabShell", timeout=60_000)
            page.locator("li[data-id='runlab-jobs']").click()
            sidebar = page.locator("#runlab-jobs")
            expect(sidebar.locator("[data-job='fn-train']")).to_be_visible(timeout=30_000)
            width = sidebar.bounding_box()["width"]
            assert 240 <= width <= 260, f"the sidebar is {width} px wide, not JupyterLab's default 250"

            # Overview: the focus lands on the run's heading; params, results, host, pid, output path, labels
            view = open_run_from_sidebar(page, "fn-train", runs["train"].uid())
            expect(view.locator(".runlab-run-header h2")).to_be_focused(timeout=10_000)
            overview = view.locator(".runlab-overview")
            expect(overview.locator("[data-chips=parameters] .runlab-chip")).to_have_text(["lr=0.5"])
            expect(overview.locator("[data-chips=results] .runlab-chip")).to_have_text(["accuracy=0.8", "loss=0.25"])
            expect(overview.locator("[data-chips=labels] .runlab-chip", has_text="team=vision")).to_have_count(1)
            assert overview.locator("tr[data-row=host] td").inner_text().strip() == train["status"]["host"]
            assert overview.locator("tr[data-row=pid] td").inner_text().strip() == str(train["status"]["pid"])
            assert overview.locator("tr[data-row='output path'] td").inner_text().strip() == \
                train["spec"]["output_path"]
            counts = {words[0]: words[1:] for words in map(str.split, view.get_by_role("tab").all_inner_texts())}
            assert counts == {"Overview": [], "Inputs": ["1"], "Parameters": ["1"], "Results": ["2"],
                              "Artifacts": ["3"], "Code": [], "Logs": []}, counts
            # local time of the browser's zone, spelled out in the tooltip
            started = overview.locator("tr[data-row=started] time")
            local = datetime.fromisoformat(train["status"]["start_time"]).astimezone(ZoneInfo(ZONE))
            expect(started).to_contain_text(local.strftime("%Y-%m-%d %H:%M:%S"))
            assert str(local.year) in started.get_attribute("title")
            assert "GMT+9" in started.get_attribute("title") or "JST" in started.get_attribute("title")
            screenshot(page, "runview-overview-light")

            # HTML previews size to their content: no tall frame for a small table, no cut-off for a tall one
            view.get_by_role("tab", name="Artifacts").click()
            view.locator("[data-artifact='small']").click()
            frame = view.locator(".runlab-preview[data-kind=html] iframe")
            expect(frame).to_have_attribute("data-sized", "true", timeout=15_000)
            small = frame.bounding_box()["height"]
            assert 40 <= small <= 120, f"a 3-row table's frame is {small} px high"
            view.locator("[data-artifact='tall']").click()
            wait_until(lambda: frame.bounding_box()["height"] > 1500, what="the tall frame grows to its table")
            screenshot(page, "runview-html-preview")

            _check_tab_keys(page, view)
            _check_contrast(page, view, "light")

            # Rerun: disabled with its progress while the new run starts, then the new run opens
            held = []
            rerun_url = re.compile(r"/runlab/api/runs/\w+/rerun(\?.*)?$")  # JupyterLab adds a cache-busting query
            page.route(rerun_url, lambda route: held.append(route))
            rerun = view.get_by_role("button", name="Rerun", exact=True)  # not "Rerun with changes…"
            rerun.click()
            busy = view.locator("button.runlab-rerun")
            expect(busy).to_be_disabled()
            expect(busy).to_have_text("Starting the new run…")
            expect(busy).to_have_attribute("aria-busy", "true")
            assert len(held) == 1, "the rerun request is held while the button shows its progress"
            screenshot(page, "runview-rerun-starting")
            held[0].continue_()
            newest = page.locator(".runlab-run-panel:visible .runlab-run[data-uid]")  # loaded
            expect(newest).not_to_have_attribute("data-uid", runs["train"].uid(), timeout=30_000)
            new_uid = newest.get_attribute("data-uid")
            expect(page.locator(".runlab-run-panel:visible .runlab-run-header h2")).to_be_focused(timeout=10_000)
            assert _api(lab, f"runlab/api/runs/{new_uid}")["metadata"]["labels"]["rerun-of"] == runs["train"].uid()
            page.unroute(rerun_url)

            # Abort asks first, Cancel focused; Cancel leaves the run running, OK aborts it
            view = open_run_from_sidebar(page, "ticker-slow", runs["slow"].uid())
            view.get_by_role("button", name="Abort").click()
            dialog = page.locator(".jp-Dialog")
            expect(dialog).to_contain_text("Abort this run?")
            expect(dialog.locator(".jp-Dialog-button.jp-mod-reject")).to_be_focused()
            screenshot(page, "runview-abort-dialog")
            page.keyboard.press("Enter")  # Enter answers the focused Cancel
            expect(dialog).to_have_count(0)
            assert _state(lab, runs["slow"].uid()) == "running"
            expect(view.locator(".runlab-run-header .runlab-badge")).to_have_text("running")
            view.get_by_role("button", name="Abort").click()
            dialog.get_by_role("button", name="Abort").click()
            expect(view.locator(".runlab-run-header .runlab-badge")).to_have_text("aborted", timeout=30_000)
            assert _state(lab, runs["slow"].uid()) == "aborted"

            # Delete's dialog focuses Cancel
            view = open_run_from_sidebar(page, "broken-fail", runs["error"].uid())
            view.get_by_role("button", name="Delete").click()
            expect(dialog).to_contain_text("Delete this run?")
            expect(dialog.locator(".jp-Dialog-button.jp-mod-reject")).to_be_focused()
            dialog.get_by_role("button", name="Cancel").click()
            expect(dialog).to_have_count(0)
            assert _state(lab, runs["error"].uid()) == "error"

            # A notebook run: its executed copy opens read-only with its outputs, and no kernel starts
            kernels = _api(lab, "api/kernels")
            view = open_run_from_sidebar(page, notebook_job, runs["notebook"].uid())
            view.get_by_role("button", name="Open the executed notebook").click()
            viewer = page.locator(".runlab-notebook-viewer:visible")
            expect(viewer.locator(".runlab-nb-cell")).to_have_count(5, timeout=15_000)  # with papermill's cell
            highlighted = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.jp-mod-current")
            expect(highlighted).to_contain_text("executed")  # the highlighted tab is the one shown
            expect(viewer.locator(".runlab-nb-stream")).to_have_text("hello from the notebook, n=4")
            expect(viewer.locator(".runlab-nb-rendered[data-mime='text/html'] table tbody tr")).to_have_count(4)
            html = viewer.locator(".runlab-nb-rendered[data-mime='text/html']")
            expect(html).not_to_contain_text(",,")  # lines joined, not a list turned into text
            expect(viewer.locator("[data-cell-type=markdown] strong")).to_have_text("computed")
            assert viewer.locator("[contenteditable=true], textarea").count() == 0, "read-only"
            screenshot(page, "runview-executed-notebook")
            assert _api(lab, "api/kernels") == kernels, "opening the executed notebook started a kernel"
            assert _api(lab, "api/sessions") == []
            # back to its run view (the viewer stays open)
            view = open_run_from_sidebar(page, notebook_job, runs["notebook"].uid())
            view.get_by_role("button", name="Open the executed notebook").click()  # again: the same viewer
            expect(page.locator(".runlab-notebook-viewer")).to_have_count(1)
            expect(viewer).to_be_visible()
            view = open_run_from_sidebar(page, notebook_job, runs["notebook"].uid())

            # ... and its notebook artifact previews as cells, not JSON
            view.get_by_role("tab", name="Artifacts").click()
            view.locator("[data-artifact='notebook']").click()
            preview = view.locator(".runlab-preview[data-kind=notebook]")
            expect(preview.locator(".runlab-nb-cell")).to_have_count(5, timeout=15_000)
            assert '"cell_type"' not in preview.inner_text()
            screenshot(page, "runview-notebook-preview")
            assert _api(lab, "api/kernels") == kernels

            # Dark theme: the badges keep their contrast, the view still reads
            _dark_theme(page)
            view.get_by_role("tab", name="Overview").click()
            _check_contrast(page, view, "dark")
            screenshot(page, "runview-overview-dark")
            view.get_by_role("tab", name="Artifacts").click()
            screenshot(page, "runview-notebook-preview-dark")

            # After a reload the open runs come back: focus, tabs and contrast as before
            wait_for_saved_layout(lab, current=f"runlab-run:{runs['notebook'].uid()}")
            page.reload()
            page.wait_for_selector(".jp-LabShell", timeout=60_000)
            view = page.locator(".runlab-run-panel:visible")
            expect(view.locator(".runlab-run-header h2")).to_contain_text(notebook_job,
                                                                         timeout=30_000)
            expect(page.locator("body[data-jp-theme-light='false']")).to_have_count(1, timeout=30_000)
            _check_tab_keys(page, view)
            _check_contrast(page, view, "dark, reloaded")
            screenshot(page, "runview-reloaded-dark")
            # ... and so does the executed notebook's read-only tab, read again from the run's artifact
            restored = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab", has_text="executed")
            expect(restored).to_have_count(1, timeout=30_000)
            restored.click()
            viewer = page.locator(".runlab-notebook-viewer:visible")
            expect(viewer.locator(".runlab-nb-cell")).to_have_count(5, timeout=15_000)
            expect(viewer.locator(".runlab-nb-stream")).to_have_text("hello from the notebook, n=4")
            expect(highlighted).to_contain_text("executed")
            assert _api(lab, "api/kernels") == kernels, "the restored notebook started a kernel"
            screenshot(page, "runview-executed-notebook-reloaded-dark")
            # opening it again from the run view shows the restored tab, not a second one
            if not page.locator("#runlab-jobs").is_visible():
                page.locator("li[data-id='runlab-jobs']").click()
            view = open_run_from_sidebar(page, notebook_job, runs["notebook"].uid())
            view.get_by_role("button", name="Open the executed notebook").click()
            expect(page.locator(".runlab-notebook-viewer")).to_have_count(1)
            expect(viewer).to_be_visible()
            assert not errors, f"errors in the browser console: {errors}"
        except Exception:
            screenshot(page, "runview-failure")
            raise
        finally:
            context.close()
            browser.close()
