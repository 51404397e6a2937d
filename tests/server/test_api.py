"""The REST API through real HTTP (pytest-jupyter's server), every response checked against openapi.yaml."""

from __future__ import annotations

import json
import textwrap
import time
from datetime import datetime
from pathlib import Path

import pytest
from openapispec import check, check_operation
from tornado.httpclient import HTTPClientError

import runlab

HANDLERS = """
    import time

    def train(context, data, lr=0.1):
        print("training with", lr)
        context.log_result("accuracy", 0.5 + lr)
        context.log_dataset("table", __import__("pandas").DataFrame({"a": [1, 2, 3]}))
        context.log_artifact("page", body="<html><body><script>alert(1)</script></body></html>", format="html")

    def slow(context, seconds=30):
        print("started", flush=True)
        time.sleep(seconds)

    def chatty(context, lines=2000):
        for i in range(lines):
            print(f"line {i:05d} " + "x" * 90)
"""


async def fetch_error(jp_fetch, *parts, **kwargs) -> tuple[int, dict]:
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch(*parts, **kwargs)
    body = info.value.response.body
    return info.value.code, (check(body, "Error") if body else {})


@pytest.fixture
def store_runs(tmp_path):
    (tmp_path / "handlers.py").write_text(textwrap.dedent(HANDLERS))
    (tmp_path / "data.csv").write_text("a\n1\n2\n")
    project = runlab.get_or_create_project("api", context=str(tmp_path))
    project.set_function("handlers.py", name="fn", kind="local", handler="train")
    runs = [project.run_function("fn", params={"lr": lr}, inputs={"data": "data.csv"}) for lr in (0.1, 0.2, 0.3)]
    project.set_function("handlers.py", name="other", kind="local", handler="train")
    other = project.run_function("other", params={"lr": 0.4}, inputs={"data": "data.csv"}, labels={"team": "b"})
    return project, runs, other


async def test_projects(jp_fetch, store_runs):
    response = await jp_fetch("runlab", "api", "projects")
    data = check_operation("/projects", "get", 200, response.body)
    assert [(p["name"], p["runs"]) for p in data["projects"]] == [("api", 4)]


async def test_jobs_group_runs_by_name_newest_first(jp_fetch, store_runs):
    response = await jp_fetch("runlab", "api", "projects", "api", "jobs")
    data = check(response.body, "JobList")
    assert [(j["name"], j["runs"], j["last_state"]) for j in data["jobs"]] == [
        ("other-train", 1, "completed"), ("fn-train", 3, "completed")]
    assert data["jobs"][1]["last_uid"] == store_runs[1][-1].uid()
    filtered = check((await jp_fetch("runlab", "api", "projects", "api", "jobs", params={"q": "oth"})).body,
                     "JobList")
    assert [j["name"] for j in filtered["jobs"]] == ["other-train"]


async def test_jobs_answer_304_until_something_changes(jp_fetch, store_runs):
    project, _, _ = store_runs
    first = await jp_fetch("runlab", "api", "projects", "api", "jobs")
    etag = first.headers["ETag"]
    code, _ = await fetch_error(jp_fetch, "runlab", "api", "projects", "api", "jobs",
                                headers={"If-None-Match": etag})
    assert code == 304
    project.run_function("fn", params={"lr": 0.5}, inputs={"data": "data.csv"})
    again = await jp_fetch("runlab", "api", "projects", "api", "jobs", headers={"If-None-Match": etag})
    assert again.code == 200 and again.headers["ETag"] != etag
    assert check(again.body, "JobList")["jobs"][0]["runs"] == 4


async def test_a_jobs_etag_is_not_modified_only_for_its_own_filter(jp_fetch, store_runs):
    """A client that sends the ETag of its previous filter gets the rows of its new one, not a 304."""
    filtered = await jp_fetch("runlab", "api", "projects", "api", "jobs", params={"q": "oth"})
    etag = filtered.headers["ETag"]
    code, _ = await fetch_error(jp_fetch, "runlab", "api", "projects", "api", "jobs", params={"q": "oth"},
                                headers={"If-None-Match": etag})
    assert code == 304
    everything = await jp_fetch("runlab", "api", "projects", "api", "jobs", headers={"If-None-Match": etag})
    assert everything.code == 200 and everything.headers["ETag"] != etag
    assert [j["name"] for j in check(everything.body, "JobList")["jobs"]] == ["other-train", "fn-train"]


