"""Sweeps in the Jobs panel of a real JupyterLab, driven in Debian's Chromium at the default 250 px sidebar:
a 2-param grid sweep's history row says it is a sweep, its Parameters tab lists what it tried, its chart is
drawn by JupyterLab's own Vega-Lite renderer (axis titles named, colours following the theme), and an
iteration row opens that child with its params, artifacts and log, in the light and the dark theme and
after a page reload."""

from __future__ import annotations

import os
import textwrap

import pytest

import runlab
from contrast import CHART_COLOURS
from labserver import CHROMIUM, LabServer, chromium_page, screenshot, wait_for_saved_layout

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs /usr/bin/chromium")]

HANDLERS = """
    def train(context, lr, batch, epochs=2):
        print(f"training lr={lr} batch={batch} for {epochs} epochs")
        context.log_result("accuracy", round(lr * 2 + batch / 100, 4))
        context.log_artifact("weights", body=f"weights of lr={lr} batch={batch}\\n", format="txt")
"""


@pytest.fixture
def lab(tmp_path, runlab_home, monkeypatch):
    root = tmp_path / "root"
    root.mkdir()
    (root / "handlers.py").write_text(textwrap.dedent(HANDLERS))
    monkeypatch.setenv("RUNLAB_ARTIFACT_PATH", str(root / "artifacts"))
    server = LabServer(root, tmp_path / "state", {"RUNLAB_HOME": str(runlab_home),
                                                  "RUNLAB_ARTIFACT_PATH": str(root / "artifacts")})
    yield server
    server.stop()


@pytest.fixture
def sweep(lab):
    project = runlab.get_or_create_project("sweeps", context=str(lab.root))
    project.set_function(str(lab.root / "handlers.py"), name="fn", kind="local", handler="train")
    return project.run_function("fn", params={"epochs": 3}, selector="max.accuracy",
                                hyperparams={"lr": [0.1, 0.2, 0.3], "batch": [8, 16]}, watch=False)


def _open_lab(page, lab) -> None:
    from playwright.sync_api import expect

    page.goto(f"{lab.url}/lab?token={lab.token}")
    page.wait_for_selector(".jp-LabShell", timeout=60_000)
    expect(page.locator("li[data-id='runlab-jobs']")).to_be_visible(timeout=30_000)


def _check_chart(view, light: bool) -> None:
    """The chart is JupyterLab's Vega-Lite rendering, its axes and legend named, its colours the theme's."""
    from playwright.sync_api import expect

    chart = view.locator(".runlab-sweep-chart")
    expect(chart).to_have_attribute("data-theme-light", str(light).lower(), timeout=15_000)
    expect(chart.locator(".jp-RenderedVegaCommon5 svg.marks")).to_be_visible(timeout=30_000)
    expect(chart.locator(".role-axis-title text")).to_have_text(["lr", "accuracy (max)"], timeout=15_000)
    expect(chart.locator(".role-legend-title text")).to_have_text("batch")
    expect(chart.locator(".mark-text.role-mark text")).to_have_text("best #6")
    colours = chart.evaluate(CHART_COLOURS)
    if light:
        assert colours["background"] > 0.8 and colours["text"] < 0.4, colours
    else:
        assert colours["background"] < 0.35 and colours["text"] > 0.7, colours


