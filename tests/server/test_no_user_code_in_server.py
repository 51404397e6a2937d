"""The Jupyter server never runs user code: a .py run as a job (``POST /runs``), rerun (``POST /runs/{uid}/rerun``)
or fired by a schedule in the server is checked by reading the file, and only the run's own process imports it.
A file whose top level writes a marker is imported by the worker alone (the pid it writes is not the server's);
one whose top level calls ``sys.exit(3)`` fails as a recorded run and leaves the server up. Bad handler names and
params are still refused with 400, naming the field."""

from __future__ import annotations

import json
import os
import textwrap

import pytest
from tornado.httpclient import HTTPClientError

import runlab
from runlab.store import get_store

MARKS = '''
    import os
    from pathlib import Path

    with Path(__file__).with_name("imported-by.txt").open("a") as marker:  # who ran the top level
        marker.write(f"{os.getpid()}\\n")


    def train(context, lr: float = 0.1, epochs=3):
        context.log_result("score", lr * epochs)


    def report(context, title: str):
        context.log_result("title", title)
'''

EXITS = '''
    import sys

    sys.exit(3)


    def train(context, lr: float = 0.1):
        context.log_result("score", lr)
'''


@pytest.fixture
def files(jp_root_dir):
    (jp_root_dir / "marks.py").write_text(textwrap.dedent(MARKS))
    (jp_root_dir / "exits.py").write_text(textwrap.dedent(EXITS))
    return jp_root_dir


def job(path: str, **fields) -> bytes:
    return json.dumps({"project": "plain", "path": path, "handler": "train", "params": {"lr": 0.5}, **fields}).encode()


def importers(files) -> list[int]:
    marker = files / "imported-by.txt"
    return [int(line) for line in marker.read_text().split()] if marker.exists() else []


async def post(jp_fetch, *parts: str, body: bytes) -> dict:
    return json.loads((await jp_fetch("runlab", "api", *parts, method="POST", body=body)).body)


async def refused(jp_fetch, *parts: str, body: bytes) -> dict:
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch("runlab", "api", *parts, method="POST", body=body)
    assert info.value.code == 400
    return json.loads(info.value.response.body)


def ended(uid: str) -> runlab.RunObject:
    return runlab.get_run(uid).wait_for_completion(timeout=60, poll=0.1, raise_on_failure=False)


async def test_a_file_run_rerun_and_fired_by_a_schedule_is_imported_by_its_worker_only(jp_fetch, files):
    server = os.getpid()  # pytest-jupyter's server runs in the test's process
    first = await post(jp_fetch, "runs", body=job("marks.py"))
    assert importers(files) == [], "the server did not import the file to check it"
    assert ended(first["uid"]).state() == "completed"
    again = await post(jp_fetch, "runs", first["uid"], "rerun", body=json.dumps({"params": {"epochs": 4}}).encode())
    rerun = ended(again["uid"])
    assert rerun.state() == "completed" and rerun.status.results["score"] == 2.0
    scheduled = await post(jp_fetch, "runs", body=job("marks.py", project="timed", schedule={"cron": "0 6 * * *"}))
    name = scheduled["schedule"]["name"]
    await jp_fetch("runlab", "api", "schedules", "timed", name, "run-now", method="POST", body=b"{}")
    fired = get_store().get_schedule("timed", name)["last_uid"]
    assert fired and ended(fired).state() == "completed"
    assert runlab.get_run(fired).metadata.labels["schedule"] == name
    pids = importers(files)
    assert len(pids) == 3 and server not in pids, f"the top level ran in {pids}, never in the server {server}"


async def test_a_file_that_exits_on_import_fails_as_a_recorded_run_and_the_server_stays_up(jp_fetch, files):
    first = await post(jp_fetch, "runs", body=job("exits.py"))
    failed = ended(first["uid"])
    assert failed.state() == "error" and "sys.exit(3)" in failed.error
    again = await post(jp_fetch, "runs", first["uid"], "rerun", body=b"{}")
    assert ended(again["uid"]).state() == "error" and "sys.exit(3)" in ended(again["uid"]).error
    scheduled = await post(jp_fetch, "runs", body=job("exits.py", project="timed", schedule={"cron": "0 6 * * *"}))
    name = scheduled["schedule"]["name"]
    await jp_fetch("runlab", "api", "schedules", "timed", name, "run-now", method="POST", body=b"{}")
    fired = get_store().get_schedule("timed", name)["last_uid"]
    assert ended(fired).state() == "error" and "sys.exit(3)" in ended(fired).error
    status = await jp_fetch("api", "status", method="GET")
    assert status.code == 200, "the server is still up"


async def test_bad_handlers_and_params_are_still_refused_naming_the_field(jp_fetch, files):
    assert (await refused(jp_fetch, "runs", body=job("marks.py", handler="nope")))["field"] == "handler"
    error = await refused(jp_fetch, "runs", body=job("marks.py", handler="report", params={}))
    assert error["field"] == "params.title" and "needs a value" in error["message"]
    first = await post(jp_fetch, "runs", body=job("marks.py"))
    ended(first["uid"])
    error = await refused(jp_fetch, "runs", first["uid"], "rerun", body=json.dumps({"handler": "nope"}).encode())
    assert error["field"] == "handler"
    error = await refused(jp_fetch, "runs", first["uid"], "rerun",
                          body=json.dumps({"handler": "report"}).encode())
    assert error["field"] == "params.lr" and "takes no param 'lr'" in error["message"]  # the recorded param
    # the handler gone from the file since the run: a plain rerun is refused by the static check, by its field
    (files / "marks.py").write_text(textwrap.dedent(MARKS).replace("def train(", "def fit("))
    error = await refused(jp_fetch, "runs", first["uid"], "rerun", body=b"")
    assert error["field"] == "handler" and "no handler 'train'" in error["message"] and "fit" in error["message"]
    assert len(get_store().list_runs()) == 1, "nothing refused was recorded"
    assert os.getpid() not in importers(files)