async def test_unknown_project_is_404(jp_fetch, store_runs):
    code, error = await fetch_error(jp_fetch, "runlab", "api", "projects", "nope", "jobs")
    assert code == 404 and "nope" in error["message"] and "api" in error["message"]


async def test_runs_filters_sort_and_paging(jp_fetch, store_runs):
    _, runs, other = store_runs
    page = check_operation("/runs", "get", 200, (await jp_fetch("runlab", "api", "runs", params={
        "project": "api", "limit": 2})).body)
    assert [r["metadata"]["uid"] for r in page["runs"]] == [other.uid(), runs[2].uid()]
    assert page["next_offset"] == 2
    rest = check(
        (await jp_fetch("runlab", "api", "runs", params={"project": "api", "limit": 2, "offset": 2})).body, "RunPage")
    assert [r["metadata"]["uid"] for r in rest["runs"]] == [runs[1].uid(), runs[0].uid()]
    assert rest["next_offset"] is None
    oldest = check((await jp_fetch("runlab", "api", "runs", params={"sort": "start", "limit": 1})).body, "RunPage")
    assert oldest["runs"][0]["metadata"]["uid"] == runs[0].uid()
    named = check((await jp_fetch("runlab", "api", "runs", params={"name": "other-train"})).body, "RunPage")
    assert [r["metadata"]["uid"] for r in named["runs"]] == [other.uid()]
    labelled = check((await jp_fetch("runlab", "api", "runs", params={"label": "team=b"})).body, "RunPage")
    assert [r["metadata"]["uid"] for r in labelled["runs"]] == [other.uid()]
    states = check((await jp_fetch("runlab", "api", "runs", params={"state": "error,aborted"})).body, "RunPage")
    assert states["runs"] == []
    later = check((await jp_fetch("runlab", "api", "runs", params={
        "since": runs[2].status.start_time})).body, "RunPage")
    assert {r["metadata"]["uid"] for r in later["runs"]} == {runs[2].uid(), other.uid()}
    earlier = check((await jp_fetch("runlab", "api", "runs", params={"until": time.time() + 60})).body, "RunPage")
    assert len(earlier["runs"]) == 4


@pytest.mark.parametrize(("params", "message"), [
    ({"limit": "0"}, "limit must be between 1 and 500, not 0"),
    ({"limit": "501"}, "limit must be between 1 and 500, not 501"),
    ({"limit": "ten"}, "limit must be an integer, not 'ten'"),
    ({"offset": "-1"}, "offset must be 0 or more, not -1"),
    ({"offset": "9" * 30}, f"offset must be at most {2**63 - 1}, not {'9' * 30}..."),
    ({"sort": "name"}, "sort must be 'start' or '-start', not 'name'"),
    ({"since": "yesterday"}, "since must be epoch seconds or an ISO 8601 time, not 'yesterday'"),
    ({"label": "=x"}, "label filter '=x' must be 'key' or 'key=value'"),
])
async def test_bad_run_queries_are_400(jp_fetch, store_runs, params, message):
    code, error = await fetch_error(jp_fetch, "runlab", "api", "runs", params=params)
    assert (code, error["message"]) == (400, message)


async def test_one_run_and_its_sweep_iterations(jp_fetch, store_runs):
    project, runs, _ = store_runs
    data = check_operation("/runs/{uid}", "get", 200, (await jp_fetch("runlab", "api", "runs", runs[0].uid())).body)
    assert data["status"]["results"]["accuracy"] == pytest.approx(0.6)
    assert {a["key"] for a in data["status"]["artifacts"]} == {"table", "page"}
    started, ended = (datetime.fromisoformat(data["status"][k]).timestamp() for k in ("start_time", "end_time"))
    assert data["status"]["duration"] == pytest.approx(ended - started, abs=0.002)
    sweep = project.run_function("fn", inputs={"data": "data.csv"}, hyperparams={"lr": [0.1, 0.3]},
                                 selector="max.accuracy")
    parent = check((await jp_fetch("runlab", "api", "runs", sweep.uid())).body, "Run")
    assert [c["iteration"] for c in parent["children"]] == [1, 2]
    assert parent["status"]["best_iteration"] == 2
    child = check((await jp_fetch("runlab", "api", "runs", sweep.uid(), params={"iteration": 2})).body, "Run")
    assert child["metadata"]["iteration"] == 2
    query = {"iterations": "1", "name": "fn-train"}
    with_children = check((await jp_fetch("runlab", "api", "runs", params=query)).body, "RunPage")
    assert sum(r["metadata"]["uid"] == sweep.uid() for r in with_children["runs"]) == 3


