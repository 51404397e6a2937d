"""End-of-run notifications in a real JupyterLab, driven in Debian's Chromium: background runs started from a
notebook announce their end once (a failure stays until dismissed, a sweep is one notification), Logs opens
the run on its log, a reload repeats nothing, a run that ended while no page was open is announced on the
next opening; the settings show in the Settings Editor; light and dark theme."""

from __future__ import annotations

import json
import os
import re
import textwrap
import urllib.request

import nbformat
import pytest

from labserver import CHROMIUM, CHROMIUM_ARGS, LabServer, screenshot
from waiting import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs /usr/bin/chromium")]

HANDLERS = """
    import time


    def nap(context, seconds=2.0):
        print(f"napping for {seconds} s", flush=True)
        time.sleep(seconds)
        context.log_result("slept", seconds)


    def broken(context):
        raise ValueError("the data has no column 'label'")
"""

SETUP = ("import runlab\n"
         "project = runlab.get_or_create_project('notes', context='./')\n"
         "for name, handler in [('sleeper', 'nap'), ('breaker', 'broken'), ('sweeper', 'nap'), ('marker', 'nap'),\n"
         "                      ('away', 'nap')]:\n"
         "    project.set_function('handlers.py', name=name, kind='job', handler=handler)")

NOTEBOOKS = {
    "jobs.ipynb": [
        SETUP,
        "failing = project.run_function('breaker', watch=False)",
        "sleeping = project.run_function('sleeper', params={'seconds': 2}, watch=False)",
        "sweep = project.run_function('sweeper', hyperparams={'seconds': [0.2, 0.4, 0.6]}, selector='max.slept',\n"
        "                             watch=False)",
    ],
    "later.ipynb": [
        SETUP,
        "marker = project.run_function('marker', params={'seconds': 0.2}, watch=False)",
        "away = project.run_function('away', params={'seconds': 8}, watch=False)",
    ],
}


@pytest.fixture
def lab(tmp_path, runlab_home):
    root = tmp_path / "root"
    root.mkdir()
    (root / "handlers.py").write_text(textwrap.dedent(HANDLERS))
    for name, cells in NOTEBOOKS.items():
        notebook = nbformat.v4.new_notebook()
        notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        notebook.cells = [nbformat.v4.new_code_cell(source) for source in cells]
        nbformat.write(notebook, root / name)
    state = tmp_path / "state"
    # the user's settings, as the Settings Editor writes them: announce runs of any duration
    plugin = state / "settings" / "runlab-labextension"
    plugin.mkdir(parents=True)
    (plugin / "notifications.jupyterlab-settings").write_text(json.dumps({"notifications": {"minDuration": 0}}))
    server = LabServer(root, state, {"RUNLAB_HOME": str(runlab_home), "RUNLAB_ARTIFACT_PATH": str(root / "artifacts")})
    yield server
    server.stop()


def _open(page, lab, path: str = "") -> None:
    from playwright.sync_api import expect

    page.goto(f"{lab.url}/lab{'/tree/' + path if path else ''}?token={lab.token}")
    page.wait_for_selector(".jp-LabShell", timeout=60_000)
    expect(page.locator("li[data-id='runlab-jobs']")).to_be_visible(timeout=30_000)


