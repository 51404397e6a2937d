"""The Runs view of a real JupyterLab, driven in Debian's Chromium: a project of a few hundred runs (one of
them a sweep, one still running) listed in the main area, opened from the palette and from the Jobs sidebar;
sorted by a result on the server, filtered with an expression (a bad one says where, and the rows stay),
paged, a sweep opened in place, a run found by a uid prefix, runs selected with shift-click, a column picked,
and the whole listing back after a page reload; in the light and the dark theme, and in a narrow window."""

from __future__ import annotations

import os

import nbformat
import pytest

import runlab
from labserver import (
    CHROMIUM,
    WAIT_MS,
    chromium_page,
    open_lab,
    palette_item,
    runlab_lab,
    screenshot,
    set_theme,
    wait_for_saved_workspace,
    wait_for_startup,
)
from runlab.display.bundle import MIME
from runlab.display.widget import RunsWidget
from runlab.record import RunState, new_run
from runlab.store import get_store

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs /usr/bin/chromium")]

RUNS = 240
START = 1_780_000_000.0
DASH = "\N{EN DASH}"  # between the first and last row numbers of the pager


def accuracy(i: int) -> float:
    return round(((i * 37) % 100) / 100, 2)


def batch(i: int) -> int:
    return (8, 16, 32)[i % 3]


@pytest.fixture
def lab(tmp_path, runlab_home):
    with runlab_lab(tmp_path, runlab_home) as server:
        yield server


@pytest.fixture
def project(lab) -> dict:
    """Project bench: RUNS runs of train and eval (params lr and batch, results accuracy and loss, a team
    label), a sweep of 3 iterations and a running run, the newest last."""
    runlab.get_or_create_project("bench")
    store = get_store()
    uids = []
    for i in range(RUNS):
        params = {"lr": round(0.01 * (1 + i % 10), 2), "batch": batch(i)}
        spec = {"function": "fn", "handler": "train", "parameters": params}
        record = new_run("bench", "eval" if i % 4 == 0 else "train", "job",
                         RunState.ERROR if i % 17 == 0 else RunState.COMPLETED, {"team": "ab"[i % 2]}, spec)
        record.results = {"accuracy": accuracy(i), "loss": round(1 - accuracy(i), 2)}
        record.start_time = record.last_update = START + 60 * i
        record.end_time = record.start_time + 5 + i % 7
        store.create_run(record)
        uids.append(record.uid)
    spec = {"function": "fn", "handler": "train", "parameters": {"batch": 8}, "hyperparams": {"lr": [0.1, 0.2, 0.3]}}
    parent = new_run("bench", "sweep", "job", RunState.COMPLETED, {"team": "a"}, spec)
    parent.start_time = parent.last_update = START + 60 * RUNS
    parent.end_time = parent.start_time + 30
    parent.results = {"accuracy": 0.5}
    parent.status = {"iterations": [{"iter": n, "state": "completed", "param.lr": lr, "accuracy": lr}
                                    for n, lr in ((1, 0.1), (2, 0.2), (3, 0.3))], "best_iteration": 3}
    store.create_run(parent)
    for n, lr in ((1, 0.1), (2, 0.2), (3, 0.3)):
        child = parent.child(n, {"lr": lr}, RunState.COMPLETED)
        child.results = {"accuracy": lr}
        child.start_time = child.last_update = parent.start_time + n
        child.end_time = child.start_time + 3
        store.create_run(child)
    live = new_run("bench", "live", "job", RunState.RUNNING, {"team": "b"}, {"function": "fn", "parameters": {}})
    live.start_time = live.last_update = START + 60 * (RUNS + 1)
    store.create_run(live)
    return {"uids": uids, "sweep": parent.uid, "live": live.uid}


def _table_notebook(lab) -> None:
    """A notebook holding the saved table of the eval runs of bench (as `.show()` leaves it)."""
    saved = RunsWidget(runlab.get_or_create_project("bench").list_runs(name="eval")).saved_table()
    notebook = nbformat.v4.new_notebook(metadata={"kernelspec": {
        "name": "python3", "display_name": "Python 3", "language": "python"}})
    cell = nbformat.v4.new_code_cell("project.list_runs(name='eval').show()")
    cell.outputs = [nbformat.v4.new_output("display_data", data={MIME: saved, "text/plain": "a table"})]
    notebook.cells = [cell]
    nbformat.write(notebook, lab.root / "table.ipynb")


