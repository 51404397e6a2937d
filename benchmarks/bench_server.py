"""The Jobs panel's server side and first paint, with 100,000 then 1,000,000 runs in the store (10 projects,
7 job names).

Timed through real HTTP against ``jupyter lab`` on 127.0.0.1 (median of 100 rounds that ask each in turn,
after 50 requests of each kind to warm the server up): the jobs list
of a project, a run-history page (newest 20 runs of one job), and the jobs list answered 304 while nothing
changed (what the panel's polling costs), and the runs that ended in the last minute (``GET /runlab/api/ended``, what
the end-of-run notifications poll every 2 s: asked for the runs of a kernel of this server, 10 listed, and for a
minute whose runs are all another kernel's, none listed). Beside them, the same jobs list called in-process (no
HTTP) and a bare ``/api/status`` request of the same server (the floor of an authenticated request). Then, if Debian's
Chromium is installed, the panel's first paint: from clicking the Jobs tab to the first job row drawn.
Then 900,000 small runs more are bulk-inserted (``executemany`` on the SQLite file, the jobs summary rebuilt
as the migration fills it) and the HTTP figures are taken again. Targets: jobs list and history page under
50 ms; the jobs list (200 and 304) and the ended runs (both questions) at most 3x the floor at both sizes; first
paint under 1 s.

    .venv/bin/python benchmarks/bench_server.py [--strict] [--keep] [--no-paint]
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import random
import secrets
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

from _common import fresh_home, median, ratio_verdict, verdict
from bench_list_runs import NAMES, PROJECT, fill

MILLION = 1_000_000
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]


def start_lab(home: str, *extra_args: str) -> tuple[subprocess.Popen, str, str]:
    """``jupyter lab`` on a free port of 127.0.0.1 with ``home`` as its root (and ``extra_args``), answering;
    its process, URL and token."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    token, state = secrets.token_hex(16), tempfile.mkdtemp(prefix="runlab-bench-lab-")
    atexit.register(shutil.rmtree, state, ignore_errors=True)
    settings = os.path.join(state, "settings", "@jupyterlab", "apputils-extension")
    os.makedirs(settings)
    with open(os.path.join(settings, "notification.jupyterlab-settings"), "w") as out:
        json.dump({"fetchNews": "false", "checkForUpdates": False}, out)
    process = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", "--ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={home}",
         f"--LabApp.workspaces_dir={state}/workspaces", f"--LabApp.user_settings_dir={state}/settings",
         "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate", *extra_args],
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


@contextlib.contextmanager
def lab_in_chromium(home: str, path: str = "", *extra_args: str) -> Iterator[Any]:
    """A Chromium page on ``jupyter lab`` (``start_lab(home, *extra_args)``) at ``/lab/tree/<path>``, started (the
    splash gone, a main-area tab shown); the browser and the server are stopped on leaving."""
    from playwright.sync_api import sync_playwright

    process, url, token = start_lab(home, *extra_args)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"{url}/lab/tree/{path}?token={token}" if path else f"{url}/lab?token={token}")
            page.wait_for_selector("#jupyterlab-splash", state="detached", timeout=60_000)
            page.wait_for_selector("#jp-main-dock-panel .lm-TabBar-tab", timeout=60_000)
            yield page, url, token
            browser.close()
    finally:
        process.terminate()
        process.wait(timeout=30)


def get_ms(url: str, token: str, headers: dict[str, str] | None = None) -> tuple[float, int]:
    """Milliseconds of one GET and its status."""
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}", **(headers or {})})
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(request) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as err:  # 304 arrives as an HTTPError
        status = err.code
    return (time.perf_counter() - start) * 1000, status


def http_ms(url: str, token: str, headers: dict[str, str] | None = None, runs: int = 50) -> tuple[float, int]:
    """Median ms of a GET and its status."""
    status, times = 0, []
    for i in range(runs + 5):
        took, status = get_ms(url, token, headers)
        if i >= 5:
            times.append(took)
    return median(times), status


def first_paint(url: str, token: str, samples: int = 5) -> float | None:
    """Seconds from clicking the Jobs tab to the first job row (the median of ``samples`` fresh pages), or
    None without Chromium/Playwright or with ``--no-paint``."""
    if not os.path.exists(CHROMIUM) or "--no-paint" in sys.argv:
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