async def test_a_sweeps_chart_and_its_children(jp_fetch, store_runs):
    project, _, _ = store_runs
    sweep = project.run_function("fn", inputs={"data": "data.csv"}, params={"epochs": 3},
                                 hyperparams={"lr": [0.1, 0.3], "batch": [8, 16]}, selector="max.accuracy")
    data = check_operation("/runs/{uid}/chart", "get", 200,
                           (await jp_fetch("runlab", "api", "runs", sweep.uid(), "chart")).body)
    assert data["mime_type"] == "application/vnd.vegalite.v5+json" and data["note"] == ""
    encoding = data["spec"]["layer"][1]["encoding"]
    assert [encoding[c]["title"] for c in ("x", "y", "color")] == ["lr", "accuracy (max)", "batch"]
    assert len(data["spec"]["data"]["values"]) == 4
    parent = check((await jp_fetch("runlab", "api", "runs", sweep.uid())).body, "Run")
    assert parent["spec"]["hyperparams"] == {"lr": [0.1, 0.3], "batch": [8, 16]}
    assert parent["spec"]["hyper_param_options"]["selector"] == "max.accuracy"
    best = parent["status"]["best_iteration"]
    child = check((await jp_fetch("runlab", "api", "runs", sweep.uid(), params={"iteration": best})).body, "Run")
    assert child["spec"]["parameters"] == {"epochs": 3, **{k: parent["status"]["iterations"][best - 1][f"param.{k}"]
                                                           for k in ("lr", "batch")}}
    assert {a["key"] for a in child["status"]["artifacts"]} == {"table", "page"}
    assert all(a["producer"]["iteration"] == best for a in child["status"]["artifacts"])
    log = check((await jp_fetch("runlab", "api", "runs", sweep.uid(), str(best), "log")).body, "Log")
    assert "training with" in log["text"]


async def test_a_chart_of_a_run_that_is_no_sweep_says_so(jp_fetch, store_runs):
    _, runs, _ = store_runs
    code, error = await fetch_error(jp_fetch, "runlab", "api", "runs", runs[0].uid(), "chart")
    assert code == 409 and "is not a hyper-parameter sweep" in error["message"] and "hyperparams=" in error["message"]
    code, error = await fetch_error(jp_fetch, "runlab", "api", "runs", "0" * 32, "chart")
    assert code == 404 and "0" * 32 in error["message"]


async def test_a_sweep_with_nothing_to_draw_has_a_note(jp_fetch, store_runs):
    project, _, _ = store_runs
    with pytest.raises(runlab.RunError) as info:  # no iteration logs "loss": the sweep errs, nothing to draw
        project.run_function("fn", inputs={"data": "data.csv"}, hyperparams={"lr": [0.1, 0.2]}, selector="max.loss")
    sweep = info.value.run
    data = check_operation("/runs/{uid}/chart", "get", 200,
                           (await jp_fetch("runlab", "api", "runs", sweep.uid(), "chart")).body)
    assert data["spec"] is None and "'max.loss'" in data["note"] and "2 of the sweep's iterations" in data["note"]


@pytest.mark.parametrize("parts", [("runs", "0" * 32), ("runs", "0" * 32, "0", "log"),
                                   ("runs", "0" * 32, "0", "artifacts", "model"),
                                   ("runs", "0" * 32, "0", "artifacts", "model", "preview")])
async def test_unknown_runs_are_404(jp_fetch, store_runs, parts):
    code, error = await fetch_error(jp_fetch, "runlab", "api", *parts)
    assert code == 404 and "0" * 32 in error["message"]


@pytest.mark.parametrize("parts", [("runs", "0" * 32, "9" * 30, "log"),
                                   ("runs", "0" * 32, "9" * 30, "artifacts", "model"),
                                   ("runs", "0" * 32, "9" * 30, "artifacts", "model", "preview")])
async def test_iterations_beyond_the_store_are_400(jp_fetch, store_runs, parts):
    code, error = await fetch_error(jp_fetch, "runlab", "api", *parts)
    assert (code, error["message"]) == (400, f"iteration must be at most {2**31 - 1}, not {'9' * 30}...")
    code, error = await fetch_error(jp_fetch, "runlab", "api", "runs", "0" * 32, params={"iteration": "9" * 30})
    assert code == 400 and error["message"].startswith("iteration must be at most")
    code, error = await fetch_error(jp_fetch, "runlab", "api", "runs", "0" * 32, "0", "log",
                                    params={"offset": "9" * 30})
    assert code == 400 and error["message"].startswith("offset must be at most")


