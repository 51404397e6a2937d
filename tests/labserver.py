"""A real ``jupyter lab`` on 127.0.0.1 for browser tests, and Debian's Chromium driven by Playwright.

Each server gets fresh config, runtime, workspace and settings folders (a saved workspace would change
what a click does), no news or update checks, and a token. Chromium is ``/usr/bin/chromium`` (``make
test`` installs it); Playwright never downloads a browser here.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-artifacts"


class LabServer:
    """``jupyter lab`` serving ``root`` with ``env`` (the runlab settings its kernels inherit)."""

    def __init__(self, root: Path, state: Path, env: dict[str, str], server_config: dict | None = None,
                 port: int | None = None, token: str | None = None) -> None:
        """``port`` and ``token`` (a free port and a new token unless given) let a test start a server again
        where a stopped one was, for a page that is still open."""
        if port is None:
            with socket.socket() as sock:
                sock.bind(("127.0.0.1", 0))
                port = sock.getsockname()[1]
        self.port = port
        self.token = token or secrets.token_hex(16)
        self.root = root
        settings = state / "settings"
        notification = settings / "@jupyterlab" / "apputils-extension"
        notification.mkdir(parents=True)
        (notification / "notification.jupyterlab-settings").write_text(
            json.dumps({"fetchNews": "false", "checkForUpdates": False}))
        if server_config:  # the user's config folder wins over what installed packages enable
            (state / "config").mkdir()
            (state / "config" / "jupyter_server_config.json").write_text(json.dumps(server_config))
        self.log = (state / "lab.log").open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", "--ip=127.0.0.1",
             f"--port={self.port}", f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={root}",
             f"--LabApp.workspaces_dir={state / 'workspaces'}", f"--LabApp.user_settings_dir={settings}",
             "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
             "--LabApp.extension_manager=readonly"],
            cwd=root, stdout=self.log, stderr=subprocess.STDOUT,
            env={**os.environ, **env, "JUPYTER_CONFIG_DIR": str(state / "config"),
                 "JUPYTER_RUNTIME_DIR": str(state / "runtime")},
        )
        self._wait_until_up()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _wait_until_up(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"jupyter lab exited with {self.process.returncode}; see {self.log.name}")
            try:
                urllib.request.urlopen(f"{self.url}/api/status?token={self.token}", timeout=2).read()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"jupyter lab did not answer within {timeout} s; see {self.log.name}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def launch_chromium(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


@contextlib.contextmanager
def chromium_page(playwright, failure: str, viewport: dict[str, int] | None = None) -> Iterator[Any]:
    """A page in a fresh Chromium, closed after the block; if the block fails, a screenshot named ``failure``
    is saved first (what the page showed is what explains most browser-test failures)."""
    browser = launch_chromium(playwright)
    page = browser.new_page(viewport=viewport or {"width": 1280, "height": 900})
    try:
        yield page
    except Exception:
        screenshot(page, failure)
        raise
    finally:
        browser.close()


def screenshot(page, name: str) -> Path:
    """Save a screenshot under test-artifacts/ (kept after the run)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


# Steps shared by the browser tests of the main-area views. Every wait is on a condition with a generous
# deadline: on a loaded machine JupyterLab can take many seconds to start, restore its layout and render.
WAIT_MS = 30_000


@contextlib.contextmanager
def runlab_lab(tmp_path: Path, runlab_home: Path) -> Iterator[LabServer]:
    """A ``LabServer`` on a fresh folder whose kernels use the runlab home ``runlab_home``; stopped after."""
    root = tmp_path / "root"
    root.mkdir()
    server = LabServer(root, tmp_path / "state", {"RUNLAB_HOME": str(runlab_home)})
    try:
        yield server
    finally:
        server.stop()


def open_lab(page, lab: LabServer) -> None:
    """JupyterLab in ``page``, with runlab's Jobs sidebar entry (so runlab's commands are registered)."""
    from playwright.sync_api import expect

    # every expectation of the test gets the generous deadline, not Playwright's 5 s
    expect.set_options(timeout=WAIT_MS)
    page.goto(f"{lab.url}/lab?token={lab.token}")
    page.wait_for_selector(".jp-LabShell", timeout=60_000)
    expect(page.locator("li[data-id='runlab-jobs']")).to_be_visible(timeout=WAIT_MS)
    wait_for_startup(page)


def wait_for_startup(page) -> None:
    """Wait until JupyterLab has finished starting: its splash screen is gone (the layout is restored) and the
    main area shows a tab (a restored widget, or the Launcher it opens into an empty main area after the file
    browser restores). The Launcher takes the focus and becomes the current widget when it opens, so a step
    taken before it (a focused row, a palette command for the current widget) could be undone by it."""
    from playwright.sync_api import expect

    page.wait_for_selector("#jupyterlab-splash", state="detached", timeout=60_000)
    expect(page.locator("#jp-main-dock-panel .lm-TabBar-tab").first).to_be_visible(timeout=WAIT_MS)