def _project_tab(page):
    """The tab of the project's Runs view (not that of a job's, whose title starts the same)."""
    return page.locator(".lm-DockPanel-tabBar .lm-TabBar-tabLabel").get_by_text("Runs — bench", exact=True)


def _column(view, label: str) -> list[str]:
    """The texts of a column of the runs (not the sweep's children) by its header."""
    headers = view.locator(".runlab-runs-table thead th").all_inner_texts()
    index = next(i for i, text in enumerate(headers) if text.strip().startswith(label))
    return view.locator(f".runlab-runs-row:not(.runlab-runs-child) td:nth-child({index + 1})").all_inner_texts()


def _apply_filter(view, text: str) -> None:
    box = view.get_by_label("Filter runs")
    box.fill(text)
    box.press("Enter")


def test_runs_view_lists_sorts_filters_pages_and_comes_back(lab, project):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright, chromium_page(playwright, "runs-view-failure") as page:
        open_lab(page, lab)
        palette_item(page, "Open the runlab Runs view").first.click(timeout=WAIT_MS)
        view = page.locator(".runlab-runs-panel")
        tab = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab", has_text="Runs — bench")
        expect(tab).to_be_visible(timeout=WAIT_MS)
        rows = view.locator(".runlab-runs-row")
        expect(rows).to_have_count(50, timeout=WAIT_MS)
        expect(view.locator(".runlab-runs-range")).to_have_text(f"1{DASH}50 of many")
        # newest first; the default columns are the most common results and params
        assert _column(view, "name")[:2] == ["live", "sweep"]
        headers = view.locator(".runlab-runs-table thead th").all_inner_texts()
        assert [h for h in headers if "(" in h] == ["accuracy (result)", "loss (result)", "batch (param)", "lr (param)"]
        # the running run is asked for again while shown: its end shows without a click
        get_store().update_run(project["live"], 0, {"state": "completed", "end_time": START + 60 * (RUNS + 1) + 9})
        expect(view.locator(f".runlab-runs-row[data-uid='{project['live']}'] .runlab-badge")).to_have_text(
            "completed", timeout=WAIT_MS)

        # sort by a result, on the server: the best of all 240 first, then reversed
        view.locator("th[data-order='results.accuracy'] button").click()
        expect(view.locator("th[data-order='results.accuracy']")).to_have_attribute("aria-sort", "descending")
        expect(rows.first.locator("td").nth(7)).to_have_text("0.99", timeout=WAIT_MS)
        values = [float(v) for v in _column(view, "accuracy")]
        assert values == sorted(values, reverse=True) and values[0] == 0.99
        view.locator("th[data-order='results.accuracy'] button").click()
        expect(rows.first.locator("td").nth(7)).to_have_text("0", timeout=WAIT_MS)
        values = [float(v) for v in _column(view, "accuracy")]
        assert values == sorted(values)

        # page through
        # while the next page loads (its answer held back here), the range, the rows and the select-page box
        # stay those of the page shown, and paging and select-page wait; then they change together
        held = []
        page.route("**/runlab/api/runs?*offset=50*", lambda route: held.append(route))
        view.get_by_role("button", name="Next page").click()
        expect(view.locator(".runlab-runs-loading")).to_have_count(1, timeout=WAIT_MS)
        assert held, "the next page was asked for"
        expect(view.get_by_label("Select the runs of this page")).to_be_disabled()
        expect(view.get_by_role("button", name="Next page")).to_be_disabled()
        expect(view.locator(".runlab-runs-range")).to_have_text(f"1{DASH}50 of many")
        held[0].continue_()
        page.unroute("**/runlab/api/runs?*offset=50*")
        expect(view.locator(".runlab-runs-range")).to_have_text(f"51{DASH}100 of many", timeout=WAIT_MS)
        view.get_by_label("Select the runs of this page").check()
        expect(view.locator(".runlab-runs-count")).to_have_text("50 selected")
        expect(view.locator(".runlab-runs-row[aria-selected='true']")).to_have_count(50)
        expect(view.locator(".runlab-runs-loading")).to_have_count(0)
        view.get_by_role("button", name="Clear").click()
        view.get_by_role("button", name="Previous page").click()
        expect(view.locator(".runlab-runs-range")).to_have_text(f"1{DASH}50 of many", timeout=WAIT_MS)

        # a filter expression: exactly the runs it names
        _apply_filter(view, "results.accuracy >= 0.9 and params.batch == 16")
        wanted = sum(1 for i in range(RUNS) if accuracy(i) >= 0.9 and batch(i) == 16)
        expect(rows).to_have_count(wanted, timeout=WAIT_MS)
        expect(view.locator(".runlab-runs-range")).to_have_text(f"1{DASH}{wanted} of {wanted}")
        assert all(float(v) >= 0.9 for v in _column(view, "accuracy"))
        assert set(_column(view, "batch")) == {"16"}
        # a bad one: the server's message under the box, one line; the rows stay
        _apply_filter(view, "results.accuracy >> 0.9")
        error = view.locator(".runlab-runs-filter-error")
        expect(error).to_contain_text("column", timeout=WAIT_MS)
        expect(error).to_contain_text("'>'")
        expect(rows).to_have_count(wanted)
        screenshot(page, "runs-view-bad-filter-light")
        _apply_filter(view, "results.accuracy >= 0.9 and params.batch == 16")
        expect(error).to_have_count(0, timeout=WAIT_MS)

        # pick a column: the team label
        view.get_by_role("button", name="Columns").click()
        page.locator(".runlab-runs-columns-menu .lm-Menu-item", has_text="Labels").hover()
        page.locator(".lm-Menu-item", has_text="team").click()
        expect(view.locator("th[data-order='labels.team']")).to_have_text("team (label)", timeout=WAIT_MS)
        assert set(_column(view, "team")) <= {"a", "b"}

        # select: one box, then shift-click another: the rows between are selected too
        boxes = view.locator(".runlab-runs-row input[type=checkbox]")
        boxes.nth(1).click()
        boxes.nth(4).click(modifiers=["Shift"])
        expect(view.locator(".runlab-runs-count")).to_have_text("4 selected")
        assert [boxes.nth(i).is_checked() for i in range(6)] == [False, True, True, True, True, False]
        view.get_by_label("Select the runs of this page").check()
        expect(view.locator(".runlab-runs-count")).to_have_text(f"{wanted} selected")
        view.get_by_role("button", name="Clear").click()
        expect(view.locator(".runlab-runs-count")).to_have_text("0 selected")
        screenshot(page, "runs-view-light")

        # a page reload (opening a notebook) brings the view back with its filter, order and columns
        wait_for_saved_workspace(lab, '"section": "labels", "key": "team"')
        _table_notebook(lab)
        page.goto(f"{lab.url}/lab/tree/table.ipynb?token={lab.token}")
        page.wait_for_selector(".jp-LabShell", timeout=60_000)
        view = page.locator(".runlab-runs-panel")
        expect(view.get_by_label("Filter runs")).to_have_value("results.accuracy >= 0.9 and params.batch == 16",
                                                                timeout=WAIT_MS)
        expect(view.locator(".runlab-runs-row")).to_have_count(wanted, timeout=WAIT_MS)
        # the restored view and the opened notebook share the main area: which is in front depends on which
        # finished first, so bring each to the front before looking at it
        tabs = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab")
        wait_for_startup(page)
        # the notebook is opened (and brought to the front) once JupyterLab routes its URL, after the restore
        expect(tabs.filter(has_text="table.ipynb")).to_be_visible(timeout=WAIT_MS)
        tabs.filter(has_text="Runs — bench").click()
        expect(page.locator(".runlab-runs-panel:visible th[data-order='labels.team']")).to_be_visible(timeout=WAIT_MS)
        expect(view.locator("th[data-order='results.accuracy']")).to_have_attribute("aria-sort", "ascending")

        # the notebook's runs table links to the Runs view of its project
        tabs.filter(has_text="table.ipynb").click()
        link = page.locator(".runlab-nbtable-allruns")
        expect(link).to_have_text("All runs of bench", timeout=WAIT_MS)
        screenshot(page, "runs-view-notebook-link")
        link.click()
        tab = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab", has_text="Runs — bench")
        expect(tab).to_have_attribute("aria-selected", "true", timeout=WAIT_MS)
        expect(view).to_be_visible()
        screenshot(page, "runs-view-reloaded")