def _run_all(page) -> None:
    from playwright.sync_api import expect

    expect(page.locator(".jp-StatusBar-Widget", has_text="Idle").first).to_be_visible(timeout=60_000)
    page.locator("#jp-MainMenu").get_by_text("Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()


def _state(lab, name: str) -> str | None:
    """The state of the newest run of job ``name`` (through the REST API)."""
    url = f"{lab.url}/runlab/api/runs?project=notes&name={name}&limit=1&token={lab.token}"
    runs = json.loads(urllib.request.urlopen(url, timeout=10).read())["runs"]
    return runs[0]["status"]["state"] if runs else None


def failing_uid(lab) -> str:
    """The uid of the first breaker run (the one the notebook started)."""
    url = f"{lab.url}/runlab/api/runs?project=notes&name=breaker-broken&sort=start&limit=1&token={lab.token}"
    return json.loads(urllib.request.urlopen(url, timeout=10).read())["runs"][0]["metadata"]["uid"]


def _workspace_has(lab, key: str) -> bool:
    url = f"{lab.url}/lab/api/workspaces/default?token={lab.token}"
    return key in json.loads(urllib.request.urlopen(url, timeout=10).read()).get("data", {})


def follow_a_run_from_its_header(page, lab, context) -> None:
    """The bell in a running run's header follows it (still on after a reload); its end is then announced."""
    from playwright.sync_api import expect

    import runlab

    project = runlab.get_or_create_project("notes", context=str(lab.root))
    elsewhere = project.run_function("sleeper", params={"seconds": 300}, watch=False)
    try:
        page.locator("li[data-id='runlab-jobs']").click()
        panel = page.locator("#runlab-jobs")
        job = panel.locator("[data-job='sleeper-nap']")
        expect(job.locator(".runlab-badge")).to_have_text("running", timeout=30_000)
        job.click()
        panel.locator(".runlab-history-row").first.click()
        view = page.locator(".runlab-run-panel:visible")
        expect(view.locator(f".runlab-run[data-uid='{elsewhere.uid()}']")).to_be_visible(timeout=15_000)
        bell = view.locator(".runlab-follow-run")
        expect(bell).to_have_attribute("aria-pressed", "false")
        bell.click()
        expect(bell).to_have_attribute("aria-pressed", "true")
        wait_until(lambda: _workspace_has(lab, "runlab-labextension:notifications:following"), timeout=30,
                   what="the followed run saved in the workspace")
        screenshot(page, "notifications-follow-bell-dark")
        page.reload()
        page.wait_for_selector(".jp-LabShell", timeout=60_000)
        view = page.locator(".runlab-run-panel:visible")
        expect(view.locator(".runlab-follow-run")).to_have_attribute("aria-pressed", "true", timeout=30_000)
        page.locator("#jp-MainMenu").get_by_text("Settings", exact=True).click()
        page.locator(".lm-Menu-item", has_text="Theme").first.click()
        page.get_by_role("menuitem", name="JupyterLab Light", exact=True).click()
        expect(page.locator("body[data-jp-theme-light='true']")).to_have_count(1, timeout=15_000)
        expect(page.locator("#jupyterlab-splash")).to_have_count(0, timeout=15_000)  # the theme is drawn
        screenshot(page, "notifications-follow-bell-light")
        view.get_by_role("button", name="Abort").click()
        page.locator(".jp-Dialog").get_by_role("button", name="Abort").click()
        toasts = page.locator(".jp-toastContainer .Toastify__toast")
        aborted = toasts.filter(has_text="sleeper-nap aborted")
        expect(aborted).to_have_count(1, timeout=60_000)
        expect(aborted).to_have_class(re.compile(r"\bjp-Notification-Toast-warning\b"))
        expect(view.locator(".runlab-follow-run")).to_have_count(0)  # ended: nothing left to follow
    finally:
        if elsewhere.state() not in ("completed", "error", "aborted"):
            elsewhere.abort()


def test_end_of_run_notifications(lab):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(viewport={"width": 1280, "height": 900})  # one browser: its storage
        page = context.new_page()
        try:
            _open(page, lab, "jobs.ipynb")
            toasts = page.locator(".jp-toastContainer .Toastify__toast")
            _run_all(page)

            failed = toasts.filter(has_text="breaker-broken failed after")
            expect(failed).to_have_count(1, timeout=60_000)
            expect(failed).to_contain_text("ValueError: the data has no column 'label'")
            expect(failed).to_have_class(re.compile(r"\bjp-Notification-Toast-error\b"))
            for button in ("Open", "Logs", "Rerun"):
                expect(failed.get_by_role("button", name=button, exact=True)).to_be_visible()

            completed = toasts.filter(has_text="sleeper-nap completed in")
            expect(completed).to_have_count(1, timeout=60_000)
            expect(completed).to_have_class(re.compile(r"\bjp-Notification-Toast-success\b"))
            completed.hover()  # a toast under the pointer waits: the screenshot shows it
            screenshot(page, "notifications-light")

            # Logs opens the run's view on its Logs tab
            completed.get_by_role("button", name="Logs", exact=True).click()
            view = page.locator(".runlab-run-panel:visible")
            expect(view.locator(".runlab-run-header h2")).to_contain_text("sleeper-nap", timeout=15_000)
            expect(view.get_by_role("tab", name="Logs")).to_have_attribute("aria-selected", "true")
            expect(view.locator(".runlab-log")).to_contain_text("napping for 2 s", timeout=15_000)

            sweep = toasts.filter(has_text="sweeper-nap")
            expect(sweep).to_have_count(1, timeout=60_000)
            expect(sweep).to_contain_text("sweeper-nap: 3 done (best #3)")

            # the success closes by itself (once the pointer leaves it); the failure is still there after it
            page.mouse.move(5, 400)
            expect(completed).to_have_count(0, timeout=30_000)
            expect(sweep).to_have_count(0, timeout=30_000)
            expect(failed).to_have_count(1)
            expect(toasts.filter(has_text="sweeper-nap")).to_have_count(0)  # never one per child
            screenshot(page, "notifications-error-stays")

            # Rerun: the run's view starts the same run again (its button shows the progress), then opens it
            failed.get_by_role("button", name="Rerun", exact=True).click()
            rerun = page.locator(".runlab-run-panel:visible .runlab-run")
            expect(rerun.locator(".runlab-run-header h2")).to_contain_text("breaker-broken", timeout=30_000)
            new_uid = re.compile(rf"^(?!{failing_uid(lab)})[0-9a-f]{{32}}$")  # a run, not the one that failed
            expect(rerun).to_have_attribute("data-uid", new_uid, timeout=30_000)

            # the settings are JupyterLab's: the Settings Editor shows them
            page.locator("#jp-MainMenu").get_by_text("Settings", exact=True).click()
            page.get_by_role("menuitem", name="Settings Editor").click()
            page.locator(".jp-PluginList").get_by_text("runlab: end-of-run notifications").click()
            editor = page.locator(".jp-SettingsPanel, .jp-SettingsEditor").first
            expect(editor.get_by_text("Minimum duration (seconds)")).to_be_visible(timeout=15_000)
            expect(editor.get_by_text("Only errors")).to_be_visible()
            screenshot(page, "notifications-settings")

            # dark theme, then a reload: nothing announced before is announced again
            page.locator("#jp-MainMenu").get_by_text("Settings", exact=True).click()
            page.locator(".lm-Menu-item", has_text="Theme").first.click()
            page.get_by_role("menuitem", name="JupyterLab Dark", exact=True).click()
            expect(page.locator("body[data-jp-theme-light='false']")).to_have_count(1, timeout=15_000)
            page.reload()
            _open(page, lab, "later.ipynb")
            expect(page.locator("body[data-jp-theme-light='false']")).to_have_count(1, timeout=15_000)
            _run_all(page)
            marker = toasts.filter(has_text="marker-nap completed in")
            expect(marker).to_have_count(1, timeout=60_000)  # announced after the reload: the poll is running
            for text in ("breaker-broken", "sleeper-nap", "sweeper-nap"):
                expect(toasts.filter(has_text=text)).to_have_count(0)
            screenshot(page, "notifications-dark")

            # the page closes while a run goes on; the next page announces its end, once
            assert _state(lab, "away-nap") == "running"
            page.close()
            wait_until(lambda: _state(lab, "away-nap") == "completed", timeout=60, what="the away run ended")
            page = context.new_page()
            _open(page, lab)
            toasts = page.locator(".jp-toastContainer .Toastify__toast")
            away = toasts.filter(has_text="away-nap completed in 8.")
            expect(away).to_have_count(1, timeout=30_000)
            away.hover()  # keeps it open: the screenshot shows it
            expect(away).to_be_in_viewport(ratio=1, timeout=10_000)
            expect(toasts.filter(has_text="marker-nap")).to_have_count(0)
            screenshot(page, "notifications-while-away-dark")

            # a run started elsewhere (not from this JupyterLab's kernels) is announced once followed
            follow_a_run_from_its_header(page, lab, context)
        except Exception:
            screenshot(page, "notifications-failure")
            raise
        finally:
            browser.close()
