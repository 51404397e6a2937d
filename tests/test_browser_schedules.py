"""Schedules in a real JupyterLab at its default 250 px sidebar, in Debian's Chromium: a schedule made from
Python is edited in JupyterLab's dialog (its cron in words as it is typed, a bad cron said in the dialog with
nothing saved, a new cron, param and keep_runs saved), paused, fired with "Run now"; expanded, it lists the runs
it fired (one opens the run view) and its history shows the retention that deleted the oldest. Light and dark
theme, and after a reload."""

from __future__ import annotations

import os
import re
import textwrap

import pytest

import runlab
from labserver import CHROMIUM, WAIT_MS, LabServer, chromium_page, screenshot, set_theme
from waiting import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs /usr/bin/chromium")]

HANDLERS = """
    def train(context, data, lr=0.1):
        context.log_result("accuracy", 0.5 + lr)
"""

# Every element of the schedule cards that crosses the panel's sides.
OVERFLOWING = """
() => {
  const panel = document.querySelector('#runlab-jobs').getBoundingClientRect();
  return [...document.querySelectorAll('.runlab-schedule, .runlab-schedule *')]
    .map(el => [el, el.getBoundingClientRect()])
    .filter(([, box]) => (box.width || box.height) && (box.left < panel.left - 0.5 || box.right > panel.right + 0.5))
    .map(([el, box]) => `${el.className || el.tagName}: ${Math.round(box.left)}..${Math.round(box.right)}`);
}
"""


@pytest.fixture
def schedule(tmp_path, runlab_home):
    root = tmp_path / "root"
    root.mkdir()
    (root / "handlers.py").write_text(textwrap.dedent(HANDLERS))
    (root / "data.csv").write_text("a\n1\n2\n")
    project = runlab.get_or_create_project("sched", context=str(root))
    project.set_function("handlers.py", name="fn", kind="job", handler="train")
    sched = project.run_function("fn", params={"lr": 0.1}, inputs={"data": "data.csv"}, schedule="0 */6 * * *",
                                 schedule_name="six-hourly")
    return root, sched


def _open_schedules(page, lab):
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    page.goto(f"{lab.url}/lab?token={lab.token}")
    page.wait_for_selector(".jp-LabShell", timeout=60_000)
    tab = page.locator("li[data-id='runlab-jobs']")
    expect(tab).to_be_visible()
    panel = page.locator("#runlab-jobs")
    if not panel.is_visible():
        tab.click()
    panel.get_by_role("tab", name="Schedules").click()
    # a project with no runs yet is not picked by itself: the user picks it
    panel.locator(".runlab-jobs-controls select[aria-label='Project']").select_option("sched")
    card = panel.locator("[data-schedule='six-hourly']")
    expect(card).to_be_visible()
    return panel, card


def _fits(page, what: str) -> None:
    assert page.evaluate(OVERFLOWING) == [], f"a schedule card overflows the sidebar ({what})"


