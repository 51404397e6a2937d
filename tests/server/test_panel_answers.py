"""What the Jobs panel relies on from the REST API: the project list answers 304 until anything in the
store changes (so the panel can ask every second), and an error answer never carries a password, SQL or a
traceback: one message that says what is wrong and what to do."""

from __future__ import annotations

import json

import psycopg
import pytest
from tornado.httpclient import HTTPClientError

import runlab
import runlab.config
from runlab.server import api
from runlab.store import get_store

SECRET = "s3cret/pw"  # not percent-encoded, as users write them


async def _error(jp_fetch, *parts, **kwargs) -> tuple[int, dict]:
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch(*parts, **kwargs)
    body = info.value.response.body
    return info.value.code, json.loads(body) if body else {}


def _run_in(project_name: str) -> None:
    """One completed run in ``project_name`` (made if new); the test's working folder holds its code."""
    with open("handlers.py", "w") as source:
        source.write("def noop(context):\n    pass\n")
    project = runlab.get_or_create_project(project_name, context="./")
    project.set_function("handlers.py", name="fn", kind="local", handler="noop")
    project.run_function("fn")


async def test_projects_answer_304_until_a_run_in_a_new_project(jp_fetch):
    _run_in("first")
    answer = await jp_fetch("runlab", "api", "projects")
    etag = answer.headers["ETag"]
    assert [p["name"] for p in json.loads(answer.body)["projects"]] == ["first"]
    code, _ = await _error(jp_fetch, "runlab", "api", "projects", headers={"If-None-Match": etag})
    assert code == 304

    _run_in("second")
    again = await jp_fetch("runlab", "api", "projects", headers={"If-None-Match": etag})
    assert again.code == 200 and again.headers["ETag"] != etag
    assert {p["name"]: p["runs"] for p in json.loads(again.body)["projects"]} == {"first": 1, "second": 1}


async def test_projects_etag_changes_with_a_new_empty_project_and_a_run_ending_elsewhere(jp_fetch):
    _run_in("first")
    etag = (await jp_fetch("runlab", "api", "projects")).headers["ETag"]

    runlab.get_or_create_project("empty", context="./")  # no run: it is listed all the same
    answer = await jp_fetch("runlab", "api", "projects", headers={"If-None-Match": etag})
    assert answer.code == 200 and "empty" in [p["name"] for p in json.loads(answer.body)["projects"]]
    etag = answer.headers["ETag"]

    # a state change with no new run (the count stays) in one project changes the whole list's ETag
    store = get_store()
    run = store.list_runs(project="first")[0]
    store.update_run(run.uid, 0, {"last_update": run.last_update + 5, "state": "error"})
    answer = await jp_fetch("runlab", "api", "projects", headers={"If-None-Match": etag})
    assert answer.code == 200 and answer.headers["ETag"] != etag


def _assert_clean(message: str) -> None:
    """One line that names the problem and the fix, with no password, SQL text or SQLAlchemy links."""
    assert "\n" not in message
    for leaked in ("s3cret", "p@ss", "ss@", "[SQL", "sqlalche.me", "Traceback", "psycopg.OperationalError"):
        assert leaked not in message, leaked
    assert "To fix it:" in message


async def test_a_postgresql_store_whose_server_went_down_never_shows_its_password(jp_fetch, monkeypatch):
    from pgserver import PostgresServer

    try:
        server = PostgresServer()
        url = server.start()
    except (RuntimeError, OSError) as exc:
        pytest.skip(f"PostgreSQL cannot be started here: {exc}")
    try:
        with psycopg.connect(url.replace("postgresql+psycopg", "postgresql") + "/postgres", autocommit=True) as conn:
            conn.execute("CREATE DATABASE runs")
        # trust authentication takes any password: the URL holds one as a user's would
        monkeypatch.setenv("RUNLAB_DB_URL", url.replace("runlab@", f"runlab:{SECRET}@") + "/runs")
        runlab.config.reset_config()
        _run_in("pg")
        assert (await jp_fetch("runlab", "api", "projects")).code == 200
    finally:
        server.stop()

    for parts in (("projects",), ("projects", "pg", "jobs"), ("runs",), ("schedules",)):
        code, error = await _error(jp_fetch, "runlab", "api", *parts)
        assert code == 503, parts
        _assert_clean(error["message"])
        assert "runlab:***@127.0.0.1" in error["message"]
        assert "database server is running" in error["message"]


@pytest.mark.parametrize(("password", "said"), [
    (SECRET, "database server is running"),
    # the driver splits at the first '@' and would quote the password's tail as the host's name
    ("s3cret@p@ss", "write each '@' of the password as %40"),
])
async def test_an_unreachable_url_with_unencoded_characters_in_its_password_is_masked(jp_fetch, monkeypatch,
                                                                                      password, said):
    # nothing listens on port 9 of this machine: the connection is refused at once
    monkeypatch.setenv("RUNLAB_DB_URL", f"postgresql+psycopg://alice:{password}@127.0.0.1:9/runs")
    runlab.config.reset_config()
    code, error = await _error(jp_fetch, "runlab", "api", "projects")
    assert code == 503
    _assert_clean(error["message"])
    assert "postgresql+psycopg://alice:***@127.0.0.1:9/runs" in error["message"]
    assert said in error["message"]


async def test_an_unexpected_failure_is_a_json_500_without_its_traceback(jp_fetch, monkeypatch):
    def broken(store):
        raise KeyError("internal detail of the bug")

    monkeypatch.setattr(api, "projects", broken)
    code, error = await _error(jp_fetch, "runlab", "api", "projects")
    assert code == 500
    assert set(error) == {"message", "status"}
    assert "internal detail" not in error["message"] and "KeyError" in error["message"]
    assert "log has the details" in error["message"]
