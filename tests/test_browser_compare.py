"""The compare view of a real JupyterLab, driven in Debian's Chromium: two runs of 117 params that differ in
one, selected in the Runs view and compared (one differing row, a toggle for all, more rows on demand); a
sweep's iterations compared from its Iterations tab (the best result starred in the right cell, changed values
marked, both charts drawn by JupyterLab's Vega-Lite renderer with readable colours in light and dark, image
artifacts stepped with the arrow keys, HTML and tables side by side); the views back after a page reload; and
the time from the click to the table for 10 and 100 runs of 200 params."""

from __future__ import annotations

import os
import re

import pytest

from compareruns import add_runs, run_sweep
from comparetiming import TIME_TO_TABLE
from contrast import BACKGROUND_LUMINANCE, CHART_COLOURS, CONTRAST
from labserver import (
    CHROMIUM,
    WAIT_MS,
    chromium_page,
    open_lab,
    palette_item,
    runlab_lab,
    screenshot,
    set_theme,
    wait_for_saved_layout,
)

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs /usr/bin/chromium")]



@pytest.fixture
def lab(tmp_path, runlab_home):
    with runlab_lab(tmp_path, runlab_home) as server:
        yield server


@pytest.fixture
def bench(lab, tmp_path):
    """Project bench: job wide (2 runs, 117 params, one differs), jobs ten and hundred (200 params, all
    differing) and a sweep of 3 iterations with plot, page and table artifacts (the newest run)."""
    add_runs("bench", 2, 117, name="wide", results=False)
    add_runs("bench", 10, 200, differing=200, name="ten")
    add_runs("bench", 100, 200, differing=200, name="hundred")
    code = tmp_path / "code"
    code.mkdir()
    return run_sweep(code, project="bench")


def _runs_of_job(page, job: str):
    """The Runs view of one job of bench, opened from the Jobs sidebar (which is closed again)."""
    from playwright.sync_api import expect

    page.locator("li[data-id='runlab-jobs']").click()
    sidebar = page.locator(".runlab-jobs-panel")
    sidebar.locator(f".runlab-job-row[data-job='{job}'] .runlab-job-runs button").click()
    expect(page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab", has_text=f"Runs — bench / {job}")).to_be_visible(
        timeout=WAIT_MS)
    page.locator("li[data-id='runlab-jobs']").click()
    view = page.locator(".runlab-runs-panel:visible")
    expect(view.locator(".runlab-runs-row").first).to_be_visible(timeout=WAIT_MS)
    return view


def _check_charts(view, light: bool) -> None:
    """Both charts are JupyterLab's Vega-Lite renderings, with the theme's colours."""
    from playwright.sync_api import expect

    charts = view.locator(".runlab-compare-chart")
    expect(charts).to_have_count(2, timeout=WAIT_MS)
    for i in range(2):
        chart = charts.nth(i)
        expect(chart).to_have_attribute("data-theme-light", str(light).lower(), timeout=WAIT_MS)
        expect(chart.locator(".jp-RenderedVegaCommon5 svg.marks")).to_be_visible(timeout=WAIT_MS)
        colours = chart.evaluate(CHART_COLOURS)
        if light:
            assert colours["background"] > 0.8 and colours["text"] < 0.4, colours
        else:
            assert colours["background"] < 0.35 and colours["text"] > 0.7, colours
    # the scatter's x and y pickers are in the theme's colours too (not the browser's light form fields)
    pickers = view.locator(".runlab-compare-chart .vega-bindings select")
    expect(pickers).to_have_count(2)
    for i in range(2):
        shade = pickers.nth(i).evaluate(BACKGROUND_LUMINANCE)
        assert (shade > 0.8) if light else (shade < 0.35), shade
        assert pickers.nth(i).evaluate(CONTRAST) >= 4.5


def _check_marks(view) -> None:
    """A changed value keeps its text readable (4.5:1) on its highlight, and the best mark is visible (3:1)."""
    changed = view.locator("tr[data-field='result.accuracy'] td").nth(2)
    assert changed.evaluate(CONTRAST) >= 4.5
    assert changed.locator(".runlab-compare-best").evaluate(CONTRAST) >= 3