def test_edit_pause_run_now_and_the_runs_under_a_schedule(tmp_path, runlab_home, schedule):
    from playwright.sync_api import expect, sync_playwright

    root, sched = schedule
    lab = LabServer(root, tmp_path / "state", {"RUNLAB_HOME": str(runlab_home)})
    try:
        with sync_playwright() as playwright, chromium_page(playwright, "schedules-failure") as page:
            panel, card = _open_schedules(page, lab)
            assert 240 <= panel.bounding_box()["width"] <= 260
            expect(card).to_contain_text("every 6 hours")

            # the dialog: the cron in words as it is typed; a bad cron is said there and nothing is saved
            card.get_by_role("button", name="Edit").click()
            dialog = page.locator(".jp-Dialog.runlab-schedule-dialog")
            expect(dialog.locator(".jp-Dialog-header")).to_contain_text("Edit schedule six-hourly")
            cron = dialog.get_by_label("Cron")
            expect(cron).to_have_value("0 */6 * * *")
            words = dialog.locator(".runlab-schedule-words")
            expect(words).to_have_text("every 6 hours")
            cron.fill("* * * *")
            expect(words).to_have_text("4 fields; it needs 5: minute hour day-of-month month day-of-week")
            cron.fill("61 * * * *")
            expect(words).to_have_text("the minute field '61' is not valid (0 to 59)")
            dialog.get_by_role("button", name="Save").click()  # the server's check, said in the dialog
            error = dialog.locator(".runlab-error")
            expect(error).to_contain_text("cron string '61 * * * *': the minute field '61' is not valid")
            expect(error).to_be_in_viewport()
            expect(dialog).to_be_visible()
            assert sched.cron == "0 */6 * * *", "nothing saved on an error"
            screenshot(page, "schedule-edit-error-light")

            # a good cron, a param and keep_runs: saved, and the card says the new cron in words
            cron.fill("30 2 * * *")
            expect(words).to_have_text("every day at 02:30")
            expect(dialog.get_by_label("Params name 1")).to_have_value("lr")
            dialog.get_by_label("Params value 1").fill("0.3")
            dialog.get_by_label("Keep runs").fill("1")
            expect(dialog.get_by_label("Policy")).to_have_value("forbid")
            screenshot(page, "schedule-edit-light")
            dialog.get_by_role("button", name="Save").click()
            expect(dialog).to_have_count(0)
            expect(card.locator(".runlab-schedule-when")).to_have_text("every day at 02:30 · forbid · keeps 1")
            stored = sched.to_dict()
            assert (stored["cron"], stored["keep_runs"], stored["task"]["task"]["params"]) == (
                "30 2 * * *", 1, {"lr": 0.3})
            assert stored["task"]["task"]["inputs"] == {"data": "data.csv"}, "inputs left as they were"

            # paused: the badge shows it, and the stored schedule is paused
            card.get_by_role("button", name="Pause").click()
            expect(card.locator(".runlab-schedule-head .runlab-state-paused")).to_be_visible()
            assert sched.paused

            # two runs fired from Python, then "Run now": retention keeps the newest ended run
            older = [sched.run_now().wait_for_completion(timeout=60, poll=0.1) for _ in range(2)]
            with page.expect_response(lambda response: response.url.split("?")[0].endswith("/run-now")):
                card.get_by_role("button", name="Run now").click()  # its answer comes once retention ran
            card.get_by_role("button", name="History").click()
            # a run still going does not count towards keep_runs: whether the fired run ended before retention
            # ran decides whether the run before it stays too; the oldest goes either way
            fired = wait_until(lambda: [r for r in sched.runs() if r.uid() not in {o.uid() for o in older}],
                               WAIT_MS / 1000, "the run that Run now fired")[0]
            fired.wait_for_completion(timeout=60, poll=0.1)
            kept = [r.uid() for r in sched.runs()]
            assert older[0].uid() not in kept and fired.uid() in kept and len(kept) in (1, 2), kept
            runs = card.locator(".runlab-schedule-run")
            expect(runs).to_have_count(len(kept))
            expect(runs.first.locator(".runlab-badge")).to_have_text("completed", timeout=60_000)
            expect(card.locator("[data-event='retention']").first).to_contain_text(
                re.compile(r"retention deleted [12] runs?, freed"))
            _fits(page, "light")
            screenshot(page, "schedule-runs-light")
            newest = runs.first.get_attribute("data-uid")
            runs.first.click()
            view = page.locator(".runlab-run-panel:visible")
            expect(view.locator(".runlab-run-header h2")).to_contain_text("fn-train")
            expect(view).to_contain_text(newest[:8])

            set_theme(page, "JupyterLab Dark", light=False)
            expect(runs).to_have_count(len(kept))
            _fits(page, "dark")
            screenshot(page, "schedule-runs-dark")
            card.get_by_role("button", name="Edit").click()
            expect(dialog.get_by_label("Keep runs")).to_have_value("1")
            expect(dialog.locator(".runlab-schedule-words")).to_have_text("every day at 02:30")
            screenshot(page, "schedule-edit-dark")
            dialog.get_by_role("button", name="Cancel").click()
            expect(dialog).to_have_count(0)

            page.reload()
            panel, card = _open_schedules(page, lab)
            expect(page.locator("body[data-jp-theme-light='false']")).to_have_count(1)
            expect(card.locator(".runlab-schedule-when")).to_have_text("every day at 02:30 · forbid · keeps 1")
            expect(card.locator(".runlab-schedule-head .runlab-state-paused")).to_be_visible()
            _fits(page, "dark, after a reload")
            screenshot(page, "schedule-card-dark-reloaded")
    finally:
        lab.stop()