async def test_log_from_an_offset(jp_fetch, store_runs):
    _, runs, _ = store_runs
    full = check_operation("/runs/{uid}/{iteration}/log", "get", 200,
                           (await jp_fetch("runlab", "api", "runs", runs[0].uid(), "0", "log")).body)
    assert "training with 0.1" in full["text"] and full["terminal"]
    tail = check((await jp_fetch("runlab", "api", "runs", runs[0].uid(), "0", "log",
                                 params={"offset": full["offset"]})).body, "Log")
    assert (tail["text"], tail["offset"]) == ("", full["offset"])
    part = check((await jp_fetch("runlab", "api", "runs", runs[0].uid(), "0", "log", params={"offset": 5})).body,
                 "Log")
    assert full["text"].encode()[5:].decode() == part["text"]


@pytest.mark.slow
async def test_a_large_log_is_read_in_pieces(jp_fetch, store_runs):
    project, _, _ = store_runs
    project.set_function("handlers.py", name="chatty", kind="local", handler="chatty")
    run = project.run_function("chatty", params={"lines": 20_000})
    offset, text = 0, []
    while True:
        piece = check((await jp_fetch("runlab", "api", "runs", run.uid(), "0", "log",
                                      params={"offset": offset})).body, "Log")
        if not piece["text"]:
            break
        text.append(piece["text"])
        offset = piece["offset"]
    joined = "".join(text)
    line = "line {:05d} " + "x" * 90 + "\n"
    assert joined == "".join(line.format(i) for i in range(20_000))
    assert offset == len(joined) == 20_000 * len(line.format(0))
    for start in (1, 1_020_050, offset - 1):  # from inside the log's stored chunks
        piece = check((await jp_fetch("runlab", "api", "runs", run.uid(), "0", "log",
                                      params={"offset": start})).body, "Log")
        assert (piece["text"], piece["offset"]) == (joined[start:], offset)


async def test_artifact_content_and_download(jp_fetch, store_runs):
    _, runs, _ = store_runs
    uid = runs[0].uid()
    table = await jp_fetch("runlab", "api", "runs", uid, "0", "artifacts", "table")
    assert table.body == b"a\n1\n2\n3\n"
    assert table.headers["Content-Type"].startswith("text/csv")
    assert table.headers["Content-Disposition"].startswith("inline")
    download = await jp_fetch("runlab", "api", "runs", uid, "0", "artifacts", "page", params={"download": "1"})
    assert download.headers["Content-Disposition"] == 'attachment; filename="page.html"'
    assert download.headers["Content-Security-Policy"] == "sandbox; frame-ancestors 'self'"


async def test_artifact_preview(jp_fetch, store_runs):
    _, runs, _ = store_runs
    body = (await jp_fetch("runlab", "api", "runs", runs[0].uid(), "0", "artifacts", "table", "preview")).body
    preview = check_operation("/runs/{uid}/{iteration}/artifacts/{key}/preview", "get", 200, body)
    assert preview["kind"] == "table" and preview["rows"] == [[1], [2], [3]] and preview["shape"] == [3, 1]


@pytest.mark.parametrize("key", ["../../../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "/etc/passwd",
                                 "%2Fetc%2Fpasswd", "table/../../etc/passwd"])
async def test_paths_from_the_client_never_reach_files(jp_fetch, store_runs, key):
    _, runs, _ = store_runs
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch("runlab", "api", "runs", runs[0].uid(), "0", "artifacts", key)
    assert info.value.code == 404
    assert b"root:" not in (info.value.response.body or b"")


async def test_every_route_needs_the_token(jp_fetch, store_runs):
    _, runs, _ = store_runs
    uid = runs[0].uid()
    for method, parts in [("GET", ("projects",)), ("GET", ("projects", "api", "jobs")), ("GET", ("runs",)),
                          ("GET", ("runs", uid)), ("GET", ("runs", uid, "chart")), ("GET", ("runs", uid, "0", "log")),
                          ("GET", ("runs", uid, "0", "artifacts", "table")),
                          ("GET", ("runs", uid, "0", "artifacts", "table", "preview")),
                          ("POST", ("runs", uid, "abort")), ("POST", ("runs", uid, "rerun")),
                          ("DELETE", ("runs", uid))]:
        with pytest.raises(HTTPClientError) as info:
            await jp_fetch("runlab", "api", *parts, method=method, headers={"Authorization": ""},
                           **({"body": b""} if method == "POST" else {}))
        assert info.value.code == 403, (method, parts)
    assert runlab.get_run(uid).state() == "completed", "nothing happened to the run"


