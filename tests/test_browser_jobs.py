"""The Jobs sidebar and run view in a real JupyterLab, driven in Debian's Chromium: runs started from a
notebook appear in the sidebar, a run's detail opens with its artifacts previewed, a running job's log is
tailed live and the job is aborted from the view; without the server extension the panel says how to fix it."""

from __future__ import annotations

import os
import textwrap
import time

import nbformat
import pytest

from labserver import CHROMIUM, LabServer, launch_chromium, screenshot

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs /usr/bin/chromium")]

HANDLERS = """
    import time


    def train(context, data, lr=0.1):
        df = data.as_df()
        print(f"training on {len(df)} rows with lr={lr}")
        context.log_result("accuracy", 0.8)
        context.log_dataset("scores", df.assign(score=df["a"] * lr))


    def slow(context, ticks=600):
        for i in range(ticks):
            print(f"tick {i}", flush=True)
            time.sleep(0.1)
"""

CELLS = [
    "import runlab\n"
    "project = runlab.get_or_create_project('e2e', context='./')\n"
    "project.set_function('handlers.py', name='fn', kind='job', handler='train')\n"
    "project.set_function('handlers.py', name='ticker', kind='job', handler='slow')",
    "run = project.run_function('fn', params={'lr': 0.5}, inputs={'data': 'data.csv'})",
    "slow = project.run_function('ticker', watch=False)",
    "sched = project.run_function('fn', params={'lr': 0.2}, inputs={'data': 'data.csv'}, schedule='0 */6 * * *',\n"
    "                             schedule_name='six-hourly')",
]


def _root(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    (root / "handlers.py").write_text(textwrap.dedent(HANDLERS))
    (root / "data.csv").write_text("a\n" + "\n".join(str(i) for i in range(30)) + "\n")
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in CELLS]
    nbformat.write(notebook, root / "jobs.ipynb")
    return root


@pytest.fixture
def lab(tmp_path, runlab_home):
    root = _root(tmp_path)
    server = LabServer(root, tmp_path / "state", {"RUNLAB_HOME": str(runlab_home),
                                                  "RUNLAB_ARTIFACT_PATH": str(root / "artifacts")})
    yield server
    server.stop()


def _open_lab(page, lab, path: str = "") -> None:
    from playwright.sync_api import expect

    page.goto(f"{lab.url}/lab{'/tree/' + path if path else ''}?token={lab.token}")
    page.wait_for_selector(".jp-LabShell", timeout=60_000)
    expect(page.locator("li[data-id='runlab-jobs']")).to_be_visible(timeout=30_000)


