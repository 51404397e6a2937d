"""The routes behind the list actions: bulk delete, a run's notes and the log as a file, through real HTTP
(pytest-jupyter's server), every answer checked against openapi.yaml."""

from __future__ import annotations

import json
import textwrap
import time
from datetime import datetime
from pathlib import Path

import jsonschema
import pytest
from openapispec import SPEC
from openapispec import check_operation as answer
from tornado.httpclient import HTTPClientError

import runlab
from runlab.record import RunState, new_run
from runlab.store import get_store

HANDLERS = """
    import time

    def train(context, lr=0.1):
        print("training with", lr)
        print("done")
        context.log_result("accuracy", 0.5 + lr)
        context.log_artifact("page", body="<p>hi</p>", format="html")

    def slow(context, seconds=60):
        print("started", flush=True)
        time.sleep(seconds)
"""


async def error_of(jp_fetch, *parts, **kwargs) -> tuple[int, str]:
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch(*parts, **kwargs)
    body = json.loads(info.value.response.body)
    jsonschema.validate(body, {"$ref": "#/components/schemas/Error", "components": SPEC["components"]})
    return info.value.code, body["message"]


@pytest.fixture
def project(tmp_path):
    (tmp_path / "handlers.py").write_text(textwrap.dedent(HANDLERS))
    project = runlab.get_or_create_project("acts", context=str(tmp_path))
    project.set_function("handlers.py", name="fn", kind="local", handler="train")
    project.set_function("handlers.py", name="slow", kind="job", handler="slow")
    return project


def ended_runs(project, count: int) -> list:
    return [project.run_function("fn", params={"lr": i / 10}) for i in range(count)]


def post_json(data) -> dict:
    return {"method": "POST", "body": json.dumps(data)}


async def test_bulk_delete_deletes_the_ended_runs_and_skips_a_running_one(jp_fetch, project):
    runs = ended_runs(project, 3)
    files = [Path(run.status.artifacts[0]["target_path"]) for run in runs]
    running = project.run_function("slow", watch=False)
    try:
        uids = [runs[0].uid(), running.uid(), runs[2].uid(), "0" * 32]
        response = await jp_fetch("runlab", "api", "runs", "delete", **post_json({"uids": uids}))
        data = answer("/runs/delete", "post", 200, response.body)
        assert data["deleted"] == [runs[0].uid(), runs[2].uid()]
        assert data["files_removed"] == 2 and data["files_not_removed"] == []
        skipped = {row["uid"]: row["reason"] for row in data["skipped"]}
        assert set(skipped) == {running.uid(), "0" * 32}
        assert "abort it" in skipped[running.uid()] and skipped["0" * 32] == "not in the store"
        assert not files[0].exists() and files[1].exists() and not files[2].exists()
        listed = json.loads((await jp_fetch("runlab", "api", "runs", params={"project": "acts"})).body)
        assert {r["metadata"]["uid"] for r in listed["runs"]} == {runs[1].uid(), running.uid()}
        jobs = json.loads((await jp_fetch("runlab", "api", "projects", "acts", "jobs")).body)["jobs"]
        assert {(j["name"], j["runs"], j["last_uid"]) for j in jobs} == {
            (runs[1].metadata.name, 1, runs[1].uid()), (running.metadata.name, 1, running.uid())}
    finally:
        running.abort()


@pytest.mark.parametrize("body, words", [
    ({"uids": []}, "empty list"),
    ({"uids": "abc"}, "a list of run uids"),
    ({"uids": [1, 2]}, "a list of run uids"),
    ({"ids": ["abc"]}, '{"uids"'),
    (["abc"], '{"uids"'),
    ({"uids": ["a"] * 10_001}, "at most 10,000"),
])
async def test_bulk_delete_of_bad_input_is_400_naming_the_fix(jp_fetch, project, body, words):
    code, message = await error_of(jp_fetch, "runlab", "api", "runs", "delete", **post_json(body))
    assert code == 400 and words in message


async def test_bulk_delete_of_a_body_that_is_not_json_is_400(jp_fetch, project):
    code, message = await error_of(jp_fetch, "runlab", "api", "runs", "delete", method="POST", body=b"{uids")
    assert code == 400 and "must be JSON" in message


async def test_bulk_delete_of_a_thousand_runs_is_one_quick_call(jp_fetch, project):
    store = get_store()
    records = [new_run("acts", "bulk", "local", RunState.COMPLETED, {}, {"output_path": ""}) for _ in range(1000)]
    for record in records:
        store.create_run(record)
    started = time.perf_counter()
    response = await jp_fetch("runlab", "api", "runs", "delete", **post_json({"uids": [r.uid for r in records]}))
    took = time.perf_counter() - started
    data = answer("/runs/delete", "post", 200, response.body)
    assert len(data["deleted"]) == 1000 and data["skipped"] == []
    assert store.count_runs("acts") == 0
    assert took < 30, f"deleting 1,000 runs took {took:.1f} s"  # generous: it takes well under a second here
    print(f"INFO bulk delete of 1,000 runs: {took * 1000:.0f} ms")


