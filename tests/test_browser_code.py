"""The run view's Code tab and the rerun warning in a real JupyterLab, driven in Debian's Chromium at the default
250 px sidebar, in the light and the dark theme and after a page reload: the run's file and sha256, the git
branch and its uncommitted diff with added and removed lines coloured, the environment's packages filtered; the
"Rerun with changes" dialog says the code changed since the run ran."""

from __future__ import annotations

import hashlib
import os
import subprocess
import textwrap

import pytest

import runlab
from labserver import CHROMIUM, LabServer, chromium_page, open_lab, screenshot, set_theme, wait_for_saved_layout

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs /usr/bin/chromium")]

HANDLERS = """
    def train(context, lr=0.1):
        context.log_result("accuracy", 0.5 + lr)
"""


def _git(folder, *args: str) -> None:
    subprocess.run(["git", "-C", str(folder), "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
                   check=True, capture_output=True)


@pytest.fixture
def lab(tmp_path, runlab_home):
    """A run of handlers.py from a git repository (branch ``study``) with one line changed and one removed
    since the commit; then JupyterLab on top of the store."""
    root = tmp_path / "root"
    root.mkdir()
    (root / "handlers.py").write_text(textwrap.dedent(HANDLERS) + "# old line\n")
    _git(root, "init", "-q", "-b", "study")
    _git(root, "add", ".")
    _git(root, "commit", "-qm", "first")
    (root / "handlers.py").write_text(textwrap.dedent(HANDLERS) + "# new line\n")
    project = runlab.get_or_create_project("code", context=str(root))
    project.set_function("handlers.py", name="fn", kind="job", handler="train")
    run = project.run_function("fn", params={"lr": 0.2})
    server = LabServer(root, tmp_path / "state", {"RUNLAB_HOME": str(runlab_home)})
    server.run = run
    yield server
    server.stop()


def _open_code_tab(page, uid: str):
    from playwright.sync_api import expect

    page.locator("li[data-id='runlab-jobs']").click()
    sidebar = page.locator("#runlab-jobs")
    width = sidebar.bounding_box()["width"]
    assert 240 <= width <= 260, f"the sidebar is {width} px wide, not JupyterLab's default 250"
    row = sidebar.locator(f".runlab-history-row[data-uid='{uid}']")
    if not row.is_visible():
        sidebar.locator("[data-job='fn-train']").click()
    row.click()
    view = page.locator(".runlab-run-panel:visible")
    view.get_by_role("tab", name="Code").click()
    expect(view.get_by_role("tab", name="Code")).to_have_attribute("aria-selected", "true")
    return view


def _check_code_tab(view, lab) -> None:
    """What the tab shows of the run: its file and sha256, git's branch and diff, the environment filtered."""
    from playwright.sync_api import expect

    code = view.locator(".runlab-code")
    spec = lab.run.spec["code"]
    expect(code).to_contain_text(spec["sha256"])
    expect(code).to_contain_text(str(lab.root / "handlers.py"))
    expect(code).to_contain_text("study")
    expect(code).to_contain_text("uncommitted changes")
    expect(code.locator(".runlab-diff-add")).to_have_text(["+# new line"])
    expect(code.locator(".runlab-diff-del")).to_have_text(["-# old line"])
    added = code.locator(".runlab-diff-add").evaluate("e => getComputedStyle(e).backgroundColor")
    removed = code.locator(".runlab-diff-del").evaluate("e => getComputedStyle(e).backgroundColor")
    plain = code.locator(".runlab-diff-same").first.evaluate("e => getComputedStyle(e.parentElement).backgroundColor")
    assert len({added, removed, plain}) == 3, f"added, removed and other lines look alike: {added} {removed} {plain}"
    packages = code.get_by_label("Packages").locator("li")
    expect(code).to_contain_text("packages")
    total = packages.count()
    assert total > 20, "the environment lists the installed packages"
    code.get_by_label("Filter packages").fill("sqlalchemy")
    expect(packages).to_have_count(1)
    expect(packages.first).to_have_text(__import__("re").compile(r"^sqlalchemy==\d"))
    expect(code.locator(".runlab-code-count")).to_contain_text(f"1 of {total} packages")
    code.get_by_label("Filter packages").fill("")
    expect(packages).to_have_count(total)


def test_the_code_tab_and_the_rerun_warning(lab):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright, chromium_page(playwright, "code-tab-failure") as page:
        open_lab(page, lab)
        view = _open_code_tab(page, lab.run.uid())
        assert view.locator(".runlab-code").count() == 1, "this build's Code tab is what the page shows"
        _check_code_tab(view, lab)
        screenshot(page, "code-tab-light")

        # the file changes after the run: "Rerun with changes" says so above its form, then is cancelled
        (lab.root / "handlers.py").write_text(textwrap.dedent(HANDLERS) + "# newer line\n")
        new = hashlib.sha256((lab.root / "handlers.py").read_bytes()).hexdigest()
        view.get_by_role("button", name="Rerun with changes…").click()
        dialog = page.locator(".jp-Dialog .runlab-job-dialog")
        warning = dialog.locator(".runlab-rerun-drift")
        expect(warning).to_contain_text(f"handlers.py {lab.run.spec['code']['sha256'][:8]} → {new[:8]}")
        expect(warning).to_have_attribute("role", "alert")
        screenshot(page, "code-rerun-warning-light")
        page.locator(".jp-Dialog").get_by_role("button", name="Cancel").click()
        expect(dialog).to_have_count(0)

        set_theme(page, "JupyterLab Dark", light=False)
        _check_code_tab(view, lab)
        screenshot(page, "code-tab-dark")
        view.get_by_role("button", name="Rerun with changes…").click()
        expect(page.locator(".jp-Dialog .runlab-rerun-drift")).to_be_visible()
        screenshot(page, "code-rerun-warning-dark")
        page.locator(".jp-Dialog").get_by_role("button", name="Cancel").click()

        wait_for_saved_layout(lab, current=f"runlab-run:{lab.run.uid()}")  # what the reload restores
        page.reload()
        page.wait_for_selector(".jp-LabShell", timeout=60_000)
        expect(page.locator("body[data-jp-theme-light='false']")).to_have_count(1)
        view = page.locator(".runlab-run-panel:visible")
        expect(view.locator(".runlab-run-header h2")).to_contain_text("fn-train")
        view.get_by_role("tab", name="Code").click()
        _check_code_tab(view, lab)
        screenshot(page, "code-tab-reloaded-dark")
        set_theme(page, "JupyterLab Light", light=True)  # the next test starts from the default theme
