"""A run the run cache answered, in a real JupyterLab (Debian's Chromium, the default 250 px sidebar, light and
dark themes, after a page reload): marked in the Jobs sidebar's history and in the Runs view, and its run view's
header has a chip that opens the run that did the work."""

from __future__ import annotations

import os
import textwrap

import pytest

import runlab
from labserver import CHROMIUM, WAIT_MS, chromium_page, open_lab, palette_item, runlab_lab, screenshot, set_theme

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs /usr/bin/chromium")]

HANDLER = """
    def train(context, p=1):
        context.log_result("score", p * 10)
"""


@pytest.fixture
def lab(tmp_path, runlab_home):
    """A run and the run the cache answered with it (same code and params), then JupyterLab on the store."""
    with runlab_lab(tmp_path, runlab_home) as server:
        (server.root / "steps.py").write_text(textwrap.dedent(HANDLER))
        project = runlab.get_or_create_project("cached", context=str(server.root))
        project.set_function("steps.py", name="steps", kind="local", handler="train")
        source = project.run_function("steps", params={"p": 2}, cache=True)
        hit = project.run_function("steps", params={"p": 2}, cache=True)
        assert hit.metadata.labels["cached-from"] == source.uid()
        server.source, server.hit = source.uid(), hit.uid()
        yield server


def _check_views(page, lab, theme: str) -> None:
    from playwright.sync_api import expect

    sidebar = page.locator("#runlab-jobs")
    if not sidebar.is_visible():
        page.locator("li[data-id='runlab-jobs']").click()
    job = sidebar.locator("[data-job='steps-train']")
    expect(job).to_be_visible(timeout=WAIT_MS)
    width = sidebar.bounding_box()["width"]
    assert 240 <= width <= 260, f"the sidebar is {width} px wide, not JupyterLab's default 250"
    hit_row = sidebar.locator(f".runlab-history-row[data-uid='{lab.hit}']")
    if not hit_row.is_visible():
        job.click()
    # the history: the hit is marked with its source, the source is not
    expect(hit_row.locator(".runlab-cached-mark")).to_have_text(f"cached from {lab.source[:8]}")
    assert "cached from run" in hit_row.get_attribute("aria-label")
    expect(sidebar.locator(f".runlab-history-row[data-uid='{lab.source}'] .runlab-cached-mark")).to_have_count(0)
    style = hit_row.locator(".runlab-cached-mark").evaluate("e => getComputedStyle(e).gridColumnEnd")
    assert style == "-1", "the mark has a line of its own under the run (the extension's style is loaded)"
    mark = hit_row.locator(".runlab-cached-mark").bounding_box()
    assert mark["x"] + mark["width"] <= sidebar.bounding_box()["x"] + width + 1, "the mark fits the sidebar"
    screenshot(page, f"runcache-sidebar-{theme}")

    # the run view: a chip in the header opens the source run
    hit_row.click()
    view = page.locator(".runlab-run-panel:visible")
    chip = view.locator(".runlab-run-header .runlab-cached-chip")
    expect(chip).to_have_text(f"cached from {lab.source[:8]}")
    expect(chip).to_have_attribute("data-cached-from", lab.source)
    color, background, radius = chip.evaluate(
        "e => [getComputedStyle(e).color, getComputedStyle(e).backgroundColor, getComputedStyle(e).borderRadius]")
    assert color != background and radius == "8px", "the chip is drawn as a chip, its text clear of its background"
    screenshot(page, f"runcache-runview-{theme}")
    chip.click()
    source_view = page.locator(".runlab-run-panel:visible")
    expect(source_view.locator(".runlab-run-header h2")).to_contain_text(lab.source[:8])
    expect(source_view.locator(".runlab-cached-chip")).to_have_count(0)

    # the Runs view: the hit's row is marked
    palette_item(page, "Open the runlab Runs view").first.click(timeout=WAIT_MS)
    runs = page.locator(".runlab-runs-panel:visible")
    expect(runs.locator(".runlab-runs-row")).to_have_count(2)
    expect(runs.locator(".runlab-runs-row .runlab-cached-mark")).to_have_count(1)
    expect(runs.locator(".runlab-cached-mark")).to_have_attribute("data-cached-from", lab.source)
    assert runs.locator(".runlab-cached-mark").evaluate("e => getComputedStyle(e).marginLeft") == "6px"
    screenshot(page, f"runcache-runs-view-{theme}")


def test_a_cached_run_is_marked_and_links_to_its_source(lab):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright, chromium_page(playwright, "runcache-failure") as page:
        open_lab(page, lab)
        _check_views(page, lab, "light")
        set_theme(page, "JupyterLab Dark", light=False)
        page.reload()
        page.wait_for_selector(".jp-LabShell", timeout=60_000)
        _check_views(page, lab, "dark")
        set_theme(page, "JupyterLab Light", light=True)