def add_lean_runs(home: str, total: int, projects: int, seed: int = 11) -> float:
    """Bulk-insert ``total`` small runs (the 7 job names, ``projects`` projects) straight into the SQLite file
    with ``executemany`` (a transaction per 100,000), older than those already stored, then rebuild the jobs
    summary as the store's migration fills it; returns the seconds it took."""
    # uids in ascending order (their index grows at its end), after a random prefix of this batch
    prefix, t0, start = f"{random.Random(seed).getrandbits(32):08x}", time.time() - 10 * total, time.perf_counter()
    labels, spec, empty = json.dumps({"kind": "job", "owner": "bench"}), json.dumps({"handler": "h"}), "{}"
    conn = sqlite3.connect(os.path.join(home, "runlab.db"), isolation_level=None)
    conn.execute("PRAGMA busy_timeout=60000")
    conn.execute("PRAGMA cache_size=-262144")  # 256 MiB: the indexes being filled stay in memory
    conn.execute("PRAGMA temp_store=MEMORY")  # each row's statement journal (the summary's trigger) in memory
    for first in range(0, total, 100_000):
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(
            "INSERT INTO runs (uid, iteration, project, name, kind, state, labels, spec, results, status, error,"
            " start_time, last_update, end_time, pid, host, owner) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            ((f"{prefix}{i:024x}", 0, f"proj-{i % projects}", NAMES[i % len(NAMES)], "job", "completed",
              labels, spec, empty, empty, None, t0 + i * 0.5, t0 + i * 0.5 + 2, t0 + i * 0.5 + 2, None, None, None)
             for i in range(first, min(first + 100_000, total))))
        conn.execute("COMMIT")
    try:
        from runlab.store import jobsummary
    except ImportError:  # a runlab without the jobs summary (to compare with)
        jobsummary = None
    if jobsummary is not None:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("DELETE FROM job_summary")
        conn.execute(jobsummary.FILL)
        conn.execute("COMMIT")
    conn.close()
    return time.perf_counter() - start


