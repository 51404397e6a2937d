"""Actions from the lists of a real JupyterLab, driven in Debian's Chromium at the default 250 px sidebar: a
run deleted from the Jobs sidebar's history (after a confirmation), a running run aborted from it, three of
five runs deleted at once in the Runs view (the running one skipped, and said so), a run's notes written in
its Overview and shown after a page reload (there, in the Runs view and in the history), and its log searched
("2 of 5"), shown with each line's time and downloaded; a run rerun from the history and from the Runs view
through the "Rerun with changes" dialog (prefilled, one parameter edited); in the light and the dark theme."""

from __future__ import annotations

import json
import os
import textwrap
import urllib.request
from datetime import datetime

import pytest

import runlab
from labserver import (
    CHROMIUM,
    WAIT_MS,
    chromium_page,
    open_lab,
    runlab_lab,
    screenshot,
    set_theme,
    wait_for_saved_layout,
)
from runlab.record import RunState, new_run
from runlab.store import get_store
from runlab.store.logstamps import encode_stamps

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs /usr/bin/chromium")]

HANDLERS = """
    import time

    def slow(context):
        print("started", flush=True)
        time.sleep(300)

    def fit(context, lr=0.1, epochs=2):
        context.log_result("score", lr * epochs)
"""
LOG = "".join(f"epoch {i} loss {1 / (i + 1):.3f}\n" for i in range(5)) + "done\n"


@pytest.fixture
def lab(tmp_path, runlab_home):
    with runlab_lab(tmp_path, runlab_home) as server:
        yield server


@pytest.fixture
def project(lab) -> dict:
    """Project acts: five ended runs of train (oldest first, each with a log of five "loss" lines), a
    running job, slow, whose process the test aborts (or stops at the end), and a function fit (from a file,
    so that its runs can be rerun)."""
    (lab.root / "handlers.py").write_text(textwrap.dedent(HANDLERS))
    project = runlab.get_or_create_project("acts", context=str(lab.root))
    store = get_store()
    trains = []
    for i in range(5):
        record = new_run("acts", "train", "job", RunState.COMPLETED, {}, {"function": "fn", "parameters": {"i": i}})
        record.start_time = record.last_update = record.start_time - 600 + i
        record.end_time = record.start_time + 3
        store.create_run(record)
        # the lines' start times, as a run's log records them: one per line, a second apart
        store.append_log(record.uid, 0, 0, LOG, encode_stamps([record.start_time + n for n in range(6)]))
        trains.append(record.uid)
    project.set_function("handlers.py", name="slow", kind="job", handler="slow")
    slow = project.run_function("slow", watch=False)
    project.set_function("handlers.py", name="fit", kind="local", handler="fit")
    yield {"trains": trains, "slow": slow, "project": project}
    if slow.state() not in ("aborted", "completed", "error"):
        slow.abort()


def _confirm(page, title: str, button: str) -> str:
    """Accept JupyterLab's confirmation dialog titled ``title`` with ``button``; returns its text."""
    from playwright.sync_api import expect

    dialog = page.locator(".jp-Dialog")
    expect(dialog.locator(".jp-Dialog-header")).to_have_text(title)
    text = dialog.locator(".jp-Dialog-body").inner_text()
    dialog.get_by_role("button", name=button, exact=True).click()
    expect(dialog).to_have_count(0)
    return text


def _rerun_with_changes(page, lab, button, shown: list[str], lr: str, name: str) -> dict:
    """Click a list row's Rerun ``button``: the "Rerun with changes" dialog, prefilled with the run's parameters;
    submit it with ``lr`` edited. The new run (through the REST API), once a view of a run not in ``shown``
    (those whose views may show already) is on show. The dialog's screenshot is ``name``."""
    from playwright.sync_api import expect

    button.click()
    dialog = page.locator(".jp-Dialog .runlab-job-dialog")
    expect(dialog.get_by_label("Parameter lr")).to_have_value("0.1")
    expect(dialog.get_by_label("Parameter epochs")).to_have_value("2")
    dialog.get_by_label("Parameter lr").fill(lr)
    screenshot(page, name)
    page.locator(".jp-Dialog button.runlab-job-submit").click()
    others = "".join(f":not([data-uid='{uid}'])" for uid in shown)
    view = page.locator(f".runlab-run-panel:visible .runlab-run{others}")
    expect(view.locator(".runlab-run-header h2")).to_contain_text("fit", timeout=WAIT_MS)
    new = view.get_attribute("data-uid")
    url = f"{lab.url}/runlab/api/runs/{new}?token={lab.token}"
    return json.loads(urllib.request.urlopen(url, timeout=10).read())