def test_runs_view_from_the_sidebar_sweeps_and_uids_dark_and_narrow(lab, project):
    from playwright.sync_api import expect, sync_playwright

    viewport = {"width": 700, "height": 800}
    with sync_playwright() as playwright, chromium_page(playwright, "runs-view-dark-failure", viewport) as page:
        open_lab(page, lab)
        page.locator("li[data-id='runlab-jobs']").click()
        sidebar = page.locator(".runlab-jobs-panel")
        expect(sidebar.locator(".runlab-job-row[data-job='eval']")).to_be_visible(timeout=WAIT_MS)
        screenshot(page, "runs-view-sidebar-entries")
        # a job's own entry: only that job's runs
        sidebar.locator(".runlab-job-row[data-job='eval'] .runlab-job-runs button").click()
        expect(page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab", has_text="Runs — bench / eval")).to_be_visible(
            timeout=WAIT_MS)
        view = page.locator(".runlab-runs-panel:visible")
        expect(view.locator(".runlab-runs-row").first).to_be_visible(timeout=WAIT_MS)
        assert set(_column(view, "name")) == {"eval"}
        # the project's entry in the header
        sidebar.locator(".runlab-open-runs").click()
        expect(page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab", has_text="Runs — bench").first).to_be_visible()
        page.locator("li[data-id='runlab-jobs']").click()  # more room for the table
        view = page.locator(".runlab-runs-panel:visible")
        expect(view.locator(".runlab-runs-row")).to_have_count(50, timeout=WAIT_MS)
        set_theme(page, "JupyterLab Dark", light=False)

        # the sweep opens in place; a child's row opens that iteration
        sweep = view.locator(f".runlab-runs-row[data-uid='{project['sweep']}'][data-iteration='0']")
        sweep.locator(".runlab-runs-toggle").click()
        children = view.locator(".runlab-runs-child")
        expect(children).to_have_count(3, timeout=WAIT_MS)
        expect(children.locator(".runlab-runs-name")).to_have_text(["#1", "#2", "#3"])
        _apply_filter(view, "results.accuracy >> 1")  # the error colour in the dark theme, for the screenshot
        expect(view.locator(".runlab-runs-filter-error")).to_be_visible(timeout=WAIT_MS)
        screenshot(page, "runs-view-dark-narrow")
        colours = view.evaluate("""v => ({
          background: getComputedStyle(v).backgroundColor,
          header: getComputedStyle(v.querySelector('thead th')).backgroundColor,
        })""")
        dark = [sum(map(int, c[c.index("(") + 1:c.index(")")].split(",")[:3])) < 3 * 110 for c in colours.values()]
        assert all(dark), colours
        width = view.evaluate("v => [v.scrollWidth, v.clientWidth]")
        assert width[0] <= width[1] + 1, f"the view itself does not scroll sideways (its table does): {width}"
        children.nth(1).click()
        run_view = page.locator(f"#runlab-run-{project['sweep']}-2")
        expect(run_view).to_be_visible(timeout=WAIT_MS)
        expect(page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.jp-mod-current")).to_contain_text("#2")

        # jump to a uid prefix: that run's view
        _project_tab(page).click()
        target = project["uids"][3]
        jump = view.get_by_label("Jump to uid")
        jump.fill(target[:4])
        jump.press("Enter")
        expect(view.locator(".runlab-runs-jump-message")).to_contain_text("6 or more", timeout=WAIT_MS)
        jump.fill(target[:8])
        jump.press("Enter")
        expect(page.locator(f"#runlab-run-{target}")).to_be_visible(timeout=WAIT_MS)

        # state, label and date filters
        _project_tab(page).click()
        view.get_by_label("State").select_option("error")
        errors = sum(1 for i in range(RUNS) if i % 17 == 0)
        expect(view.locator(".runlab-runs-row")).to_have_count(errors, timeout=WAIT_MS)
        expect(view.locator(".runlab-runs-row .runlab-badge")).to_have_text(["error"] * errors)
        label = view.get_by_label("Label")
        label.fill("team=b")
        label.press("Enter")
        expect(view.locator(".runlab-runs-row")).to_have_count(
            sum(1 for i in range(RUNS) if i % 17 == 0 and i % 2 == 1), timeout=WAIT_MS)
        label.fill("=b")
        label.press("Enter")
        expect(view.locator(".runlab-error")).to_contain_text("must be 'key' or 'key=value'", timeout=WAIT_MS)
        label.fill("")
        label.press("Enter")
        view.get_by_label("Started since").fill("2030-01-01")
        expect(view.locator(".runlab-runs-empty")).to_have_text("No runs match.", timeout=WAIT_MS)
        expect(view.locator(".runlab-runs-filter-error")).to_be_visible()  # its text is still in the box
        screenshot(page, "runs-view-no-match-dark")

