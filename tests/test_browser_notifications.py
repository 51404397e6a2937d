"""End-of-run notifications in a real JupyterLab, driven in Debian's Chromium: background runs started from a
notebook announce their end once (a failure stays until dismissed, a sweep is one notification), Logs opens
the run on its log, a reload repeats nothing, a run that ended while no page was open is announced on the
next opening (more than five: five, then one "N more runs ended while you were away"), two tabs announce a
run once between them, and a change in the Settings Editor ("only errors", off) applies without a reload;
light and dark theme.

One server, one kernel and one browser for the module. The kernel is a notebook's session started through the
REST API: the test starts runs in it (runs "started from this JupyterLab") and decides when a run ends (its
handler waits for a file), so no step waits on the clock; the user's settings announce runs of any duration.
"""

from __future__ import annotations

import json
import os
import re
import textwrap
import urllib.request

import nbformat
import pytest

from forkservers import stop_fork_servers
from labkernel import LabKernel
from labserver import CHROMIUM, CHROMIUM_ARGS, WAIT_MS, LabServer, screenshot, set_theme
from runlab import process
from waiting import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs /usr/bin/chromium")]

HANDLERS = """
    import os
    import time


    def nap(context, seconds=0.0, gate=""):
        print(f"napping for {seconds} s", flush=True)
        time.sleep(seconds)
        # the run goes on until the test creates the file ``gate``: the test decides when it ends
        deadline = time.monotonic() + 300
        while gate and not os.path.exists(gate):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{gate} never appeared")
            time.sleep(0.05)
        context.log_result("slept", seconds)


    def broken(context):
        raise ValueError("the data has no column 'label'")
"""

FUNCTIONS = {"sleeper": "nap", "breaker": "broken", "sweeper": "nap", "marker": "nap", "away": "nap",
             "quick": "nap", "tabbed": "nap", "fine": "nap"}
SETUP = ("import runlab\n"
         "project = runlab.get_or_create_project('notes', context='./')\n"
         f"for name, handler in {sorted(FUNCTIONS.items())!r}:\n"
         "    project.set_function('handlers.py', name=name, kind='job', handler=handler)")
CELLS = [
    SETUP,
    "failing = project.run_function('breaker', watch=False)",
    "sleeping = project.run_function('sleeper', params={'seconds': 0.5}, watch=False)",
    "sweep = project.run_function('sweeper', hyperparams={'seconds': [0.1, 0.2, 0.3]}, selector='max.slept',\n"
    "                             watch=False)",
]
SETTINGS = "runlab-labextension:notifications"
USER_SETTINGS = {"notifications": {"minDuration": 0}}  # as the Settings Editor writes it: runs of any duration


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    base = tmp_path_factory.mktemp("notifications")
    root, home, state = base / "root", base / "home", base / "state"
    root.mkdir()
    (root / "handlers.py").write_text(textwrap.dedent(HANDLERS))
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in CELLS]
    nbformat.write(notebook, root / "jobs.ipynb")
    plugin = state / "settings" / "runlab-labextension"
    plugin.mkdir(parents=True)
    (plugin / "notifications.jupyterlab-settings").write_text(json.dumps(USER_SETTINGS))
    server = LabServer(root, state, {"RUNLAB_HOME": str(home), "RUNLAB_ARTIFACT_PATH": str(root / "artifacts")})
    server.home, server.runtime = home, state / "runtime"
    yield server
    server.stop()
    stop_fork_servers(home)


@pytest.fixture(scope="module")
def kernel(lab):
    """The kernel of jobs.ipynb's session, with the project and its functions defined."""
    started = LabKernel(lab, lab.runtime, "jobs.ipynb")
    started.run(SETUP)
    yield started
    started.stop()


@pytest.fixture(scope="module")
def browser(lab):
    """One browser context (one profile: its localStorage is shared by its pages, as a user's tabs share it)."""
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=WAIT_MS)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium.new_context(viewport={"width": 1280, "height": 900})
        finally:
            chromium.close()


@pytest.fixture
def home(lab, runlab_home, monkeypatch):
    """This process's runlab on the server's store (runs started from the test, not from a kernel)."""
    monkeypatch.setenv("RUNLAB_HOME", str(lab.home))
    process.reset()
    yield lab.home
    process.reset()


def _open(page, lab, path: str = "") -> None:
    from playwright.sync_api import expect

    page.goto(f"{lab.url}/lab{'/tree/' + path if path else ''}?token={lab.token}")
    page.wait_for_selector(".jp-LabShell", timeout=60_000)
    expect(page.locator("li[data-id='runlab-jobs']")).to_be_visible(timeout=30_000)


def _toasts(page):
    return page.locator(".jp-toastContainer .Toastify__toast")