async def test_mutations_with_a_cookie_need_xsrf(jp_fetch, jp_serverapp, store_runs):
    _, runs, _ = store_runs
    login = await jp_fetch("login", method="GET", headers={"Authorization": ""}, follow_redirects=False)
    cookies = "; ".join(c.split(";", 1)[0] for c in login.headers.get_list("Set-Cookie"))
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch("runlab", "api", "runs", runs[0].uid(), method="DELETE",
                       headers={"Authorization": "", "Cookie": cookies})
    assert info.value.code == 403
    assert runlab.get_run(runs[0].uid()).state() == "completed"


async def test_delete_removes_the_run_its_log_and_files(jp_fetch, store_runs):
    _, runs, _ = store_runs
    target = Path(runs[0].status.artifacts[0]["target_path"])
    assert target.exists()
    response = await jp_fetch("runlab", "api", "runs", runs[0].uid(), method="DELETE")
    data = check_operation("/runs/{uid}", "delete", 200, response.body)
    assert data["deleted_artifacts"] == 2 and data["files_not_removed"] == []
    assert not target.exists()
    code, _ = await fetch_error(jp_fetch, "runlab", "api", "runs", runs[0].uid())
    assert code == 404
    code, _ = await fetch_error(jp_fetch, "runlab", "api", "runs", runs[0].uid(), "0", "log")
    assert code == 404


async def test_rerun_starts_the_same_function_again_in_the_background(jp_fetch, store_runs):
    _, runs, _ = store_runs
    response = await jp_fetch("runlab", "api", "runs", runs[1].uid(), "rerun", method="POST", body=b"")
    assert response.code == 201
    data = check_operation("/runs/{uid}/rerun", "post", 201, response.body)
    new = runlab.get_run(data["uid"]).wait_for_completion(timeout=60, poll=0.1)
    assert new.uid() != runs[1].uid()
    assert new.spec.parameters == {"lr": 0.2} and new.spec.inputs == runs[1].spec.inputs
    assert new.metadata.labels["rerun-of"] == runs[1].uid() and new.metadata.labels["kind"] == "job"
    assert new.status.results["accuracy"] == pytest.approx(0.7)


async def test_rerun_of_a_function_from_a_notebook_cell_is_409(jp_fetch, tmp_path):
    def handler(context):
        context.log_result("x", 1)

    project = runlab.get_or_create_project("cells", context=str(tmp_path))
    project.set_function(handler, name="cell", kind="local")
    run = project.run_function("cell")
    code, error = await fetch_error(jp_fetch, "runlab", "api", "runs", run.uid(), "rerun", method="POST", body=b"")
    assert code == 409 and ".py file" in error["message"]


@pytest.mark.slow
async def test_abort_a_running_run(jp_fetch, store_runs):
    project, runs, _ = store_runs
    project.set_function("handlers.py", name="slow", kind="job", handler="slow")
    run = project.run_function("slow", watch=False)
    deadline = time.monotonic() + 30
    while run.state() != "running":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    response = await jp_fetch("runlab", "api", "runs", run.uid(), "abort", method="POST", body=b"")
    assert check_operation("/runs/{uid}/abort", "post", 200, response.body)["state"] == "aborted"
    code, error = await fetch_error(jp_fetch, "runlab", "api", "runs", run.uid(), "abort", method="POST", body=b"")
    assert (code, error["message"]) == (409, f"run {run.uid()} already ended (aborted); nothing to abort")
    code, error = await fetch_error(jp_fetch, "runlab", "api", "runs", runs[0].uid(), "abort", method="POST",
                                    body=b"")
    assert (code, error["message"]) == (409, f"run {runs[0].uid()} already ended (completed); nothing to abort")


async def test_delete_of_a_running_run_is_409(jp_fetch, store_runs):
    project, _, _ = store_runs
    project.set_function("handlers.py", name="slow", kind="job", handler="slow")
    run = project.run_function("slow", watch=False)
    try:
        code, error = await fetch_error(jp_fetch, "runlab", "api", "runs", run.uid(), method="DELETE")
        assert code == 409 and "abort it" in error["message"]
    finally:
        run.abort()



