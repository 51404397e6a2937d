"""The server side of the "Run as job" dialog: ``POST /runlab/api/runs`` of a ``.py`` job (checked, its function
set on its project, started in the background with the fork server up), through real HTTP against ``jupyter lab``
on 127.0.0.1.

Timed in turns with two floors, so a shared machine's load falls on all alike: ``GET /api/status`` of the same
server (an authenticated request), and a bare ``launch(..., watch=False)`` of the same function from Python in
this process (what any submit costs: the checks, the record, the hand-over to the fork server). Median of 30
rounds after 5 untimed ones; then every run started is waited for (none lost, all completed). Targets: the
POST under 150 ms, and at most 3x the bare launch.

    .venv/bin/python benchmarks/bench_jobdialog.py [--strict]
"""

from __future__ import annotations

import json
import os
import textwrap
import time
import urllib.request

from _common import fresh_home, median, ratio_info, ratio_verdict, verdict
from bench_server import get_ms, start_lab

ROUNDS, WARM_UP = 30, 5
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
        for i in range(WARM_UP + ROUNDS):
            took, answer = post_ms(url, token, body)
            uids.append(answer["uid"])
            status_ms, code = get_ms(f"{url}/api/status", token)
            if code != 200:
                raise RuntimeError(f"GET /api/status answered {code}")
            start = time.perf_counter()
            run = launch(function, project, Task(params={"lr": 0.5}), watch=False)
            launch_ms = (time.perf_counter() - start) * 1000
            uids.append(run.uid())
            if i >= WARM_UP:
                times["post"].append(took)
                times["status"].append(status_ms)
                times["launch"].append(launch_ms)
        problems = []
        for uid in uids:
            state = runlab.get_run(uid).wait_for_completion(timeout=120, poll=0.1, raise_on_failure=False).state()
            if state != "completed":
                problems.append(f"run {uid} ended {state}")
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


if __name__ == "__main__":
    main()
