"""The server side of the "Run as job" dialog: ``POST /runlab/api/runs`` of a ``.py`` job (checked, its function
set on its project, started in the background with the fork server up), through real HTTP against ``jupyter lab``
on 127.0.0.1.

Timed in turns with two floors, so a shared machine's load falls on all alike: ``GET /api/status`` of the same
server (an authenticated request), and a bare ``launch(..., watch=False)`` of the same function from Python in
this process (what any submit costs: the checks, the record, the hand-over to the fork server). Each run is
waited for before the next submit, so every submit finds a free job slot and has its worker forked (a submit
that finds the slots taken only queues its run, which is cheaper, and would flatter whichever side met it).
Median of 30 rounds after 5 untimed ones; every run must complete. Targets: the POST under 150 ms, and at
most 3x the bare launch.

Then, in Debian's Chromium, the whole dialog as a user meets it: with ``trainer.py`` open and the Jobs sidebar
shown, "Run as job" is asked for (the command the toolbar, menu and palette run), and the page times, from that
moment, the form drawn (the file's handlers and params read on the server), and after a click on Run, the new
run's view and its row in the Jobs sidebar. Median of 7, each run waited for before the next. Target: the run
visible in the panel under 1 s (``--no-browser`` skips this part).

    .venv/bin/python benchmarks/bench_jobdialog.py [--strict]
"""

from __future__ import annotations

import json
import os
import sys
import textwrap
import time
import urllib.request

from _common import fresh_home, median, ratio_info, ratio_verdict, verdict
from bench_server import CHROMIUM, get_ms, lab_in_chromium, start_lab

ROUNDS, WARM_UP = 30, 5
DIALOG_SAMPLES = 7
# In the page: "Run as job" for a path, the form drawn, Run clicked; ms from the command to the form, to the
# new run's view shown, and to its row in the Jobs sidebar (the job's latest run); and the run's uid.
TIME_DIALOG = """async (path) => {
  const app = window.jupyterapp;
  const until = (found) => new Promise((resolve, reject) => {
    const deadline = performance.now() + 60000;
    const look = () => {
      const value = found();
      if (value) { resolve(value); }
      else if (performance.now() > deadline) { reject(new Error('not shown within 60 s')); }
      else { requestAnimationFrame(look); }
    };
    look();
  });
  const shownBefore = new Set([...document.querySelectorAll('.runlab-run-panel .runlab-run')].map(v => v.dataset.uid));
  const start = performance.now();
  const closed = app.commands.execute('runlab:run-as-job', { path });
  const submit = await until(() => document.querySelector('.runlab-job-dialog [aria-label="Parameter lr"]')
    && document.querySelector('.jp-Dialog .runlab-job-submit'));
  const form = performance.now() - start;
  submit.click();
  await closed;
  const uid = await until(() => [...document.querySelectorAll('.runlab-run-panel:not(.lm-mod-hidden) .runlab-run')]
    .map(v => v.dataset.uid).find(u => u && /^[0-9a-f]{8,}$/.test(u) && !shownBefore.has(u)));
  const view = performance.now() - start;
  await until(() => document.querySelector(`.runlab-jobs-panel .runlab-job-row[data-last-uid="${uid}"]`));
  const row = performance.now() - start;
  return [form, view, row, uid];
}"""
TRAINER = '''
    def train(context, lr: float = 0.1, epochs=3):
        """A trivial handler: one result."""
        context.log_result("score", lr * epochs)
'''


def post_ms(url: str, token: str, body: dict) -> tuple[float, dict]:
    """Milliseconds of one ``POST /runlab/api/runs`` and its answer."""
    request = urllib.request.Request(f"{url}/runlab/api/runs", data=json.dumps(body).encode(), method="POST",
                                     headers={"Authorization": f"token {token}", "Content-Type": "application/json"})
    start = time.perf_counter()
    with urllib.request.urlopen(request) as response:
        answer = json.loads(response.read())
    return (time.perf_counter() - start) * 1000, answer