@pytest.fixture
def schedule(store_runs):
    project, _, _ = store_runs
    project.set_function("handlers.py", name="fn", kind="local", handler="train")
    return project.run_function("fn", inputs={"data": "data.csv"}, schedule="0 */6 * * *", schedule_name="nightly")


async def test_schedules_list_and_one(jp_fetch, schedule):
    listed = check_operation("/schedules", "get", 200, (await jp_fetch("runlab", "api", "schedules",
                                                                       params={"project": "api"})).body)
    [row] = listed["schedules"]
    assert (row["name"], row["description"], row["paused"], row["last_state"]) == (
        "nightly", "every 6 hours", False, None)
    one = check_operation("/schedules/{project}/{name}", "get", 200,
                          (await jp_fetch("runlab", "api", "schedules", "api", "nightly")).body)
    assert one["events"] == [] and datetime.fromisoformat(one["next_run"]) == schedule.next_run_time
    code, error = await fetch_error(jp_fetch, "runlab", "api", "schedules", "api", "nope")
    assert code == 404 and "nope" in error["message"]


async def test_schedule_pause_resume_run_now_delete(jp_fetch, schedule):
    async def post(action):
        response = await jp_fetch("runlab", "api", "schedules", "api", "nightly", action, method="POST", body=b"")
        return check_operation("/schedules/{project}/{name}/{action}", "post", 200, response.body)

    assert (await post("pause"))["paused"] is True and schedule.paused
    resumed = await post("resume")
    assert resumed["paused"] is False and datetime.fromisoformat(resumed["next_run"]) == schedule.next_run_time
    started = await post("run-now")
    run = runlab.get_run(started["uid"]).wait_for_completion(timeout=60, poll=0.1)
    assert run.metadata.labels["schedule"] == "nightly" and run.metadata.labels["kind"] == "job"
    one = check((await jp_fetch("runlab", "api", "schedules", "api", "nightly")).body, "Schedule")
    assert one["last_uid"] == run.uid() and one["last_state"] == "completed"
    assert [e["event"] for e in one["events"]] == ["fired"]
    code, _ = await fetch_error(jp_fetch, "runlab", "api", "schedules", "api", "nightly", "explode", method="POST",
                                body=b"")
    assert code == 404
    deleted = await jp_fetch("runlab", "api", "schedules", "api", "nightly", method="DELETE")
    assert check_operation("/schedules/{project}/{name}", "delete", 200, deleted.body)["deleted"] is True
    code, _ = await fetch_error(jp_fetch, "runlab", "api", "schedules", "api", "nightly")
    assert code == 404


async def test_schedule_routes_need_the_token(jp_fetch, schedule):
    for method, parts in [("GET", ("schedules",)), ("GET", ("schedules", "api", "nightly")),
                          ("POST", ("schedules", "api", "nightly", "pause")),
                          ("DELETE", ("schedules", "api", "nightly"))]:
        with pytest.raises(HTTPClientError) as info:
            await jp_fetch("runlab", "api", *parts, method=method, headers={"Authorization": ""},
                           **({"body": b""} if method == "POST" else {}))
        assert info.value.code == 403, (method, parts)
    assert not schedule.paused


async def test_a_store_that_cannot_be_read_is_a_json_503(jp_fetch, monkeypatch, tmp_path):
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the store's folder should be")
    monkeypatch.setenv("RUNLAB_DB_URL", f"sqlite:///{blocked}/runs.db")
    runlab.config.reset_config()
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch("runlab", "api", "projects")
    assert info.value.code == 503
    assert "cannot open the run store" in json.loads(info.value.response.body)["message"]


async def test_an_unreachable_store_never_shows_its_password(jp_fetch, monkeypatch):
    # nothing listens on port 9 of this machine: the connection is refused at once
    monkeypatch.setenv("RUNLAB_DB_URL", "postgresql+psycopg://alice:s3cret-pw@127.0.0.1:9/runs")
    runlab.config.reset_config()
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch("runlab", "api", "projects")
    assert info.value.code == 503
    message = json.loads(info.value.response.body)["message"]
    assert "cannot open the run store at postgresql+psycopg://alice:***@127.0.0.1:9/runs" in message
    assert "s3cret-pw" not in message