# What the page shows as selected and what it shows: the main area's selected and highlighted tabs and the
# visible run view; that view's selected tabs, the tab its panel names, and the tab marked active.
SELECTED = """view => {
  const dock = [...document.querySelectorAll('.lm-DockPanel-tabBar .lm-TabBar-tab[aria-selected="true"]')];
  // the main area's highlighted tab: JupyterLab's current widget (the one holding the focus)
  const current = [...document.querySelectorAll('.lm-DockPanel-tabBar .lm-TabBar-tab.jp-mod-current')];
  const tabs = [...view.querySelectorAll('[role=tab][aria-selected="true"]')];
  const panel = view.querySelector('[role=tabpanel]');
  const named = panel && document.getElementById(panel.getAttribute('aria-labelledby'));
  return {
    dock: dock.map(tab => tab.textContent.trim()),
    current: current.map(tab => tab.textContent.trim()),
    visibleViews: [...document.querySelectorAll('.runlab-run-panel')].filter(v => v.offsetParent !== null)
      .map(v => v.id),
    selected: tabs.map(tab => tab.textContent.trim().split(' ')[0]),
    named: named ? named.textContent.trim().split(' ')[0] : null,
    active: [...view.querySelectorAll('.runlab-tab-active')].map(tab => tab.textContent.trim().split(' ')[0]),
  };
}"""


def _check_selected_tabs(page, view, tab: str, title: str) -> None:
    """The main area's selected tab is the visible run view's, and in that view the selected tab (ARIA), the
    highlighted one and the one its panel shows are all ``tab``."""
    from playwright.sync_api import expect

    expect(view.get_by_role("tab", name=tab)).to_have_attribute("aria-selected", "true", timeout=15_000)
    highlighted = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.jp-mod-current")
    expect(highlighted).to_have_text(title, timeout=15_000)
    shown = view.evaluate(SELECTED)
    assert shown["visibleViews"] == [view.get_attribute("id")], shown
    assert [label for label in shown["dock"] if label.startswith("fn-train")] == [title], shown
    assert shown["current"] == [title], f"the highlighted tab is not the one shown: {shown}"
    assert shown["selected"] == [tab] and shown["active"] == [tab] and shown["named"] == tab, shown