def _run_all(page) -> None:
    from playwright.sync_api import expect

    expect(page.locator(".jp-StatusBar-Widget", has_text="Idle").first).to_be_visible(timeout=60_000)
    page.locator("#jp-MainMenu").get_by_text("Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()


def _get(lab, path: str):
    separator = "&" if "?" in path else "?"
    return json.loads(urllib.request.urlopen(f"{lab.url}/{path}{separator}token={lab.token}", timeout=10).read())


def _state(lab, name: str) -> str | None:
    """The state of the newest run of job ``name`` (through the REST API)."""
    runs = _get(lab, f"runlab/api/runs?project=notes&name={name}&limit=1")["runs"]
    return runs[0]["status"]["state"] if runs else None


def _states(lab, uids: list[str]) -> list[str]:
    return [_get(lab, f"runlab/api/runs/{uid}")["status"]["state"] for uid in uids]


def _ended(lab, uids: list[str]) -> bool:
    return all(state in ("completed", "error", "aborted") for state in _states(lab, uids))


def failing_uid(lab) -> str:
    """The uid of the first breaker run (the one the notebook started)."""
    runs = _get(lab, "runlab/api/runs?project=notes&name=breaker-broken&sort=start&limit=1")["runs"]
    return runs[0]["metadata"]["uid"]


def _workspace_has(lab, key: str) -> bool:
    return key in _get(lab, "lab/api/workspaces/default").get("data", {})


def _ledger(page) -> dict:
    """What this browser's pages announced (the ledger the notifier keeps in localStorage)."""
    return page.evaluate("""() => {
        const key = Object.keys(localStorage).find(k => k.startsWith('runlab-labextension:notifications:ledger'));
        return key ? JSON.parse(localStorage.getItem(key)) : {};
    }""")


def _start(kernel, variable: str, function: str, **params) -> str:
    """Start ``function`` in the kernel with ``params`` as ``variable``; its uid."""
    kernel.run(f"{variable} = project.run_function({function!r}, params={params!r}, watch=False)")
    return kernel.value(f"{variable}.uid()")
def test_more_than_five_runs_ended_while_away_are_counted(lab, kernel, browser):
    """Seven runs end while no page is open: the next page shows the newest five and one line for the two
    others, which stays (with a button to the Jobs sidebar). First in the module: no other run ended in the
    minute the question looks back."""
    from playwright.sync_api import expect

    page = browser.new_page()
    try:
        _open(page, lab)
        wait_until(lambda: _ledger(page).get("cursor") is not None, timeout=30, what="the first answer")
        page.close()
        kernel.run("quick = [project.run_function('quick', watch=False) for _ in range(7)]")
        uids = json.loads(kernel.value("__import__('json').dumps([run.uid() for run in quick])"))
        wait_until(lambda: _ended(lab, uids), timeout=60, what="the seven runs ended")
        page = browser.new_page()
        _open(page, lab)
        toasts = _toasts(page)
        more = toasts.filter(has_text="2 more runs ended while you were away")
        expect(toasts.filter(has_text="quick-nap completed in")).to_have_count(5)
        expect(more).to_have_count(1)
        expect(more).to_have_class(re.compile(r"\bjp-Notification-Toast-info\b"))
        more.hover()
        screenshot(page, "notifications-more-while-away-light")
        more.get_by_role("button", name="Open Jobs").click()
        expect(page.locator("#runlab-jobs")).to_be_visible()
    except Exception:
        screenshot(page, "notifications-more-failure")
        raise
    finally:
        page.close()


def _follow_from_its_header(page, lab):
    """Start a run from this process (not one of the server's kernels), open its view from the Jobs sidebar's
    history and click the bell in its header; the run, to be aborted by the caller."""
    from playwright.sync_api import expect

    import runlab

    project = runlab.get_or_create_project("notes", context=str(lab.root))
    elsewhere = project.run_function("sleeper", params={"seconds": 300}, watch=False)
    page.locator("li[data-id='runlab-jobs']").click()
    panel = page.locator("#runlab-jobs")
    job = panel.locator("[data-job='sleeper-nap']")
    expect(job.locator(".runlab-badge")).to_have_text(re.compile("^(pending|running)$"))  # not ended: followable
    job.click()
    panel.locator(f".runlab-history-row[data-uid='{elsewhere.uid()}']").click()
    view = page.locator(".runlab-run-panel:visible")
    expect(view.locator(f".runlab-run[data-uid='{elsewhere.uid()}']")).to_be_visible()
    bell = view.locator(".runlab-follow-run")
    expect(bell).to_have_attribute("aria-pressed", "false")
    bell.click()
    expect(bell).to_have_attribute("aria-pressed", "true")
    wait_until(lambda: _workspace_has(lab, "runlab-labextension:notifications:following"), timeout=30,
               what="the followed run saved in the workspace")
    screenshot(page, "notifications-follow-bell-light")
    return elsewhere


def test_end_of_run_notifications(lab, kernel, browser, home):
    from playwright.sync_api import expect

    page = browser.new_page()
    elsewhere = None
    try:
        _open(page, lab, "jobs.ipynb")
        toasts = _toasts(page)
        _run_all(page)

        failed = toasts.filter(has_text="breaker-broken failed after")
        expect(failed).to_have_count(1, timeout=60_000)
        expect(failed).to_contain_text("ValueError: the data has no column 'label'")
        expect(failed).to_have_class(re.compile(r"\bjp-Notification-Toast-error\b"))
        for button in ("Open", "Logs", "Rerun"):
            expect(failed.get_by_role("button", name=button, exact=True)).to_be_visible()

        completed = toasts.filter(has_text="sleeper-nap completed in")
        expect(completed).to_have_count(1, timeout=60_000)
        expect(completed).to_have_class(re.compile(r"\bjp-Notification-Toast-success\b"))
        completed.hover()  # a toast under the pointer waits: the screenshot shows it
        screenshot(page, "notifications-light")

        # Logs opens the run's view on its Logs tab
        completed.get_by_role("button", name="Logs", exact=True).click()
        view = page.locator(".runlab-run-panel:visible")
        expect(view.locator(".runlab-run-header h2")).to_contain_text("sleeper-nap")
        expect(view.get_by_role("tab", name="Logs")).to_have_attribute("aria-selected", "true")
        expect(view.locator(".runlab-log")).to_contain_text("napping for 0.5 s")

        sweep = toasts.filter(has_text="sweeper-nap")
        expect(sweep).to_have_count(1, timeout=60_000)
        expect(sweep).to_contain_text("sweeper-nap: 3 done (best #3)")

        # the successes close by themselves (once the pointer leaves them); the failure is still there after them
        page.mouse.move(5, 400)
        expect(completed).to_have_count(0)
        expect(sweep).to_have_count(0)
        expect(failed).to_have_count(1)
        expect(toasts.filter(has_text="sweeper-nap")).to_have_count(0)  # never one per child
        screenshot(page, "notifications-error-stays")

        # Rerun: the run's view starts the same run again, then opens it
        failed.get_by_role("button", name="Rerun", exact=True).click()
        rerun = page.locator(".runlab-run-panel:visible .runlab-run")
        expect(rerun.locator(".runlab-run-header h2")).to_contain_text("breaker-broken")
        new_uid = re.compile(rf"^(?!{failing_uid(lab)})[0-9a-f]{{32}}$")  # a run, not the one that failed
        expect(rerun).to_have_attribute("data-uid", new_uid)

        # a run started elsewhere (not from this JupyterLab's kernels) is followed from its header
        elsewhere = _follow_from_its_header(page, lab)

        # dark theme, then a reload: nothing announced before is announced again; the bell is still on
        set_theme(page, "JupyterLab Dark", light=False)
        page.reload()
        _open(page, lab)
        expect(page.locator("body[data-jp-theme-light='false']")).to_have_count(1)
        view = page.locator(".runlab-run-panel:visible")
        expect(view.locator(".runlab-follow-run")).to_have_attribute("aria-pressed", "true")
        _start(kernel, "marker", "marker")
        marker = toasts.filter(has_text="marker-nap completed in")
        expect(marker).to_have_count(1)  # announced after the reload: the poll is running
        for text in ("breaker-broken", "sleeper-nap", "sweeper-nap"):
            expect(toasts.filter(has_text=text)).to_have_count(0)
        screenshot(page, "notifications-dark")

        # the followed run's end is announced (a warning: it was aborted); nothing is left to follow
        view.get_by_role("button", name="Abort").click()
        page.locator(".jp-Dialog").get_by_role("button", name="Abort").click()
        aborted = toasts.filter(has_text="sleeper-nap aborted")
        expect(aborted).to_have_count(1, timeout=60_000)
        expect(aborted).to_have_class(re.compile(r"\bjp-Notification-Toast-warning\b"))
        expect(view.locator(".runlab-follow-run")).to_have_count(0)

        # the page closes while a run goes on; the next page announces its end, once
        gate = lab.root / "away.gate"
        away_uid = _start(kernel, "away", "away", gate=str(gate))
        wait_until(lambda: _states(lab, [away_uid]) == ["running"], timeout=60, what="the away run running")
        page.close()
        gate.touch()
        wait_until(lambda: _states(lab, [away_uid]) == ["completed"], timeout=60, what="the away run ended")
        page = browser.new_page()
        _open(page, lab)
        toasts = _toasts(page)
        away = toasts.filter(has_text="away-nap completed in")
        expect(away).to_have_count(1)
        away.hover()  # keeps it open: the screenshot shows it
        expect(away).to_be_in_viewport(ratio=1, timeout=10_000)
        expect(toasts.filter(has_text="marker-nap")).to_have_count(0)
        expect(toasts.filter(has_text="sleeper-nap")).to_have_count(0)
        screenshot(page, "notifications-while-away-dark")
    except Exception:
        screenshot(page, "notifications-failure")
        raise
    finally:
        page.close()
        if elsewhere is not None and elsewhere.state() not in ("completed", "error", "aborted"):
            elsewhere.abort()


def test_two_tabs_announce_a_run_once(lab, kernel, browser):
    """Two tabs of one browser poll at once; a run's end shows in one of them, never in both, and neither
    shows it again on its next answers."""
    pages = [browser.new_page(), browser.new_page()]
    answers = [_answers(page) for page in pages]
    try:
        for page in pages:
            _open(page, lab)
        shown = [_toasts(page).filter(has_text="tabbed-nap completed in") for page in pages]

        def counted(more: list[int]) -> bool:
            for toast in shown:
                toast.count()  # a call into each page: meanwhile Playwright delivers the pages' responses
            return all(a[0] >= n for a, n in zip(answers, more, strict=True))

        _start(kernel, "tabbed", "tabbed")
        wait_until(lambda: sum(toast.count() for toast in shown), timeout=30, what="the run announced")
        # three more answers in each tab: the second was asked after the run ended, the third after it was read
        target = [a[0] + 3 for a in answers]
        wait_until(lambda: counted(target), timeout=30, what="three more answers in each tab")
        assert [toast.count() for toast in shown] in ([1, 0], [0, 1])
        screenshot(pages[0] if shown[0].count() else pages[1], "notifications-two-tabs")
    except Exception:
        screenshot(pages[0], "notifications-tabs-failure")
        raise
    finally:
        for page in pages:
            page.close()


def _answers(page) -> list[int]:
    """How many answers to the notifier's question (GET /runlab/api/ended) ``page`` gets from now on."""
    count = [0]
    page.on("response", lambda response: count.__setitem__(0, count[0] + ("/runlab/api/ended" in response.url)))
    return count


def _plugin_settings(lab) -> dict:
    return json.loads(_get(lab, f"lab/api/settings/{SETTINGS}")["raw"] or "{}").get("notifications", {})


def test_settings_apply_without_a_reload(lab, kernel, browser):
    """In the Settings Editor, "Only errors": a success is not announced, a failure is; then off: nothing is."""
    from playwright.sync_api import expect

    page = browser.new_page()
    try:
        _open(page, lab)
        expect(page.locator("body[data-jp-theme-light]")).to_have_count(1)  # the theme is drawn
        if page.locator("body[data-jp-theme-light='true']").count():  # the theme is a setting: it may be dark already
            set_theme(page, "JupyterLab Dark", light=False)
        toasts = _toasts(page)
        page.locator("#jp-MainMenu").get_by_text("Settings", exact=True).click()
        page.get_by_role("menuitem", name="Settings Editor").click()
        page.locator(".jp-PluginList").get_by_text("runlab: end-of-run notifications").click()
        editor = page.locator(".jp-SettingsPanel, .jp-SettingsEditor").first
        expect(editor.get_by_text("Minimum duration (seconds)")).to_be_visible()
        editor.get_by_label("Only errors").check()
        wait_until(lambda: _plugin_settings(lab).get("onlyErrors") is True, timeout=30, what="only errors saved")
        screenshot(page, "notifications-only-errors-dark")

        fine = _start(kernel, "fine", "fine")
        wait_until(lambda: _ended(lab, [fine]), timeout=60, what="the fine run ended")
        _start(kernel, "failing", "breaker")
        failed = toasts.filter(has_text="breaker-broken failed after")
        expect(failed).to_have_count(1)
        # the failure ended after the success: the answer that brought it had the success too
        expect(toasts.filter(has_text="fine-nap")).to_have_count(0)

        editor.get_by_label("Enabled").uncheck()
        wait_until(lambda: _plugin_settings(lab).get("enabled") is False, timeout=30, what="off saved")
        quiet = [_start(kernel, "fine", "fine"), _start(kernel, "failing", "breaker")]
        wait_until(lambda: all(uid in _ledger(page).get("recent", {}) for uid in quiet), timeout=60,
                   what="both runs answered")
        expect(toasts.filter(has_text="fine-nap")).to_have_count(0)
        expect(failed).to_have_count(1)  # the one announced before; none for the second failure
        screenshot(page, "notifications-off-dark")
    except Exception:
        screenshot(page, "notifications-settings-failure")
        raise
    finally:
        page.close()
        request = urllib.request.Request(f"{lab.url}/lab/api/settings/{SETTINGS}?token={lab.token}", method="PUT",
                                         data=json.dumps({"raw": json.dumps(USER_SETTINGS)}).encode())
        urllib.request.urlopen(request, timeout=10).read()