@pytest.mark.parametrize(("error", "status"), [
    (runlab.ValidationError("bad"), 400), (runlab.FunctionNotFoundError("no fn"), 404),
    (runlab.ScheduleExistsError("taken"), 409), (runlab.RunNotFoundError("no run"), 404),
    (runlab.ProjectNotFoundError("no project"), 404), (runlab.ArtifactNotFoundError("no file"), 404),
    (runlab.ScheduleNotFoundError("no schedule"), 404), (runlab.RunStateError("ended"), 409),
    (runlab.StoreError("down"), 503), (runlab.RunTimeoutError("slow"), 500),
])
def test_every_runlab_error_has_one_status(error, status):
    from runlab.server.handlers import status_of

    assert status_of(error) == status


async def test_long_values_are_previews_in_lists_and_whole_on_the_run(jp_fetch, tmp_path):
    (tmp_path / "handlers.py").write_text("def echo(context, text=''):\n    context.log_result('echo', [text])\n")
    project = runlab.get_or_create_project("long", context=str(tmp_path))
    project.set_function("handlers.py", name="fn", kind="local", handler="echo")
    text = "é" * 200_000
    run = project.run_function("fn", params={"text": text})
    page = check_operation("/runs", "get", 200, (await jp_fetch("runlab", "api", "runs",
                                                                params={"project": "long"})).body)
    listed = page["runs"][0]
    assert listed["truncated"] == ["spec.parameters.text", "status.results.echo"]
    assert listed["spec"]["parameters"]["text"] == "é" * 100 + "… (400.0 KB)"
    assert listed["status"]["results"]["echo"].startswith('["éé') and listed["status"]["results"]["echo"].endswith(
        "… (400.0 KB)")
    whole = check_operation("/runs/{uid}", "get", 200, (await jp_fetch("runlab", "api", "runs", run.uid())).body)
    assert whole["spec"]["parameters"]["text"] == text and whole["status"]["results"]["echo"] == [text]
    assert "truncated" not in whole


async def test_a_listed_sweep_carries_the_first_rows_of_its_table_and_their_count(jp_fetch):
    def score(context, x=0):
        context.log_result("y", x * 2)

    fn = runlab.new_function(name="grid", kind="local")
    big = fn.run(handler=score, hyperparams={"x": list(range(25))}, selector="max.y")
    small = fn.run(handler=score, hyperparams={"x": [1, 2]}, selector="max.y")
    page = check_operation("/runs", "get", 200, (await jp_fetch("runlab", "api", "runs")).body)
    listed = {run["metadata"]["uid"]: run for run in page["runs"]}
    cut, whole = listed[big.uid()], listed[small.uid()]
    assert cut["status"]["iteration_count"] == 25 and len(cut["status"]["iterations"]) == 20
    assert cut["truncated"] == ["status.iterations"]
    assert whole["status"]["iteration_count"] == 2 and len(whole["status"]["iterations"]) == 2
    assert "truncated" not in whole
    one = check_operation("/runs/{uid}", "get", 200, (await jp_fetch("runlab", "api", "runs", big.uid())).body)
    assert len(one["status"]["iterations"]) == 25


async def test_table_rows_by_keys_and_by_listing(jp_fetch, store_runs):
    from runlab.display.bundle import store_id
    from runlab.store import get_store

    _, runs, other = store_runs
    keys = [f"{runs[0].uid()}:0", f"{'f' * 32}:0", f"{other.uid()}:0"]
    data = check_operation("/table-rows", "get", 200, (await jp_fetch(
        "runlab", "api", "table-rows", params=[*(("key", k) for k in keys), ("short", "1")])).body)
    assert [row["uid"] for row in data["rows"]] == [runs[0].uid(), other.uid()]
    assert data["missing"] == [["f" * 32, 0]]
    assert data["store"] == store_id(get_store().url)
    assert "labels" not in data["rows"][0]["cells"], "short drops columns as the widget does"
    query = json.dumps({"project": "api", "name": "fn-train", "last": 3})
    page = check_operation("/table-rows", "get", 200, (await jp_fetch(
        "runlab", "api", "table-rows", params={"query": query, "offset": 1, "limit": 5})).body)
    assert [row["uid"] for row in page["rows"]] == [runs[1].uid(), runs[0].uid()], "newest first, from offset 1"
    assert page["rows"][0]["cells"]["results"]["chips"][0] == "accuracy=0.7"