def test_a_sweep_explored_from_the_jobs_panel(lab, sweep):
    from playwright.sync_api import expect, sync_playwright

    sweep.wait_for_completion(timeout=120)
    assert sweep.state() == "completed" and sweep.status.best_iteration == 6
    viewport = {"width": 1400, "height": 950}
    with sync_playwright() as playwright, chromium_page(playwright, "sweeps-failure", viewport) as page:
        _open_lab(page, lab)
        page.locator("li[data-id='runlab-jobs']").click()
        panel = page.locator("#runlab-jobs")
        assert round(panel.bounding_box()["width"]) <= 260, "the sidebar keeps its default width"
        panel.locator("[data-job='fn-train']").click()
        row = panel.locator(f".runlab-history-row[data-uid='{sweep.uid()}']")
        expect(row.locator(".runlab-sweep-badge")).to_have_text("6 iterations, best #6", timeout=15_000)
        screenshot(page, "sweeps-history-row")

        row.click()
        view = page.locator(f"#runlab-run-{sweep.uid()}")
        expect(view.locator(".runlab-run-header h2")).to_contain_text("fn-train", timeout=15_000)
        view.get_by_role("tab", name="Parameters").click()
        params = view.locator(".runlab-sweep-params")
        expect(params.locator("tr", has_text="epochs")).to_contain_text("3")
        expect(params.locator(".runlab-hyperparams tr", has_text="lr").locator(".runlab-sweep-value")).to_have_text(
            ["0.1", "0.2", "0.3"])
        expect(params.locator(".runlab-hyperparams tr", has_text="batch")).to_contain_text("(2 values)")
        expect(params.locator("tr", has_text="strategy")).to_contain_text("grid")
        expect(params.locator("tr", has_text="selector")).to_contain_text("max.accuracy")
        screenshot(page, "sweeps-parent-parameters")

        view.get_by_role("tab", name="Iterations").click()
        _check_chart(view, light=True)
        view.locator(".runlab-sweep-chart .mark-symbol path").first.hover()  # the renderer's own tooltip
        expect(page.locator("#vg-tooltip-element")).to_contain_text("iteration", timeout=10_000)
        screenshot(page, "sweeps-chart-light")

        view.locator(".runlab-iteration-row[data-iteration='6']").click()
        child = page.locator(f"#runlab-run-{sweep.uid()}-6")
        expect(child.locator(".runlab-sweep-of")).to_contain_text("Iteration #6 of the sweep fn-train",
                                                                  timeout=15_000)
        expect(child.get_by_role("button", name="Delete")).to_have_count(0)  # it would delete the sweep
        child.get_by_role("tab", name="Parameters").click()
        for name, value in (("lr", "0.3"), ("batch", "16"), ("epochs", "3")):
            expect(child.locator(".runlab-tab-body tr", has_text=name)).to_contain_text(value)
        child.get_by_role("tab", name="Results").click()
        expect(child.locator(".runlab-tab-body")).to_contain_text("0.76")
        child.get_by_role("tab", name="Artifacts").click()
        child.locator("[data-artifact='weights']").click()
        expect(child.locator(".runlab-preview")).to_contain_text("weights of lr=0.3 batch=16", timeout=15_000)
        screenshot(page, "sweeps-child-artifact")
        child.get_by_role("tab", name="Logs").click()
        expect(child.locator(".runlab-log")).to_contain_text("training lr=0.3 batch=16 for 3 epochs",
                                                             timeout=15_000)
        screenshot(page, "sweeps-child-log")
        child.locator(".runlab-sweep-of [data-sweep]").click()
        expect(view).to_be_visible()
        _check_selected_tabs(page, view, "Iterations", f"fn-train {sweep.uid()[:8]}")
        screenshot(page, "sweeps-parent-after-child-link")

        page.locator("#jp-MainMenu").get_by_text("Settings", exact=True).click()
        page.locator(".lm-Menu-item", has_text="Theme").first.click()
        page.get_by_role("menuitem", name="JupyterLab Dark", exact=True).click()
        expect(page.locator("body[data-jp-theme-light='false']")).to_have_count(1, timeout=15_000)
        _check_chart(view, light=False)  # drawn again in the dark theme's colours
        screenshot(page, "sweeps-chart-dark")

        # JupyterLab saves the open views and the shown one a moment after they change: reload once it has
        wait_for_saved_layout(lab, f"runlab-run:{sweep.uid()}", f"runlab-run:{sweep.uid()}-6",
                              current=f"runlab-run:{sweep.uid()}")
        page.reload()
        page.wait_for_selector(".jp-LabShell", timeout=60_000)
        expect(page.locator("body[data-jp-theme-light='false']")).to_have_count(1, timeout=30_000)
        child = page.locator(f"#runlab-run-{sweep.uid()}-6")  # the layout brings the child back
        expect(child.locator(".runlab-sweep-of")).to_contain_text("Iteration #6", timeout=30_000)
        view = page.locator(f"#runlab-run-{sweep.uid()}")
        # the sweep, shown before the reload, is shown again and its tab is the highlighted one
        expect(view).to_be_visible(timeout=30_000)
        _check_selected_tabs(page, view, "Overview", f"fn-train {sweep.uid()[:8]}")
        page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab", has_text="#6").click()
        expect(child).to_be_visible()
        _check_selected_tabs(page, child, "Overview", f"fn-train {sweep.uid()[:8]} #6")
        child.locator(".runlab-sweep-of [data-sweep]").click()
        expect(view).to_be_visible()
        _check_selected_tabs(page, view, "Overview", f"fn-train {sweep.uid()[:8]}")
        screenshot(page, "sweeps-parent-after-child-link-reloaded")
        view.get_by_role("tab", name="Iterations").click()
        _check_chart(view, light=False)
        screenshot(page, "sweeps-chart-dark-after-reload")
        if not panel.is_visible():  # the layout may have brought the sidebar back open
            page.locator("li[data-id='runlab-jobs']").click()
        panel.locator("[data-job='fn-train']").click()
        expect(panel.locator(".runlab-sweep-badge")).to_have_text("6 iterations, best #6", timeout=15_000)
        screenshot(page, "sweeps-history-row-dark")