def test_compare_runs_and_a_sweeps_iterations(lab, bench):
    from playwright.sync_api import expect, sync_playwright

    sweep = bench.uid()
    with sync_playwright() as playwright, chromium_page(playwright, "compare-failure") as page:
        open_lab(page, lab)
        # two runs that differ in 1 of 117 params, selected in the Runs view
        runs = _runs_of_job(page, "wide")
        button = runs.locator(".runlab-runs-compare")
        expect(button).to_have_attribute("aria-disabled", "true")
        boxes = runs.locator(".runlab-runs-row input[type=checkbox]")
        boxes.nth(0).click()
        boxes.nth(1).click(modifiers=["Shift"])
        expect(button).to_have_attribute("aria-label", "Compare (2)")
        expect(button).to_have_attribute("aria-disabled", "false")
        # the palette offers it too while a Runs view with a selection is current
        expect(palette_item(page, "Compare", "Compare 2 runs")).to_have_count(1)
        page.keyboard.press("Escape")
        expect(page.locator(".lm-CommandPalette-input")).to_be_hidden(timeout=WAIT_MS)
        button.click()
        view = page.locator(".runlab-compare-panel:visible")
        rows = view.locator(".runlab-compare-table tbody tr")
        expect(rows).to_have_count(1, timeout=WAIT_MS)
        expect(rows.first).to_have_attribute("data-field", "param.p000")
        expect(view.locator(".runlab-compare-run")).to_have_count(2)
        expect(view.locator(".runlab-compare-run .runlab-badge")).to_have_text(["completed", "completed"])
        # the second run's value is highlighted as changed, the first is not
        cells = rows.first.locator("td")
        expect(cells.nth(1)).to_have_class("runlab-compare-changed")
        assert cells.nth(0).get_attribute("class") is None
        toggle = view.get_by_label(re.compile(r"Show all \d+ fields"))
        total = int(re.search(r"\d+", toggle.locator("xpath=..").inner_text()).group())
        assert total > 117
        toggle.check()
        expect(rows).to_have_count(60)  # the first rows; the rest on demand
        expect(view.locator(".runlab-compare-more")).to_contain_text(f"Showing 60 of {total} rows")
        view.get_by_role("button", name="Show more").click()
        expect(rows).to_have_count(total)
        expect(view.locator(".runlab-compare-more")).to_have_count(0)
        toggle.uncheck()
        expect(rows).to_have_count(1)
        screenshot(page, "compare-two-runs-light")

        # a sweep's iterations, from its Iterations tab
        runs = _runs_of_job(page, "sweepfn-train")
        runs.locator(f".runlab-runs-row[data-uid='{sweep}'] .runlab-runs-name").click()
        run_view = page.locator(".runlab-run-panel:visible")
        run_view.locator(".runlab-tab", has_text="Iterations").click()
        run_view.get_by_role("button", name="Compare iterations").click()
        view = page.locator(".runlab-compare-panel:visible")
        expect(view.locator(".runlab-compare-title")).to_contain_text("Iterations of", timeout=WAIT_MS)
        expect(view.locator(".runlab-compare-run")).to_have_count(3, timeout=WAIT_MS)
        expect(view.locator(".runlab-compare-uid")).to_have_text([f"{sweep[:8]} #{n}" for n in (1, 2, 3)])
        # the best result marked in the right cell: iteration 3 has the highest accuracy and the lowest loss
        for field, direction in (("result.accuracy", "max"), ("result.loss", "min")):
            row = view.locator(f"tr[data-field='{field}']")
            expect(row.locator("td[data-best]")).to_have_count(1)
            expect(row.locator("td").nth(2)).to_have_attribute("data-best", "true")
            assert direction in row.locator(".runlab-compare-best").get_attribute("title")
        lr = view.locator("tr[data-field='param.lr'] td")
        expect(lr).to_have_text(["0.1", "0.2", "0.3"])
        assert [lr.nth(i).get_attribute("class") for i in range(3)] == [None, "runlab-compare-changed",
                                                                       "runlab-compare-changed"]
        _check_charts(view, light=True)
        _check_marks(view)
        screenshot(page, "compare-iterations-light")

        # artifacts: the images, stepped with the arrow keys
        view.get_by_label("Artifact key").select_option("plot")
        figures = view.locator(".runlab-compare-image")
        expect(figures).to_have_count(3, timeout=WAIT_MS)
        expect(figures.locator("img")).to_have_count(3)
        figures.nth(0).focus()
        page.keyboard.press("ArrowRight")
        expect(figures.nth(1)).to_have_attribute("aria-current", "true")
        expect(figures.nth(1)).to_be_focused()
        expect(view.locator(".runlab-compare-stage-label")).to_contain_text("#2 (2 of 3")
        page.keyboard.press("ArrowLeft")
        page.keyboard.press("ArrowLeft")
        expect(figures.nth(2)).to_be_focused()
        expect(view.locator(".runlab-compare-stage-label")).to_contain_text("#3 (3 of 3")
        sources = [figures.nth(i).locator("img").get_attribute("src") for i in range(3)]
        assert len(set(sources)) == 3 and all(s.startswith("data:image/png;base64,") for s in sources)
        view.locator(".runlab-compare-stage").scroll_into_view_if_needed()
        screenshot(page, "compare-images-light")
        # HTML side by side, in sandboxed frames; datasets' first rows side by side
        view.get_by_label("Artifact key").select_option("page")
        frames = view.locator(".runlab-compare-side iframe.runlab-frame")
        expect(frames).to_have_count(3, timeout=WAIT_MS)
        assert {frames.nth(i).get_attribute("sandbox") for i in range(3)} == {"allow-scripts"}
        expect(page.frame_locator(".runlab-compare-panel:visible .runlab-compare-side iframe >> nth=1")
               .locator("p")).to_have_text("lr is 0.2", timeout=WAIT_MS)
        view.get_by_label("Artifact key").select_option("table")
        tables = view.locator(".runlab-compare-side .runlab-preview[data-kind='table'] tbody tr")
        expect(tables).to_have_count(3, timeout=WAIT_MS)
        expect(tables.nth(2).locator("td").first).to_have_text("0.3")
        # executed notebooks side by side, each with its outputs
        view.get_by_label("Artifact key").select_option("report")
        notebooks = view.locator(".runlab-compare-side .runlab-preview[data-kind='notebook']")
        expect(notebooks).to_have_count(3, timeout=WAIT_MS)
        expect(notebooks.nth(1)).to_contain_text("Report of lr 0.2", timeout=WAIT_MS)
        expect(notebooks.nth(2)).to_contain_text("0.3")
        screenshot(page, "compare-notebooks-light")

        # dark theme: the charts drawn again in its colours
        set_theme(page, "JupyterLab Dark", light=False)
        _check_charts(view, light=False)
        _check_marks(view)
        view.locator(".runlab-compare-charts").scroll_into_view_if_needed()
        screenshot(page, "compare-iterations-charts-dark")
        view.locator(".runlab-compare-title").scroll_into_view_if_needed()
        screenshot(page, "compare-iterations-dark")
        page.set_viewport_size({"width": 700, "height": 800})
        screenshot(page, "compare-iterations-dark-700")
        set_theme(page, "JupyterLab Light", light=True)
        page.locator("li[data-id='runlab-jobs']").click()  # the default 250 px sidebar beside the view
        expect(page.locator(".runlab-jobs-panel")).to_be_visible()
        screenshot(page, "compare-iterations-light-700-sidebar")
        page.locator("li[data-id='runlab-jobs']").click()
        page.set_viewport_size({"width": 1280, "height": 900})

        # a page reload restores both compare views (once JupyterLab has saved them)
        for view_id in page.eval_on_selector_all(".runlab-compare-panel", "views => views.map(v => v.id)"):
            wait_for_saved_layout(lab, f"runlab-compare:{view_id}")
        page.reload()
        page.wait_for_selector(".jp-LabShell", timeout=60_000)
        tabs = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab")
        expect(tabs.filter(has_text="Compare 2 runs")).to_have_count(1, timeout=WAIT_MS)
        expect(tabs.filter(has_text="Compare 3 iterations")).to_have_count(1, timeout=WAIT_MS)
        view = page.locator(".runlab-compare-panel:visible")
        expect(view.locator(".runlab-compare-run")).to_have_count(3, timeout=WAIT_MS)
        tabs.filter(has_text="Compare 2 runs").click()
        expect(page.locator(".runlab-compare-panel:visible .runlab-compare-table tbody tr")).to_have_count(
            1, timeout=WAIT_MS)


