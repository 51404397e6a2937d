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
