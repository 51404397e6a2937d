"""The Jobs panel's server side and first paint, with 100,000 runs in the store (10 projects, 7 job names).

Timed through real HTTP against ``jupyter lab`` on 127.0.0.1 (median of 50 after 5 warm-ups): the jobs list
of a project, a run-history page (newest 20 runs of one job), and the jobs list answered 304 while nothing
changed (what the panel's polling costs). Beside them, the same jobs list called in-process (no HTTP) and a
bare ``/api/status`` request of the same server (the floor of an authenticated request). Then, if Debian's
Chromium is installed, the panel's first paint: from clicking the Jobs tab to the first job row drawn.
Targets: jobs list and history page under 50 ms; first paint under 1 s.

    .venv/bin/python benchmarks/bench_server.py [--strict] [--keep]
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

from _common import fresh_home, median, verdict
from bench_list_runs import PROJECT, fill

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]


def start_lab(home: str) -> tuple[subprocess.Popen, str, str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    token, state = secrets.token_hex(16), tempfile.mkdtemp(prefix="runlab-bench-lab-")
    settings = os.path.join(state, "settings", "@jupyterlab", "apputils-extension")
    os.makedirs(settings)
    with open(os.path.join(settings, "notification.jupyterlab-settings"), "w") as out:
        json.dump({"fetchNews": "false", "checkForUpdates": False}, out)
    process = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", "--ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={home}",
         f"--LabApp.workspaces_dir={state}/workspaces", f"--LabApp.user_settings_dir={state}/settings",
         "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "JUPYTER_CONFIG_DIR": f"{state}/config", "JUPYTER_RUNTIME_DIR": f"{state}/runtime"})
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2).read()
            return process, url, token
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("jupyter lab did not start") from None
            time.sleep(0.2)


def http_ms(url: str, token: str, headers: dict[str, str] | None = None, runs: int = 50) -> tuple[float, int]:
    """Median ms of a GET and its status."""
    status = 0
    times = []
    for i in range(runs + 5):
        request = urllib.request.Request(url, headers={"Authorization": f"token {token}", **(headers or {})})
        start = time.perf_counter()
        try:
            with urllib.request.urlopen(request) as response:
                response.read()
                status = response.status
        except urllib.error.HTTPError as err:  # 304 arrives as an HTTPError
            status = err.code
        if i >= 5:
            times.append((time.perf_counter() - start) * 1000)
    return median(times), status


def first_paint(url: str, token: str, samples: int = 5) -> float | None:
    """Seconds from clicking the Jobs tab to the first job row (the median of ``samples`` fresh pages), or
    None without Chromium/Playwright."""
    if not os.path.exists(CHROMIUM):
        return None
    from playwright.sync_api import sync_playwright

    times = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        for _ in range(samples):
            page = browser.new_page()
            page.goto(f"{url}/lab?token={token}")
            page.wait_for_selector("li[data-id='runlab-jobs']", timeout=60_000)
            page.evaluate(f"localStorage.setItem('runlab:jobs-project', '{PROJECT}')")
            start = time.perf_counter()
            page.click("li[data-id='runlab-jobs']")
            page.wait_for_selector("#runlab-jobs .runlab-job-row", timeout=30_000)
            times.append(time.perf_counter() - start)
            page.close()
        browser.close()
    print("first paints: " + ", ".join(f"{t:.3f}" for t in times) + " s")
    return median(times)


def main() -> None:
    home = fresh_home(cleanup=True)
    import runlab
    from runlab.server import api
    from runlab.store import get_store

    store = get_store()
    fill(store, home)
    runlab.get_or_create_project(PROJECT, context=home)
    print(f"{store.count_runs():,} runs in the store; project {PROJECT}: {store.count_runs(PROJECT):,}")
    in_process = []
    for _ in range(55):
        start = time.perf_counter()
        jobs = api.jobs(store, PROJECT)
        in_process.append((time.perf_counter() - start) * 1000)
    process, url, token = start_lab(home)
    try:
        base = f"{url}/runlab/api"
        floor, _ = http_ms(f"{url}/api/status", token)
        jobs_ms, _ = http_ms(f"{base}/projects/{PROJECT}/jobs", token)
        etag = urllib.request.urlopen(urllib.request.Request(
            f"{base}/projects/{PROJECT}/jobs", headers={"Authorization": f"token {token}"})).headers["ETag"]
        unchanged_ms, unchanged_status = http_ms(f"{base}/projects/{PROJECT}/jobs", token, {"If-None-Match": etag})
        history_ms, _ = http_ms(f"{base}/runs?project={PROJECT}&name=evaluate&limit=20", token)
        paint = first_paint(url, token)
    finally:
        process.terminate()
        process.wait(10)
    print(f"jobs list ({len(jobs)} jobs): {jobs_ms:.1f} ms over HTTP, {median(in_process[5:]):.1f} ms in-process")
    print(f"jobs list unchanged (304: {unchanged_status == 304}): {unchanged_ms:.1f} ms")
    print(f"run history page (20 runs): {history_ms:.1f} ms")
    print(f"floor: GET /api/status on the same server {floor:.1f} ms "
          f"(jobs {jobs_ms / floor:.1f}x, history {history_ms / floor:.1f}x)")
    verdict("jobs list over 100k runs", jobs_ms, 50, "ms")
    verdict("run history page over 100k runs", history_ms, 50, "ms")
    if paint is None:
        print("first paint: skipped (no /usr/bin/chromium)")
    else:
        verdict("Jobs panel first paint", paint, 1.0, "s")


if __name__ == "__main__":
    main()