async def test_notes_are_set_returned_with_the_run_and_listed(jp_fetch, project):
    [run] = ended_runs(project, 1)
    body = json.dumps({"notes": "baseline: lr 0 — keep"})
    data = answer("/runs/{uid}", "patch", 200,
                  (await jp_fetch("runlab", "api", "runs", run.uid(), method="PATCH", body=body)).body)
    assert data == {"uid": run.uid(), "notes": "baseline: lr 0 — keep"}
    one = answer("/runs/{uid}", "get", 200, (await jp_fetch("runlab", "api", "runs", run.uid())).body)
    assert one["metadata"]["notes"] == "baseline: lr 0 — keep"
    listed = json.loads((await jp_fetch("runlab", "api", "runs", params={"project": "acts"})).body)
    assert listed["runs"][0]["metadata"]["notes"] == "baseline: lr 0 — keep"
    await jp_fetch("runlab", "api", "runs", run.uid(), method="PATCH", body=json.dumps({"notes": ""}))
    assert runlab.get_run(run.uid()).notes == ""


@pytest.mark.parametrize("body, words", [
    ({"notes": "x" * 10_001}, "at most 10,000 characters"),
    ({"notes": 3}, "must be text"),
    ({"notes": "a", "state": "completed"}, "the only field"),
    ({}, "the only field"),
    ("notes", "the only field"),
])
async def test_notes_of_bad_input_are_400(jp_fetch, project, body, words):
    [run] = ended_runs(project, 1)
    code, message = await error_of(jp_fetch, "runlab", "api", "runs", run.uid(), method="PATCH", body=json.dumps(body))
    assert code == 400 and words in message
    assert runlab.get_run(run.uid()).notes == ""


async def test_notes_of_an_unknown_run_are_404(jp_fetch, project):
    code, message = await error_of(jp_fetch, "runlab", "api", "runs", "f" * 32, method="PATCH",
                                   body=json.dumps({"notes": "x"}))
    assert code == 404 and "not in the store" in message


async def test_log_download_is_the_whole_log_as_a_named_file(jp_fetch, project):
    [run] = ended_runs(project, 1)
    response = await jp_fetch("runlab", "api", "runs", run.uid(), "0", "log", params={"download": "1"})
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.headers["Content-Disposition"] == f'attachment; filename="fn-train-{run.uid()[:8]}.log"'
    assert response.body.decode() == get_store().read_log(run.uid())[0]
    assert "training with 0.0\ndone\n" in response.body.decode()


async def test_new_routes_need_the_token_and_xsrf(jp_fetch, project):
    [run] = ended_runs(project, 1)
    uid = run.uid()
    calls = [("PATCH", ("runs", uid), json.dumps({"notes": "x"})),
             ("POST", ("runs", "delete"), json.dumps({"uids": [uid]})), ("GET", ("runs", uid, "0", "log"), None)]
    for method, parts, body in calls:
        with pytest.raises(HTTPClientError) as info:
            await jp_fetch("runlab", "api", *parts, method=method, headers={"Authorization": ""},
                           params={"download": "1"} if method == "GET" else {}, **({"body": body} if body else {}))
        assert info.value.code == 403, (method, parts)
    login = await jp_fetch("login", method="GET", headers={"Authorization": ""}, follow_redirects=False)
    cookies = "; ".join(c.split(";", 1)[0] for c in login.headers.get_list("Set-Cookie"))
    for method, parts, body in calls[:2]:  # a cookie without the _xsrf token changes nothing
        with pytest.raises(HTTPClientError) as info:
            await jp_fetch("runlab", "api", *parts, method=method, body=body,
                           headers={"Authorization": "", "Cookie": cookies})
        assert info.value.code == 403, (method, parts)
    assert runlab.get_run(uid).notes == "" and runlab.get_run(uid).state() == "completed"


async def test_log_with_timestamps_gives_each_line_its_time_and_the_same_text(jp_fetch, project):
    [run] = ended_runs(project, 1)
    plain = answer("/runs/{uid}/{iteration}/log", "get", 200,
                   (await jp_fetch("runlab", "api", "runs", run.uid(), "0", "log")).body)
    assert "times" not in plain  # the answer existing callers get is unchanged
    timed = answer("/runs/{uid}/{iteration}/log", "get", 200, (await jp_fetch(
        "runlab", "api", "runs", run.uid(), "0", "log", params={"timestamps": "1"})).body)
    assert timed["text"] == plain["text"] and timed["offset"] == plain["offset"]
    lines = timed["text"].split("\n")[:-1]
    starts = [sum(len(line) + 1 for line in lines[:i]) for i in range(len(lines))]
    assert [t["at"] for t in timed["times"]] == starts  # every line the run printed has its time
    started, ended = (datetime.fromisoformat(run.status[k]).timestamp() for k in ("start_time", "end_time"))
    assert all(started - 0.01 <= datetime.fromisoformat(t["time"]).timestamp() <= ended + 0.01 for t in timed["times"])
    # from an offset inside the log: the times of the lines that start after it, indexed in the text given
    second = len(lines[0].encode()) + 1
    tail = json.loads((await jp_fetch("runlab", "api", "runs", run.uid(), "0", "log",
                                      params={"timestamps": "1", "offset": str(second - 2)})).body)
    assert tail["text"] == timed["text"][starts[1] - 2:]
    assert [t["at"] for t in tail["times"]] == [s - starts[1] + 2 for s in starts[1:]]


async def test_log_written_without_times_has_none(jp_fetch, project):
    store = get_store()
    record = new_run("acts", "old", "local", RunState.COMPLETED, {}, {})
    store.create_run(record)
    store.append_log(record.uid, 0, 0, "a line from before runlab kept times\n")
    timed = json.loads((await jp_fetch("runlab", "api", "runs", record.uid, "0", "log",
                                       params={"timestamps": "1"})).body)
    assert timed["text"] == "a line from before runlab kept times\n" and timed["times"] == []