def test_list_actions_delete_abort_bulk_delete_notes_and_log(lab, project):
    from playwright.sync_api import expect, sync_playwright

    trains, slow = project["trains"], project["slow"]
    with sync_playwright() as playwright, chromium_page(playwright, "listactions-failure") as page:
        open_lab(page, lab)
        page.locator("li[data-id='runlab-jobs']").click()
        sidebar = page.locator(".runlab-jobs-panel")
        assert 240 <= sidebar.bounding_box()["width"] <= 260, "the sidebar has its default width"
        sidebar.locator(".runlab-job-row[data-job='train']").click()
        history = sidebar.locator(".runlab-history-item")
        expect(history).to_have_count(5)

        # the keyboard reaches a row's actions (Tab from the row), which show while they have the focus
        row = sidebar.locator(f".runlab-history-row[data-uid='{trains[3]}']")
        row.focus()
        expect(row).to_be_focused()
        page.keyboard.press("Tab")
        focused = sidebar.locator(f".runlab-row-actions[data-uid='{trains[3]}'] button:focus")
        expect(focused).to_have_attribute("aria-label", f"Rerun train ({trains[3][:8]})")
        expect(sidebar.locator(f".runlab-row-actions[data-uid='{trains[3]}']")).to_have_css("opacity", "1")
        expect(sidebar.locator(f".runlab-row-actions[data-uid='{trains[2]}']")).to_have_css("opacity", "0")

        # delete the newest train run from the history: a confirmation, then it is gone, and a notification
        row = sidebar.locator(f".runlab-row-actions[data-uid='{trains[4]}']")
        delete = row.get_by_role("button", name=f"Delete run train ({trains[4][:8]})")
        expect(delete).to_be_visible()
        box, panel = delete.bounding_box(), sidebar.bounding_box()
        assert box["x"] + box["width"] <= panel["x"] + panel["width"] + 1, "the row's actions fit the sidebar"
        delete.click()
        assert "cannot be undone" in _confirm(page, "Delete this run?", "Delete")
        expect(history).to_have_count(4)
        expect(page.get_by_text(f"Run train ({trains[4][:8]}) was deleted.")).to_be_visible()
        assert get_store().get_run(trains[4]) is None
        screenshot(page, "listactions-history-light")

        # bulk delete in the Runs view: three of the five runs, one of them running (skipped, and said so)
        sidebar.locator(".runlab-open-runs").click()
        view = page.locator(".runlab-runs-panel")
        rows = view.locator(".runlab-runs-row")
        expect(rows).to_have_count(5)
        for uid in (slow.uid(), trains[3], trains[2]):
            view.get_by_label(f"Select run {uid}").click()
        view.get_by_role("button", name="Delete 3 runs").click()
        assert "1 of them is still running and will be skipped" in _confirm(page, "Delete 3 runs?", "Delete 3 runs")
        expect(rows).to_have_count(3)
        expect(page.get_by_text("2 runs deleted. 1 run was skipped: the run is running")).to_be_visible()
        assert sorted(view.locator(".runlab-runs-row").evaluate_all("rows => rows.map(r => r.dataset.uid)")) == sorted(
            [slow.uid(), trains[0], trains[1]])
        expect(view.locator(".runlab-runs-count")).to_have_text("1 selected")  # the skipped run stays selected

        # abort the running run from the history
        sidebar.locator(".runlab-job-row[data-job='slow']").click()
        sidebar.get_by_role("button", name=f"Abort run slow ({slow.uid()[:8]})").click()
        _confirm(page, "Abort this run?", "Abort")
        expect(sidebar.locator(f".runlab-history-row[data-uid='{slow.uid()}'] .runlab-badge")).to_have_text(
            "aborted", timeout=WAIT_MS)
        expect(sidebar.get_by_role("button", name=f"Delete run slow ({slow.uid()[:8]})")).to_be_visible()
        assert runlab.get_run(slow.uid()).state() == "aborted"

        # notes: written in the run's Overview (Escape cancels, Ctrl+Enter saves)
        view.locator(f".runlab-runs-row[data-uid='{trains[1]}'] .runlab-runs-name").click()
        run_view = page.locator(".runlab-run-panel:visible")
        notes = run_view.locator("tr[data-row='notes']")
        notes.get_by_role("button", name="Add notes").click()
        notes.get_by_label("Notes").fill("throwaway")
        notes.get_by_label("Notes").press("Escape")
        expect(notes.get_by_role("button", name="Add notes")).to_be_visible()
        notes.get_by_role("button", name="Add notes").click()
        notes.get_by_label("Notes").fill("lr too high\nrerun with 0.01")
        notes.get_by_label("Notes").press("Control+Enter")
        expect(notes.locator(".runlab-notes-text")).to_have_text("lr too high\nrerun with 0.01")
        assert runlab.get_run(trains[1]).notes == "lr too high\nrerun with 0.01"

        # the log: five matches, stepped with Enter and Shift+Enter; downloaded as train-<uid8>.log
        run_view.get_by_role("tab", name="Logs").click()
        search = run_view.get_by_label("Search the log")
        search.fill("LOSS")
        count = run_view.locator(".runlab-logs-count")
        expect(count).to_have_text("1 of 5")
        search.press("Enter")
        expect(count).to_have_text("2 of 5")
        expect(run_view.locator("mark.runlab-log-current")).to_have_attribute("data-match", "1")
        search.press("Shift+Enter")
        search.press("Shift+Enter")
        expect(count).to_have_text("5 of 5")
        expect(run_view.locator(".runlab-log mark")).to_have_count(5)
        # each line with its start time (local), as recorded; the text itself is the log's
        started = get_store().get_run(trains[1]).start_time
        times = run_view.locator(".runlab-log .runlab-log-time")
        expect(times).to_have_count(6)
        assert [t.strip() for t in times.all_inner_texts()] == [
            datetime.fromtimestamp(started + n).strftime("%H:%M:%S") for n in range(6)]
        run_view.get_by_label("Times").uncheck()
        expect(times).to_have_count(0)
        expect(run_view.locator(".runlab-log")).to_have_text(LOG.rstrip("\n"))
        run_view.get_by_label("Times").check()
        with page.expect_download() as download:
            run_view.get_by_role("link", name="Download").click()
        assert download.value.suggested_filename == f"train-{trains[1][:8]}.log"
        assert download.value.path().read_text(encoding="utf-8") == LOG
        screenshot(page, "listactions-log-light")

        # after a reload: the notes in the run's view, the Runs view's column and the history row's title
        wait_for_saved_layout(lab, f"runlab-run:{trains[1]}")  # the run's view, restored by the reload
        page.reload()
        page.wait_for_selector(".jp-LabShell", timeout=60_000)
        run_tab = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab", has_text=trains[1][:8])
        run_tab.click()
        run_view = page.locator(".runlab-run-panel:visible")
        run_view.get_by_role("tab", name="Overview").click()
        expect(run_view.locator("tr[data-row='notes'] .runlab-notes-text")).to_have_text("lr too high\nrerun with 0.01")
        set_theme(page, "JupyterLab Dark", light=False)
        screenshot(page, "listactions-notes-dark")
        run_view.get_by_role("tab", name="Logs").click()
        expect(run_view.locator(".runlab-log .runlab-log-time")).to_have_count(6)
        screenshot(page, "listactions-log-dark")
        fit = project["project"].run_function("fit", params={"lr": 0.1, "epochs": 2}).uid()  # for the reruns below
        page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab", has_text="Runs — acts").click()
        view = page.locator(".runlab-runs-panel")
        expect(view.locator(f".runlab-runs-row[data-uid='{trains[1]}'] .runlab-runs-notes")).to_have_text("lr too high")
        view.get_by_label(f"Select run {trains[0]}").click()
        expect(view.get_by_role("button", name="Delete 1 run")).to_be_enabled()
        screenshot(page, "listactions-runs-dark")

        # Rerun from the Runs view's row (once refreshed: fit ran after it drew its rows): the dialog, prefilled;
        # the new run has the edited value and its label
        view.locator(".runlab-runs-refresh").click()
        button = view.get_by_role("button", name=f"Rerun fit ({fit[:8]})")
        first = _rerun_with_changes(page, lab, button, [fit, trains[1]], "0.5", "listactions-rerun-runs-dialog-dark")
        assert first["metadata"]["labels"]["rerun-of"] == fit
        assert first["spec"]["parameters"] == {"lr": 0.5, "epochs": 2}
        if not page.locator(".runlab-jobs-panel").is_visible():
            page.locator("li[data-id='runlab-jobs']").click()
        sidebar = page.locator(".runlab-jobs-panel")
        if not sidebar.locator(".runlab-history-item").count():
            sidebar.locator(".runlab-job-row[data-job='train']").click()
        expect(sidebar.locator(f".runlab-history-row[data-uid='{trains[1]}']")).to_have_attribute(
            "title", "lr too high\nrerun with 0.01")
        expect(sidebar.locator(f".runlab-history-row[data-uid='{trains[1]}'] .runlab-history-notes")).to_have_text(
            "lr too high")
        screenshot(page, "listactions-history-dark")

        # Rerun from the history's row: the same dialog
        sidebar.locator(".runlab-job-row[data-job='fit']").click()
        button = sidebar.get_by_role("button", name=f"Rerun fit ({fit[:8]})")
        expect(button).to_be_visible()
        rerun = _rerun_with_changes(page, lab, button, [fit, trains[1], first["metadata"]["uid"]], "0.3",
                                    "listactions-rerun-history-dialog-dark")
        assert rerun["metadata"]["labels"]["rerun-of"] == fit
        assert rerun["spec"]["parameters"] == {"lr": 0.3, "epochs": 2}
        screenshot(page, "listactions-rerun-dark")