@pytest.mark.parametrize(("params", "says"), [
    ({}, "name the runs"),
    ({"key": "nocolon"}, "'uid:iteration'"),
    ({"query": "[1]"}, "JSON object"),
    ({"query": '{"password": "x"}'}, "not one of"),
    ({"query": '{"last": "3"}'}, "wrong type"),
    ({"query": "{}", "limit": "500"}, "limit must be between 1 and 100"),
])
async def test_table_rows_say_what_is_wrong(jp_fetch, store_runs, params, says):
    code, error = await fetch_error(jp_fetch, "runlab", "api", "table-rows", params=params)
    assert code == 400 and says in error["message"]


async def test_input_previews_reach_only_files_under_the_server_folder(jp_fetch, store_runs, jp_root_dir, tmp_path):
    from runlab.store import get_store

    _, runs, _ = store_runs
    inside = jp_root_dir / "in.csv"
    inside.write_text("a,b\n1,2\n")
    store = get_store()
    spec = store.get_run(runs[0].uid(), 0).spec
    store.update_run(runs[0].uid(), 0, {"spec": {**spec, "inputs": {
        "inside": str(inside), "outside": str(tmp_path / "data.csv"), "script": "javascript:alert(1)"}}})

    async def preview(key):
        return check_operation("/runs/{uid}/{iteration}/inputs/{key}/preview", "get", 200, (await jp_fetch(
            "runlab", "api", "runs", runs[0].uid(), "0", "inputs", key, "preview")).body)

    assert (await preview("inside"))["kind"] == "table"
    outside = await preview("outside")
    assert outside["kind"] == "error" and "not under the server's folder" in outside["text"]
    assert (await preview("script"))["kind"] == "error"
    code, error = await fetch_error(jp_fetch, "runlab", "api", "runs", runs[0].uid(), "0", "inputs", "nope", "preview")
    assert code == 404 and "inside" in error["message"]


async def test_schedule_patch_changes_fields_and_names_a_bad_one(jp_fetch, schedule):
    async def patch(body):
        return await jp_fetch("runlab", "api", "schedules", "api", "nightly", method="PATCH",
                              body=body if isinstance(body, bytes) else json.dumps(body))

    changed = check_operation("/schedules/{project}/{name}", "patch", 200, (await patch(
        {"cron": "30 2 * * *", "timezone": "UTC", "concurrency": "replace", "params": {"lr": 0.3},
         "inputs": {"data": "data.csv"}, "keep_runs": 3})).body)
    assert (changed["cron"], changed["description"], changed["timezone"], changed["concurrency"],
            changed["keep_runs"]) == ("30 2 * * *", "every day at 02:30", "UTC", "replace", 3)
    assert schedule.scheduled_object["task"]["params"] == {"lr": 0.3} and schedule.keep_runs == 3
    assert (await patch({"keep_runs": None})).code == 200 and schedule.keep_runs is None
    for body, named in [({"cron": "* 25 * * *"}, "hour field '25'"), ({"colour": "red"}, "unknown schedule field"),
                        ({"keep_runs": -2}, "keep_runs must be"), ({"params": "lr=1"}, "params must be a JSON object"),
                        ({"timezone": "Nowhere/City"}, "unknown time zone"), (b"{not json", "JSON object"),
                        ({}, "fields to change")]:
        code, error = await fetch_error(jp_fetch, "runlab", "api", "schedules", "api", "nightly", method="PATCH",
                                        body=body if isinstance(body, bytes) else json.dumps(body))
        assert code == 400 and named in error["message"], (body, error)
    assert (schedule.cron, schedule.timezone) == ("30 2 * * *", "UTC"), "nothing saved on error"
    code, error = await fetch_error(jp_fetch, "runlab", "api", "schedules", "api", "nope", method="PATCH",
                                    body=json.dumps({"cron": "@daily"}))
    assert code == 404 and "nope" in error["message"]
    code, _ = await fetch_error(jp_fetch, "runlab", "api", "schedules", "api", "nightly", method="PATCH",
                                body=json.dumps({"cron": "@daily"}), headers={"Authorization": ""})
    assert code == 403 and schedule.cron == "30 2 * * *"


async def test_a_schedules_runs_are_listed_by_its_label(jp_fetch, schedule):
    started = await jp_fetch("runlab", "api", "schedules", "api", "nightly", "run-now", method="POST", body=b"")
    uid = json.loads(started.body)["uid"]
    runlab.get_run(uid).wait_for_completion(timeout=60, poll=0.1)
    page = check_operation("/runs", "get", 200, (await jp_fetch(
        "runlab", "api", "runs", params={"project": "api", "label": "schedule=nightly"})).body)
    assert [r["metadata"]["uid"] for r in page["runs"]] == [uid]
