"""A run's attempts in the run view, in Debian's Chromium at the default 250 px sidebar, in the light and the dark
theme and after a page reload: a flaky run that succeeded on its third attempt lists its three attempts, a timed-out
run shows why it ended and its timeout, and a run waiting for its next attempt says which one comes and when."""

from __future__ import annotations

import os
import re
import textwrap

import pytest

import runlab
from labserver import (
    CHROMIUM,
    LabServer,
    chromium_page,
    open_lab,
    open_run_from_sidebar,
    screenshot,
    set_theme,
)
from waiting import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs /usr/bin/chromium")]

HANDLERS = """
    import os, time

    def flaky(context, counter, fail_times=2):
        count = int(open(counter).read()) + 1 if os.path.exists(counter) else 1
        open(counter, "w").write(str(count))
        if count <= fail_times:
            raise RuntimeError(f"flaky failure {count}")
        context.log_result("tries", count)

    def hang(context):
        time.sleep(600)
"""


@pytest.fixture
def lab(tmp_path, runlab_home):
    """A flaky run that succeeded on its third attempt, a timed-out run and a run waiting for its next
    attempt, then JupyterLab on top of the store."""
    root = tmp_path / "root"
    root.mkdir()
    (root / "handlers.py").write_text(textwrap.dedent(HANDLERS))
    project = runlab.get_or_create_project("bounded", context=str(root))
    project.set_function("handlers.py", name="flaky", kind="job", handler="flaky")
    project.set_function("handlers.py", name="hung", kind="job", handler="hang")
    project.set_function("handlers.py", name="waiting", kind="job", handler="flaky")
    runs = {"flaky": project.run_function("flaky", params={"counter": str(tmp_path / "a")}, retry=2,
                                          retry_delay=0.1)}
    with pytest.raises(runlab.RunError) as caught:
        project.run_function("hung", timeout=1)
    runs["hung"] = caught.value.run
    runs["waiting"] = project.run_function("waiting", params={"counter": str(tmp_path / "b")}, retry=1,
                                           retry_delay=900, watch=False)
    assert wait_until(lambda: "retry" in runs["waiting"].refresh().to_dict()["status"], 60)
    server = LabServer(root, tmp_path / "state", {"RUNLAB_HOME": str(runlab_home)})
    server.runs = runs
    yield server
    server.stop()
    runs["waiting"].abort()


def _open_run(page, name: str, uid: str):
    """Open run ``uid`` of job ``name`` from the Jobs sidebar; the visible run view, on its Overview."""
    view = open_run_from_sidebar(page, name, uid)
    view.get_by_role("tab", name="Overview").click()
    return view


def _check_views(page, lab, theme: str) -> None:
    from playwright.sync_api import expect

    runs = lab.runs
    view = _open_run(page, "flaky", runs["flaky"].uid())
    rows = view.locator(".runlab-attempts tr[data-attempt]")
    expect(rows).to_have_count(3)
    expect(rows.locator(".runlab-badge")).to_have_text(["error", "error", "completed"])
    expect(rows.nth(0).locator(".runlab-attempts-error")).to_have_text("RuntimeError: flaky failure 1")
    expect(rows.nth(2).locator(".runlab-attempts-error")).to_have_text("")
    colours = rows.nth(0).locator(".runlab-attempts-error").evaluate(
        "(cell) => [getComputedStyle(cell).color, getComputedStyle(document.body).getPropertyValue("
        "'--jp-error-color1').trim()]")
    probe = page.evaluate("(c) => { const e = document.createElement('span'); e.style.color = c;"
                          " document.body.appendChild(e); const v = getComputedStyle(e).color; e.remove();"
                          " return v; }", colours[1])
    assert colours[0] == probe, f"{theme}: the attempt's error is in the theme's error colour"
    screenshot(page, f"attempts-flaky-{theme}")

    view = _open_run(page, "hung-hang", runs["hung"].uid())
    expect(view.locator(".runlab-error-box .runlab-error")).to_contain_text("timed out after 1 s")
    expect(view.locator("tr[data-row='timeout'] td")).to_have_text("1 s per attempt")
    screenshot(page, f"attempts-timed-out-{theme}")

    view = _open_run(page, "waiting-flaky", runs["waiting"].uid())
    expect(view.locator(".runlab-next-attempt")).to_have_text(re.compile(r"^attempt 2 of 2 in \d+ s$"))
    expect(view.locator(".runlab-run-header .runlab-badge")).to_have_text("pending")
    expect(view.locator(".runlab-attempts tr[data-attempt]")).to_have_count(1)
    screenshot(page, f"attempts-waiting-{theme}")


def test_the_run_view_shows_attempts_timeouts_and_the_next_attempt(lab):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright, chromium_page(playwright, "attempts-failure") as page:
        open_lab(page, lab)
        sidebar = page.locator("#jp-left-stack")
        _check_views(page, lab, "light")
        assert 240 <= sidebar.bounding_box()["width"] <= 260, "the default 250 px sidebar"
        set_theme(page, "JupyterLab Dark", light=False)
        _check_views(page, lab, "dark")
        page.reload()
        page.wait_for_selector(".jp-LabShell", timeout=60_000)
        _check_views(page, lab, "reloaded")