def open_run_from_sidebar(page, name: str, uid: str):
    """Open run ``uid`` of job ``name`` from the Jobs sidebar (opened, and the job's history shown, when they are
    not); returns the visible run view once its heading names the run."""
    from playwright.sync_api import expect

    if not page.locator("#runlab-jobs").is_visible():
        page.locator("li[data-id='runlab-jobs']").click()
    panel = page.locator("#runlab-jobs")
    row = panel.locator(f".runlab-history-row[data-uid='{uid}']")
    if not row.is_visible():
        panel.locator(f"[data-job='{name}']").click()
    row.click()
    view = page.locator(".runlab-run-panel:visible")
    expect(view.locator(".runlab-run-header h2")).to_contain_text(name, timeout=WAIT_MS)
    return view


def wait_for_saved_workspace(lab: LabServer, text: str, workspace: str = "default") -> None:
    """Wait until the workspace JupyterLab saved on the server holds ``text`` (in its JSON as ``json.dumps``
    writes it: ``"key": "team"``). JupyterLab saves the layout and the views' state a moment after they
    change, so a page reload right after a change could restore the state before it."""
    from waiting import wait_until

    def saved() -> bool:
        url = f"{lab.url}/lab/api/workspaces/{workspace}?token={lab.token}"
        with urllib.request.urlopen(url, timeout=10) as answer:
            return text in json.dumps(json.loads(answer.read()))

    wait_until(saved, timeout=WAIT_MS / 1000, what=f"the workspace saved with {text!r}")



def wait_for_saved_layout(lab: LabServer, *views: str, current: str | None = None,
                          workspace: str = "default") -> None:
    """Wait until the layout JupyterLab saved on the server has each of ``views`` (restorer names such as
    ``runlab-run:<uid>``) open in the main area, and ``current`` shown there when given. A view's own state is
    saved as soon as it opens, under the same name, but the layout a moment after it changes: only the layout
    says what a reload puts back, and which view it shows."""
    from waiting import wait_until

    def widgets(area: dict) -> set[str]:
        found = set(area.get("widgets") or ())
        for child in area.get("children") or ():
            found |= widgets(child)
        return found

    def saved() -> bool:
        url = f"{lab.url}/lab/api/workspaces/{workspace}?token={lab.token}"
        with urllib.request.urlopen(url, timeout=10) as answer:
            main = json.loads(answer.read())["data"].get("layout-restorer:data", {}).get("main") or {}
        return set(views) <= widgets(main.get("dock") or {}) and (current is None or main.get("current") == current)

    wait_until(saved, timeout=WAIT_MS / 1000, what=f"the layout saved with {views} open, {current} shown")

def palette_item(page, query: str, item: str | None = None):
    """The command palette, opened and filtered with ``query``, and its visible entry that shows ``item``
    (``query`` itself by default).

    The palette is modal and closes when it loses focus, which JupyterLab still finishing its start-up can take
    (restoring the layout, a panel activating); a key pressed while it is opening closes it again. So each step
    is checked, and done again until the entry shows or the deadline passes."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    box = page.locator(".lm-CommandPalette-input")
    entry = page.locator(".lm-CommandPalette-item:visible", has_text=item or query)
    deadline = time.monotonic() + WAIT_MS / 1000
    attempt = 0
    while True:
        try:
            if not box.is_visible():
                attempt += 1
                if attempt % 2:  # the shortcut, then the View menu's entry: a key can arrive before its handler
                    # keys go to the page: click the tab of the current main-area widget (a click on another
                    # tab, or in a widget, would change what the palette's commands apply to)
                    current = page.locator("#jp-main-dock-panel .lm-TabBar-tab.jp-mod-current")
                    if current.count():
                        current.first.click()
                    else:  # no widget is current yet: the dock itself
                        page.locator("#jp-main-dock-panel").click(position={"x": 5, "y": 5})
                    page.keyboard.press("Control+Shift+KeyC")
                else:
                    page.locator(".lm-MenuBar-itemLabel", has_text="View").click()
                    page.locator(".lm-Menu-itemLabel", has_text="Activate Command Palette").click()
                box.wait_for(state="visible", timeout=5_000)
            if box.input_value() != query:
                box.fill(query)
            entry.first.wait_for(state="visible", timeout=5_000)
            return entry
        except PlaywrightTimeout:
            if time.monotonic() >= deadline:
                raise AssertionError(f"the command palette did not show {item or query!r} within "
                                     f"{WAIT_MS // 1000} s") from None


def set_theme(page, name: str, light: bool) -> None:
    """Switch to the theme ``name`` from the Settings menu and wait until the page has it."""
    from playwright.sync_api import expect

    page.locator("#jp-MainMenu").get_by_text("Settings", exact=True).click()
    page.locator(".lm-Menu-item", has_text="Theme").first.click()
    page.get_by_role("menuitem", name=name, exact=True).click()
    expect(page.locator(f"body[data-jp-theme-light='{str(light).lower()}']")).to_have_count(1, timeout=WAIT_MS)