def test_time_from_the_click_to_the_table(lab, bench):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright, chromium_page(playwright, "compare-timing-failure") as page:
        open_lab(page, lab)
        runs = _runs_of_job(page, "ten")
        runs.get_by_label("Select the runs of this page").check()
        expect(runs.locator(".runlab-runs-count")).to_have_text("10 selected")
        ten = page.evaluate(TIME_TO_TABLE, 10)
        # the compare view is JupyterLab's current widget (its tab highlighted), and closing it disposes it:
        # Compare opens it again (a closed view used to stay tracked, and the click showed nothing)
        current = page.locator("#jp-main-dock-panel .lm-TabBar-tab.jp-mod-current")
        expect(current).to_have_text("Compare 10 runs")
        current.locator(".lm-TabBar-tabCloseIcon").click()
        expect(page.locator(".runlab-compare-panel")).to_have_count(0)
        page.locator("#jp-main-dock-panel .lm-TabBar-tab", has_text="Runs — bench / ten").click()
        expect(current).to_have_text("Runs — bench / ten")
        assert page.evaluate(TIME_TO_TABLE, 10) > 0
        runs = _runs_of_job(page, "hundred")
        runs.get_by_label("Select the runs of this page").check()
        runs.get_by_role("button", name="Next page").click()
        # the range shows 51 only with the second page's rows, so select-page then acts on them
        expect(runs.locator(".runlab-runs-range")).to_contain_text("51")
        runs.get_by_label("Select the runs of this page").check()
        expect(runs.locator(".runlab-runs-count")).to_have_text("100 selected")
        hundred = page.evaluate(TIME_TO_TABLE, 100)
        view = page.locator(".runlab-compare-panel:visible")
        expect(view.locator(".runlab-compare-table tbody tr")).to_have_count(60)  # the first of 200 differing rows
        # the field column and the run headers stay in place while the table scrolls
        field, header = view.locator("tbody th").first, view.locator("thead th.runlab-compare-run").first
        before = (field.bounding_box()["x"], header.bounding_box()["y"])
        view.locator(".runlab-compare-scroll").evaluate("box => { box.scrollLeft = 3000; box.scrollTop = 400; }")
        assert (field.bounding_box()["x"], header.bounding_box()["y"]) == before
        screenshot(page, "compare-hundred-runs-light")
        print(f"\nclick to table: 10 runs x 200 params {ten:.0f} ms, 100 runs x 200 params {hundred:.0f} ms")
        assert ten < 5000 and hundred < 10_000