def main() -> None:
    home = fresh_home(cleanup=True)
    with open(os.path.join(home, "trainer.py"), "w") as out:
        out.write(textwrap.dedent(TRAINER))
    import runlab
    from runlab.launch import launch
    from runlab.task import Task

    process, url, token = start_lab(home)
    try:
        body = {"project": "bench", "path": "trainer.py", "handler": "train", "params": {"lr": 0.5}}
        project = runlab.get_or_create_project("local", context=home)
        function = project.set_function(os.path.join(home, "trainer.py"), name="local-trainer", kind="job",
                                        handler="train")
        times: dict[str, list[float]] = {"post": [], "status": [], "launch": []}
        uids = []
        problems: list[str] = []

        def completed(uid: str) -> None:
            uids.append(uid)
            state = runlab.get_run(uid).wait_for_completion(timeout=120, poll=0.02, raise_on_failure=False).state()
            if state != "completed":
                problems.append(f"run {uid} ended {state}")

        for i in range(WARM_UP + ROUNDS):
            took, answer = post_ms(url, token, body)
            completed(answer["uid"])
            status_ms, code = get_ms(f"{url}/api/status", token)
            if code != 200:
                raise RuntimeError(f"GET /api/status answered {code}")
            start = time.perf_counter()
            run = launch(function, project, Task(params={"lr": 0.5}), watch=False)
            launch_ms = (time.perf_counter() - start) * 1000
            completed(run.uid())
            if i >= WARM_UP:
                times["post"].append(took)
                times["status"].append(status_ms)
                times["launch"].append(launch_ms)
        found = {kind: median(values) for kind, values in times.items()}
        print(f"POST /runlab/api/runs (.py job, median of {ROUNDS}): {found['post']:.1f} ms; floors: "
              f"GET /api/status {found['status']:.1f} ms, bare launch(watch=False) {found['launch']:.1f} ms; "
              f"{len(uids)} runs, {len(uids) - len(problems)} completed")
        verdict("POST /runs of a .py job", found["post"], 150, "ms", problems[:3])
        ratio_verdict("POST /runs of a .py job", found["post"], found["launch"], 3, floor_name="bare launch",
                      problems=problems[:3])
        ratio_info("POST /runs of a .py job", found["post"], found["status"], floor_name="GET /api/status")
    finally:
        process.terminate()
        process.wait(timeout=30)
    if "--no-browser" in sys.argv or not os.path.exists(CHROMIUM):
        print("the dialog in Chromium: skipped (--no-browser, or no /usr/bin/chromium)")
        return
    form, view, row = dialog_to_panel(home)
    print(f"Run as job in Chromium (median of {DIALOG_SAMPLES}): form drawn {form:.0f} ms, the run's view "
          f"{view:.0f} ms, its row in the Jobs sidebar {row:.0f} ms (from the command)")
    verdict("Run as job of a .py: dialog open to the run visible in the Jobs sidebar", row, 1000, "ms")


def dialog_to_panel(home: str) -> tuple[float, float, float]:
    """Medians (ms) from asking for the dialog to the form, the run's view and its Jobs sidebar row."""
    import runlab

    samples = []
    with lab_in_chromium(home, "trainer.py", "--LabApp.expose_app_in_browser=True") as (page, _, _):
        page.locator("li[data-id='runlab-jobs']").click()
        page.locator(".runlab-jobs-panel").wait_for(timeout=60_000)
        for _ in range(DIALOG_SAMPLES + 1):  # the first opens the dialog's code: not timed
            *times, uid = page.evaluate(TIME_DIALOG, "trainer.py")
            samples.append(times)
            state = runlab.get_run(uid).wait_for_completion(timeout=120, poll=0.02, raise_on_failure=False).state()
            if state != "completed":
                raise RuntimeError(f"run {uid} from the dialog ended {state}")
    timed = samples[1:]
    for label, index in (("form", 0), ("view", 1), ("sidebar row", 2)):
        print(f"  {label}: " + ", ".join(f"{t[index]:.0f}" for t in timed) + " ms")
    return tuple(median([t[i] for t in timed]) for i in range(3))  # type: ignore[return-value]


if __name__ == "__main__":
    main()