def test_jobs_sidebar_run_view_live_log_and_abort(lab):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1500, "height": 1000})
        try:
            _open_lab(page, lab, "jobs.ipynb")
            started = time.monotonic()
            page.locator("li[data-id='runlab-jobs']").click()
            panel = page.locator("#runlab-jobs")
            expect(panel.get_by_text("No runs yet")).to_be_visible(timeout=10_000)
            print(f"sidebar first paint (empty store): {time.monotonic() - started:.2f} s")

            expect(page.locator(".jp-StatusBar-Widget", has_text="Idle").first).to_be_visible(timeout=60_000)
            page.wait_for_timeout(500)
            page.locator("#jp-MainMenu").get_by_text("Run", exact=True).click()
            page.get_by_role("menuitem", name="Run All Cells", exact=True).click()

            train = panel.locator("[data-job='fn-train']")
            expect(train).to_be_visible(timeout=60_000)
            expect(train.locator(".runlab-badge")).to_have_text("completed", timeout=60_000)
            ticker = panel.locator("[data-job='ticker-slow']")
            expect(ticker).to_be_visible(timeout=30_000)
            expect(ticker.locator(".runlab-badge")).to_have_text("running", timeout=30_000)
            screenshot(page, "jobs-sidebar")

            train.click()
            panel.locator(".runlab-history-row").first.click()
            view = page.locator(".runlab-run-panel:visible")
            expect(view.locator(".runlab-run-header h2")).to_contain_text("fn-train", timeout=15_000)
            expect(view.locator(".runlab-run-header .runlab-badge")).to_have_text("completed")
            view.get_by_role("tab", name="Parameters").click()
            expect(view.locator(".runlab-tab-body")).to_contain_text("0.5")
            view.get_by_role("tab", name="Artifacts").click()
            view.locator("[data-artifact='scores']").click()
            preview = view.locator(".runlab-preview[data-kind='table']")
            expect(preview).to_be_visible(timeout=15_000)
            expect(preview).to_contain_text("30 rows \u00d7 2 columns")
            screenshot(page, "run-artifact-preview")

            ticker.click()
            panel.locator(".runlab-history-row").first.click()
            view = page.locator(".runlab-run-panel:visible")
            expect(view.locator(".runlab-run-header h2")).to_contain_text("ticker-slow", timeout=15_000)
            view.get_by_role("tab", name="Logs").click()
            log = view.locator(".runlab-log")
            expect(log).to_contain_text("tick 3", timeout=15_000)
            first = log.inner_text().count("tick")
            expect(log).to_contain_text(f"tick {first + 5}", timeout=15_000)  # it grows while we watch
            screenshot(page, "run-live-log")
            view.get_by_role("button", name="Abort").click()
            page.locator(".jp-Dialog").get_by_role("button", name="Abort").click()  # it asks first
            expect(view.locator(".runlab-run-header .runlab-badge")).to_have_text("aborted", timeout=20_000)
            expect(ticker.locator(".runlab-badge")).to_have_text("aborted", timeout=10_000)

            panel.get_by_role("tab", name="Schedules").click()
            schedule = panel.locator("[data-schedule='six-hourly']")
            expect(schedule).to_contain_text("every 6 hours", timeout=10_000)
            expect(schedule).to_contain_text("never fired")
            schedule.get_by_role("button", name="Pause").click()
            expect(schedule.locator(".runlab-state-paused")).to_be_visible(timeout=10_000)
            schedule.get_by_role("button", name="Resume").click()
            expect(schedule).to_contain_text("next in", timeout=10_000)
            schedule.get_by_role("button", name="Run now").click()
            expect(schedule.locator(".runlab-badge")).to_have_text("completed", timeout=60_000)
            schedule.get_by_role("button", name="History").click()
            expect(schedule.locator("[data-event='fired']")).to_contain_text("run now", timeout=10_000)
            screenshot(page, "jobs-schedules")

            page.locator("#jp-MainMenu").get_by_text("Settings", exact=True).click()
            page.locator(".lm-Menu-item", has_text="Theme").first.click()
            page.get_by_role("menuitem", name="JupyterLab Dark", exact=True).click()
            expect(page.locator("body[data-jp-theme-light='false']")).to_have_count(1, timeout=15_000)
            panel.get_by_role("tab", name="Jobs").click()
            expect(train).to_be_visible()
            screenshot(page, "jobs-dark-theme")
        except Exception:
            screenshot(page, "jobs-failure")
            raise
        finally:
            browser.close()


def test_the_panel_says_when_the_server_extension_is_missing(tmp_path, runlab_home):
    from playwright.sync_api import expect, sync_playwright

    root = _root(tmp_path)
    server = LabServer(root, tmp_path / "state", {"RUNLAB_HOME": str(runlab_home)},
                       server_config={"ServerApp": {"jpserver_extensions": {"runlab.server": False}}})
    try:
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            page = browser.new_page()
            try:
                _open_lab(page, server)
                page.locator("li[data-id='runlab-jobs']").click()
                expect(page.locator("#runlab-jobs [role='alert']")).to_contain_text(
                    "runlab server extension is not answering", timeout=15_000)
            finally:
                browser.close()
    finally:
        server.stop()
