"""Listing runs: each listed run reads as the store's own copy of it (its dict is built when first read, its
artifacts read once for the whole list), and filters that reuse one statement keep their own values."""

from __future__ import annotations

import copy
import pickle

import pytest
from sqlalchemy import event

import runlab
from runlab.record import RunState, new_run
from runlab.run import list_runs
from runlab.store import get_store

HANDLER = '''
def handler(context, p=1):
    context.log_result("score", p * 2)
    context.log_artifact("chart", body=f"p={p}", format="txt")
'''


@pytest.fixture
def fn(write_file):
    runlab.get_or_create_project("listing", context="./")
    path = write_file("handler.py", HANDLER)
    return runlab.code_to_function(name="fn", filename=str(path), kind="job", handler="handler")


def test_listed_runs_read_as_the_stored_runs(fn):
    fn.run(name="one", project="listing", params={"p": 1}, labels={"team": "a"}, local=True)
    fn.run(name="sweep", project="listing", hyperparams={"p": [1, 2, 3]}, selector="max.score", local=True)
    runs = runlab.get_run_db().list_runs(project="listing", iter=True)
    assert len(runs) == 5
    for run in runs:
        stored = runlab.get_run_db().read_run(run.uid(), iter=run.metadata.iteration)
        assert run.to_dict() == stored.to_dict()
        assert run.outputs == stored.outputs  # a sweep's parent: its best child's artifact too
        assert run["status"] == stored["status"]
    one = runlab.get_run_db().list_runs(project="listing", name="one")[0]
    assert one.status.results == {"score": 2}
    assert one.artifact("chart").get().decode() == "p=1"
    assert "state=completed" in repr(one)
    assert runlab.get_run_db().list_runs(project="listing", name="one").to_df()["artifacts"][0] == [
        a["uri"] for a in one.status.artifacts]


def test_reading_every_listed_run_reads_the_artifacts_once(fn):
    for p in range(4):
        fn.run(name=f"r{p}", project="listing", params={"p": p}, local=True)
    store = get_store()
    runs = runlab.get_run_db().list_runs(project="listing")
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731 - (conn, cursor, statement, ...)
    event.listen(store.engine, "before_cursor_execute", listener)
    try:
        assert sorted(run.status.artifacts[0]["key"] for run in runs) == ["chart"] * 4
        assert [run.state() for run in runs] == ["completed"] * 4  # ended runs: not read again
    finally:
        event.remove(store.engine, "before_cursor_execute", listener)
    assert len(statements) == 1 and "artifacts" in statements[0]


def test_a_listed_run_keeps_what_it_was_given_after_the_run_is_deleted(fn):
    fn.run(name="gone", project="listing", local=True)
    run = runlab.get_run_db().list_runs(project="listing")[0]
    again = pickle.loads(pickle.dumps(run))  # a listed run is plain data: it copies and pickles
    runlab.get_run_db().del_run(run.uid())
    assert (run.metadata.name, run.state(), run.status.results) == ("gone", "completed", {"score": 2})
    assert copy.deepcopy(run).to_dict() == run.to_dict()
    assert (again.metadata.name, again.state()) == ("gone", "completed")


def test_filters_of_the_same_shape_keep_their_own_values():
    store = get_store()
    for i, (name, team) in enumerate([("a_b", "x"), ("axb", "y"), ("a%b", "x"), ("other", "y")]):
        record = new_run("shapes", name, "job", RunState.COMPLETED if i % 2 else RunState.ERROR, {"team": team},
                         {})
        record.start_time = 100.0 + i
        store.create_run(record)
    names = lambda **kw: [r.metadata.name for r in list_runs(project="shapes", **kw)]  # noqa: E731
    assert names(name="a_b") == ["a_b"]
    assert names(name="axb") == ["axb"]
    assert names(name="~A_B") == ["a_b"]  # "_" and "%" are characters in a "~" filter, not wildcards
    assert names(name="~a%") == ["a%b"]
    assert names(name="~X") == ["axb"]
    assert names(labels={"team": "x"}) == ["a%b", "a_b"]
    assert names(labels={"team": "y"}) == ["other", "axb"]
    assert names(labels=["team"]) == ["other", "a%b", "axb", "a_b"]
    assert names(state="error") == ["a%b", "a_b"]
    assert names(state="completed") == ["other", "axb"]
    assert names(last=1) == ["other"]
    assert names(last=3) == ["other", "a%b", "axb"]
    assert names(since=101.0, until=103.0) == ["a%b", "axb"]
    assert names(since=102.0) == ["other", "a%b"]
    assert [r.name for r in store.list_runs(project="shapes", offset=1)] == ["a%b", "axb", "a_b"]
    assert [r.name for r in store.list_runs(project="shapes", offset=3)] == ["a_b"]
    assert [r.name for r in store.list_runs(project="shapes", last=1, offset=2)] == ["axb"]
    columns, rows = store.list_run_rows(project="shapes", newest_first=False, last=2)
    assert [row[columns.index("name")] for row in rows] == ["a_b", "axb"]
