"""State badges, the Jobs filter box and the notebook table's sweep chart in a real JupyterLab, in Debian's
Chromium at the default 250 px sidebar, in the light and the dark theme and after a reload: every state's
badge has text at 4.5:1 contrast or more in the sidebar, the run view and the notebook table; the filter is
JupyterLab's InputGroup with its search icon and still filters; the table draws a sweep's chart with
JupyterLab's Vega-Lite renderer (no PNG), on the theme's own background."""

from __future__ import annotations

import os
import textwrap

import nbformat
import pytest

import runlab
from contrast import CHART_COLOURS, CONTRAST, badge_contrasts
from labserver import CHROMIUM, WAIT_MS, LabServer, chromium_page, screenshot
from runlab.display.bundle import MIME
from runlab.display.widget import RunsWidget
from waiting import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs /usr/bin/chromium")]

HANDLERS = """
    def train(context, lr=0.1):
        context.log_result("accuracy", lr * 2)


    def fail(context):
        raise ValueError("this run fails on purpose")
"""


@pytest.fixture
def lab(tmp_path, runlab_home, monkeypatch):
    """A project with a completed run, a failed run and a finished sweep, and a notebook whose saved output
    is the sweep's table (as a notebook that showed it saves it), then JupyterLab on top of the store."""
    root = tmp_path / "root"
    root.mkdir()
    (root / "handlers.py").write_text(textwrap.dedent(HANDLERS))
    monkeypatch.setenv("RUNLAB_ARTIFACT_PATH", str(root / "artifacts"))
    project = runlab.get_or_create_project("badges", context=str(root))
    project.set_function("handlers.py", name="fn", kind="local", handler="train")
    project.set_function("handlers.py", name="broken", kind="local", handler="fail")
    project.run_function("fn")
    with pytest.raises(runlab.RunError):
        project.run_function("broken")
    sweep = project.run_function("fn", hyperparams={"lr": [0.1, 0.2, 0.3]}, selector="max.accuracy")
    assert sweep.state() == "completed"
    data, _ = RunsWidget([sweep])._repr_mimebundle_()
    notebook = nbformat.v4.new_notebook(metadata={"kernelspec": {
        "name": "python3", "display_name": "Python 3", "language": "python"}})
    cell = nbformat.v4.new_code_cell("sweep.show()")
    cell.outputs = [nbformat.v4.new_output("display_data", data={
        key: data[key] for key in (MIME, "text/html", "text/plain")})]
    notebook.cells = [cell]
    nbformat.write(notebook, root / "tables.ipynb")
    server = LabServer(root, tmp_path / "state", {"RUNLAB_HOME": str(runlab_home),
                                                  "RUNLAB_ARTIFACT_PATH": str(root / "artifacts")})
    server.sweep = sweep
    yield server
    server.stop()


def _set_theme(page, dark: bool) -> None:
    from playwright.sync_api import expect

    page.locator("#jp-MainMenu").get_by_text("Settings", exact=True).click()
    page.locator(".lm-Menu-item", has_text="Theme").first.click()
    page.get_by_role("menuitem", name="JupyterLab Dark" if dark else "JupyterLab Light", exact=True).click()
    expect(page.locator(f"body[data-jp-theme-light='{str(not dark).lower()}']")).to_have_count(1, timeout=30_000)


def _open_sidebar(page) -> None:
    from playwright.sync_api import expect

    tab, panel = page.locator("li[data-id='runlab-jobs']"), page.locator("#runlab-jobs")

    def shown() -> bool:  # click only a tab that is not selected: the restored layout may be opening it now
        if not panel.is_visible() and tab.get_attribute("aria-selected") != "true":
            tab.click()
        return panel.is_visible()

    wait_until(shown, WAIT_MS / 1000, "the Jobs sidebar to show")
    expect(panel).to_be_visible()
    assert round(panel.bounding_box()["width"]) <= 260, "the sidebar keeps its default width"


def _check_badges(host, drawn, where: str) -> None:
    """Every state's badge inside ``host``, and the badges the page drew (``drawn``), at 4.5:1 or more."""
    ratios = badge_contrasts(host)
    for i in range(drawn.count()):
        ratios[f"drawn {drawn.nth(i).inner_text()}"] = drawn.nth(i).evaluate(CONTRAST)
    print(f"{where}: " + ", ".join(f"{state} {ratio:.2f}" for state, ratio in ratios.items()))
    low = {state: round(ratio, 2) for state, ratio in ratios.items() if ratio < 4.5}
    assert not low, f"{where}: badges below 4.5:1 contrast: {low}"