def start_kernel(url: str, token: str) -> str:
    """A kernel of the server (its id): runs that name it are "started from this JupyterLab"."""
    request = urllib.request.Request(f"{url}/api/kernels", method="POST", data=b'{"name": "python3"}',
                                     headers={"Authorization": f"token {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())["id"]


def add_recent_runs(home: str, kernel: str, count: int = 10) -> tuple[float, float]:
    """``count`` runs of ``kernel`` that ended 45 s ago and ``count`` of another kernel that ended 20 s ago, in
    project PROJECT; the ``since`` of a question whose minute holds both (``kernel``'s listed) and of one whose
    half minute holds only the other kernel's (none listed)."""
    now, prefix = time.time(), f"{random.getrandbits(32):08x}"
    rows = []
    for i in range(2 * count):
        mine = i < count
        end = now - (45 if mine else 20)
        owner = json.dumps({"runtime": "job", "kernel": kernel if mine else "0" * 8 + "-other-kernel"})
        rows.append((f"{prefix}{i:024x}", 0, PROJECT, NAMES[i % len(NAMES)], "job", "completed", "{}",
                     json.dumps({"handler": "h"}), "{}", "{}", None, end - 3, end, end, None, None, owner))
    conn = sqlite3.connect(os.path.join(home, "runlab.db"), isolation_level=None)
    conn.execute("PRAGMA busy_timeout=60000")
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(
        "INSERT INTO runs (uid, iteration, project, name, kind, state, labels, spec, results, status, error,"
        " start_time, last_update, end_time, pid, host, owner) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    conn.execute("COMMIT")
    conn.close()
    return now - 59, now - 30


def measure(url: str, token: str, home: str, kernel: str, rounds: int = 100) -> dict[str, float]:
    """The jobs list (200 and 304), a history page, the ended runs (of this server's kernel, and none) and
    the floor, over HTTP: the median ms of ``rounds`` requests of each, asked in turns (one of each kind per
    round), so a shared machine's load falls on the floor and the figures alike."""
    base = f"{url}/runlab/api"
    with_kernel, without = add_recent_runs(home, kernel)
    ended = {"ended": f"{base}/ended?since={with_kernel}", "ended_none": f"{base}/ended?since={without}"}
    for kind, expected in (("ended", 10), ("ended_none", 0)):
        request = urllib.request.Request(ended[kind], headers={"Authorization": f"token {token}"})
        listed = len(json.loads(urllib.request.urlopen(request).read())["runs"])
        if listed != expected:
            raise RuntimeError(f"{ended[kind]} listed {listed} runs, not {expected}")
    for warm_up in (f"{url}/api/status", f"{base}/projects/{PROJECT}/jobs", f"{base}/runs?project={PROJECT}&limit=20",
                    *ended.values()):
        http_ms(warm_up, token, runs=50)  # the panel polls a warm server: the first ~50 requests run slower
    etag = urllib.request.urlopen(urllib.request.Request(
        f"{base}/projects/{PROJECT}/jobs", headers={"Authorization": f"token {token}"})).headers["ETag"]
    kinds = {"floor": (f"{url}/api/status", None, 200), "jobs": (f"{base}/projects/{PROJECT}/jobs", None, 200),
             "unchanged": (f"{base}/projects/{PROJECT}/jobs", {"If-None-Match": etag}, 304),
             "history": (f"{base}/runs?project={PROJECT}&name=evaluate&limit=20", None, 200),
             "ended": (ended["ended"], None, 200), "ended_none": (ended["ended_none"], None, 200)}
    times: dict[str, list[float]] = {kind: [] for kind in kinds}
    for _ in range(rounds):
        for kind, (address, headers, expected) in kinds.items():
            took, status = get_ms(address, token, headers)
            if status != expected:
                raise RuntimeError(f"{kind}: {address} answered {status}, not {expected}")
            times[kind].append(took)
    return {kind: median(found) for kind, found in times.items()}


def in_process_ms(store) -> tuple[float, int]:
    """Median ms of the jobs list's two calls in-process (the change stamp, then the jobs), and the jobs."""
    from runlab.server import api

    times = []
    for _ in range(55):
        start = time.perf_counter()
        api.stamp(store, PROJECT)
        jobs = api.jobs(store, PROJECT)
        times.append((time.perf_counter() - start) * 1000)
    return median(times[5:]), len(jobs)


def report(label: str, found: dict[str, float], in_process: float, jobs: int) -> None:
    floor = found["floor"]
    print(f"[{label}] jobs list ({jobs} jobs): {found['jobs']:.1f} ms over HTTP ({found['jobs'] / floor:.1f}x), "
          f"{in_process:.2f} ms in-process (stamp and jobs); unchanged (304): {found['unchanged']:.1f} ms "
          f"({found['unchanged'] / floor:.1f}x); history page (20 runs): {found['history']:.1f} ms "
          f"({found['history'] / floor:.1f}x); ended runs (a kernel's 10): {found['ended']:.1f} ms "
          f"({found['ended'] / floor:.1f}x), (none of its kernels): {found['ended_none']:.1f} ms "
          f"({found['ended_none'] / floor:.1f}x); floor GET /api/status {floor:.1f} ms")


def main() -> None:
    home = fresh_home(cleanup=True)
    import runlab
    from runlab.store import get_store

    store = get_store()
    fill(store, home)
    runlab.get_or_create_project(PROJECT, context=home)
    sizes = {"100k": (store.count_runs(), store.count_runs(PROJECT))}
    timings: dict[str, tuple[dict[str, float], float, int]] = {}
    in_process = in_process_ms(store)
    process, url, token = start_lab(home)
    try:
        kernel = start_kernel(url, token)
        timings["100k"] = (measure(url, token, home, kernel), *in_process)
        try:
            paint: float | str | None = first_paint(url, token)
        except Exception as exc:  # noqa: BLE001 - the browser's failure is reported; the HTTP figures go on
            paint = f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
        added = add_lean_runs(home, MILLION - store.count_runs(), 10)
        sizes["1M"] = (store.count_runs(), store.count_runs(PROJECT))
        print(f"added {sizes['1M'][0] - sizes['100k'][0]:,} small runs in {added:.1f} s")
        in_process = in_process_ms(store)
        timings["1M"] = (measure(url, token, home, kernel), *in_process)
    finally:
        process.terminate()
        process.wait(10)
    for label, (total, in_project) in sizes.items():
        print(f"{label}: {total:,} runs in the store; project {PROJECT}: {in_project:,}")
        report(label, *timings[label])
    for label, (found, _, _) in timings.items():
        verdict(f"jobs list over {label} runs", found["jobs"], 50, "ms")
        ratio_verdict(f"jobs list over {label} runs vs GET /api/status", found["jobs"], found["floor"], 3)
        ratio_verdict(f"jobs list unchanged (304) over {label} runs vs GET /api/status", found["unchanged"],
                      found["floor"], 3)
        verdict(f"run history page over {label} runs", found["history"], 50, "ms")
        ratio_verdict(f"ended runs (a kernel's) over {label} runs vs GET /api/status", found["ended"],
                      found["floor"], 3)
        ratio_verdict(f"ended runs (none of its kernels) over {label} runs vs GET /api/status", found["ended_none"],
                      found["floor"], 3)
    if paint is None:
        print("first paint: skipped (no /usr/bin/chromium, or --no-paint)")
    elif isinstance(paint, str):
        verdict("Jobs panel first paint", float("inf"), 1.0, "s", [paint])
    else:
        verdict("Jobs panel first paint", paint, 1.0, "s")

if __name__ == "__main__":
    main()
