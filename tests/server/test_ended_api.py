"""The ended-runs route (JupyterLab's end-of-run notifications) through real HTTP, checked against openapi.yaml."""

from __future__ import annotations

import json
import textwrap
import time

import pytest
from tests.server.test_api import check_operation, fetch_error

import runlab
import runlab.errors
import runlab.record

HANDLERS = """
    def train(context, lr=0.1):
        context.log_result("accuracy", lr)

    def broken(context):
        raise ValueError("bad data in row 3\\nsecond line")
"""


@pytest.fixture
def project(tmp_path):
    (tmp_path / "handlers.py").write_text(textwrap.dedent(HANDLERS))
    project = runlab.get_or_create_project("ended", context=str(tmp_path))
    project.set_function("handlers.py", name="trainer", kind="local", handler="train")
    project.set_function("handlers.py", name="breaker", kind="local", handler="broken")
    return project


async def start_kernel(jp_fetch) -> str:
    response = await jp_fetch("api", "kernels", method="POST", body=json.dumps({"name": "python3"}))
    return json.loads(response.body)["id"]


async def ended(jp_fetch, **params) -> dict:
    response = await jp_fetch("runlab", "api", "ended", params=params)
    return check_operation("/ended", "get", 200, response.body)


def launched_from(monkeypatch, kernel: str | None) -> None:
    """Runs recorded from now on say they were launched in ``kernel`` (what ``kernelid`` reads in a kernel)."""
    monkeypatch.setattr(runlab.record, "kernel_id", lambda: kernel)


async def test_without_since_nothing_is_listed_and_cursor_is_now(jp_fetch, project):
    project.run_function("trainer")
    before = time.time()
    data = await ended(jp_fetch)
    assert data["runs"] == [] and data["more"] == 0
    assert before - 1 <= data["cursor"] <= time.time() + 1


async def test_runs_of_this_servers_kernels_and_followed_runs_are_listed(jp_fetch, project, monkeypatch):
    kernel = await start_kernel(jp_fetch)
    cursor = (await ended(jp_fetch))["cursor"]
    launched_from(monkeypatch, kernel)
    mine = project.run_function("trainer", params={"lr": 0.5})
    with pytest.raises(runlab.errors.RunError) as info:
        project.run_function("breaker")
    failed = info.value.run
    launched_from(monkeypatch, "some-other-servers-kernel")
    elsewhere = project.run_function("trainer")
    followed = project.run_function("trainer", params={"lr": 0.7})
    launched_from(monkeypatch, None)

    data = await ended(jp_fetch, since=repr(cursor), uid=followed.uid())
    assert [(r["uid"], r["origin"]) for r in data["runs"]] == [
        (mine.uid(), "kernel"), (failed.uid(), "kernel"), (followed.uid(), "followed")]
    assert elsewhere.uid() not in {r["uid"] for r in data["runs"]}
    first, broken = data["runs"][0], data["runs"][1]
    assert (first["name"], first["state"], first["error"], first["sweep"]) == ("trainer-train", "completed", None, None)
    assert first["duration"] >= 0
    assert broken["state"] == "error" and broken["error"].startswith("ValueError: bad data in row 3")
    assert "second line" not in broken["error"]
    assert data["cursor"] == pytest.approx(runlab.record.from_iso(data["runs"][-1]["end_time"]), abs=1e-5)

    # from the new cursor on, the same runs are not listed again
    assert (await ended(jp_fetch, since=repr(data["cursor"]), uid=followed.uid()))["runs"] == []


async def test_a_kernel_shut_down_since_still_counts(jp_fetch, project, monkeypatch):
    kernel = await start_kernel(jp_fetch)
    cursor = (await ended(jp_fetch))["cursor"]
    await jp_fetch("api", "kernels", kernel, method="DELETE")
    launched_from(monkeypatch, kernel)
    run = project.run_function("trainer")
    launched_from(monkeypatch, None)
    assert [r["uid"] for r in (await ended(jp_fetch, since=repr(cursor)))["runs"]] == [run.uid()]


async def test_a_sweep_is_one_run_with_its_children_counted(jp_fetch, project, monkeypatch):
    cursor = (await ended(jp_fetch))["cursor"]
    sweep = project.run_function("trainer", hyperparams={"lr": [0.1, 0.9, 0.5]}, selector="max.accuracy")
    data = await ended(jp_fetch, since=repr(cursor), uid=sweep.uid())
    assert len(data["runs"]) == 1
    assert data["runs"][0]["sweep"] == {"completed": 3, "error": 0, "aborted": 0, "total": 3, "best_iteration": 2}


async def test_limit_keeps_the_newest_and_counts_the_others(jp_fetch, project):
    cursor = (await ended(jp_fetch))["cursor"]
    runs = [project.run_function("trainer", params={"lr": lr}) for lr in (0.1, 0.2, 0.3)]
    data = await ended(jp_fetch, since=repr(cursor), uid=",".join(r.uid() for r in runs), limit="2")
    assert [r["uid"] for r in data["runs"]] == [runs[1].uid(), runs[2].uid()] and data["more"] == 1
    assert data["cursor"] == pytest.approx(runlab.record.from_iso(data["runs"][-1]["end_time"]), abs=1e-5)


async def test_answers_304_until_a_run_changes(jp_fetch, project):
    cursor = (await ended(jp_fetch))["cursor"]
    first = await jp_fetch("runlab", "api", "ended", params={"since": repr(cursor)})
    etag = first.headers["ETag"]
    code, _ = await fetch_error(jp_fetch, "runlab", "api", "ended", params={"since": repr(cursor)},
                                headers={"If-None-Match": etag})
    assert code == 304
    run = project.run_function("trainer")
    again = await jp_fetch("runlab", "api", "ended", params={"since": repr(cursor), "uid": run.uid()},
                           headers={"If-None-Match": etag})
    assert again.code == 200 and again.headers["ETag"] != etag
    assert [r["uid"] for r in json.loads(again.body)["runs"]] == [run.uid()]


@pytest.mark.parametrize(("params", "words"), [
    ({"since": "yesterday"}, "since must be epoch seconds or an ISO 8601 time"),
    ({"since": "1e20"}, "out of range"),
    ({"since": "0", "limit": "0"}, "limit must be between 1 and 50"),
    ({"since": "0", "limit": "x"}, "limit must be an integer"),
    ({"since": "0", "uid": ",".join(f"u{i}" for i in range(201))}, "at most 200 followed uids"),
])
async def test_bad_questions_are_400_saying_what_to_fix(jp_fetch, project, params, words):
    code, error = await fetch_error(jp_fetch, "runlab", "api", "ended", params=params)
    assert code == 400 and words in error["message"]


async def test_needs_authentication(jp_fetch, project):
    code, _ = await fetch_error(jp_fetch, "runlab", "api", "ended", headers={"Authorization": "token wrong"})
    assert code == 403