def _check_sidebar(page, theme: str) -> None:
    from playwright.sync_api import expect

    _open_sidebar(page)
    panel = page.locator("#runlab-jobs")
    rows = panel.locator(".runlab-history-row")
    if not rows.count():
        panel.locator("[data-job='fn-train']").click()
    expect(rows.first).to_be_visible(timeout=15_000)
    _check_badges(panel.locator(".runlab-history"), panel.locator(".runlab-badge"), f"sidebar, {theme}")
    screenshot(page, f"badges-sidebar-{theme}")


def _check_table(page, theme: str) -> None:
    """The saved sweep table: its badges' contrast, and its chart drawn by JupyterLab's Vega-Lite renderer
    on the theme's background, with no picture of it."""
    from playwright.sync_api import expect

    table = page.locator(".jp-NotebookPanel .runlab-nbtable")
    expect(table).to_have_count(1, timeout=60_000)
    expect(table.locator("tbody .runlab-badge").first).to_have_text("completed", timeout=30_000)
    _check_badges(table, table.locator(".runlab-badge"), f"notebook table, {theme}")
    chart = table.locator(".runlab-sweep-chart")
    expect(chart.locator(".jp-RenderedVegaCommon5 svg.marks")).to_be_visible(timeout=30_000)
    expect(chart.locator(".role-axis-title text")).to_have_text(["lr", "accuracy (max)"], timeout=15_000)
    assert table.locator("img").count() == 0, "the sweep's chart is drawn, not a PNG"
    chart.scroll_into_view_if_needed()
    colours = chart.evaluate(CHART_COLOURS)
    print(f"table chart, {theme}: {colours}")
    assert colours["painted"] is None, f"the chart paints its own background box ({theme}): {colours}"
    if theme.startswith("dark"):
        assert colours["background"] < 0.35 and colours["text"] > 0.7, colours
    else:
        assert colours["background"] > 0.8 and colours["text"] < 0.4, colours
    screenshot(page, f"badges-table-chart-{theme}")


def test_badges_filter_box_and_the_tables_sweep_chart_in_both_themes(lab):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright, chromium_page(playwright, "badges-failure") as page:
        page.goto(f"{lab.url}/lab/tree/tables.ipynb?token={lab.token}")
        page.wait_for_selector(".jp-LabShell", timeout=60_000)
        _open_sidebar(page)
        panel = page.locator("#runlab-jobs")
        expect(panel.locator("[data-job='fn-train']")).to_be_visible(timeout=15_000)

        # the filter box is JupyterLab's InputGroup with its search icon, and filters the jobs as before
        box = panel.locator(".runlab-filter .jp-InputGroup input[aria-label='Filter jobs']")
        expect(box).to_have_attribute("placeholder", "Filter jobs")
        expect(panel.locator(".runlab-filter .jp-InputGroupAction svg")).to_have_count(1)
        assert panel.locator("input.runlab-filter").count() == 0
        box.fill("broken")
        expect(panel.locator("[data-job]")).to_have_count(1, timeout=15_000)
        expect(panel.locator("[data-job='broken-fail']")).to_be_visible()
        screenshot(page, "badges-filter-light")
        box.fill("")
        expect(panel.locator("[data-job]")).to_have_count(2, timeout=15_000)

        _check_sidebar(page, "light")
        panel.locator(f".runlab-history-row[data-uid='{lab.sweep.uid()}']").click()
        view = page.locator(f"#runlab-run-{lab.sweep.uid()}")
        expect(view.locator(".runlab-run-header .runlab-badge")).to_have_text("completed", timeout=15_000)
        _check_badges(view.locator(".runlab-run-header"), view.locator(".runlab-badge"), "run view, light")
        page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab", has_text="tables.ipynb").click()
        _check_table(page, "light")

        _set_theme(page, dark=True)
        _check_sidebar(page, "dark")
        _check_table(page, "dark")
        page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab", has_text="fn-train").click()
        _check_badges(view.locator(".runlab-run-header"), view.locator(".runlab-badge"), "run view, dark")

        page.reload()
        page.wait_for_selector(".jp-LabShell", timeout=60_000)
        expect(page.locator("body[data-jp-theme-light='false']")).to_have_count(1, timeout=30_000)
        _check_sidebar(page, "dark-reloaded")
        page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab", has_text="tables.ipynb").click()
        _check_table(page, "dark-reloaded")
