"""The jobs summary kept on write agrees with a full recount of the runs, on SQLite and PostgreSQL: after
creates, state changes, deletes and sweeps, and when the migration fills it from runs already stored."""

from __future__ import annotations

import pytest

from oldstores import store_at_revision
from runlab.record import RunState, new_run
from runlab.store import get_store


def _recount(store, project: str) -> tuple[list[dict], int]:
    """The jobs list and run count of ``project`` counted from every stored run (what the summary saves)."""
    rows = store.list_runs(project=project, iterations=True)
    jobs: dict[str, dict] = {}
    for run in rows:
        if run.iteration:
            continue
        job = jobs.setdefault(run.name, {"name": run.name, "runs": 0, "latest": run})
        job["runs"] += 1
        if (run.start_time, run.uid) > (job["latest"].start_time, job["latest"].uid):
            job["latest"] = run
    listed = [{"name": j["name"], "runs": j["runs"], "last_start": j["latest"].start_time, "uid": j["latest"].uid,
               "state": j["latest"].state.value, "end_time": j["latest"].end_time, "error": j["latest"].error,
               "kind": j["latest"].kind, "last_update": j["latest"].last_update} for j in jobs.values()]
    return sorted(listed, key=lambda j: (-j["last_start"], j["name"])), len(rows)


def _assert_agrees(store, *projects: str) -> None:
    for project in projects:
        jobs, count = _recount(store, project)
        assert store.list_jobs(project) == jobs
        assert store.count_runs(project) == count
        assert store.changed_since(project)[1] == count
    assert store.count_runs() == len(store.list_runs(iterations=True))


def _run(store, project: str, name: str, start: float, state: RunState = RunState.COMPLETED, kind: str = "job"):
    record = new_run(project, name, kind, state, {}, {"function": f"{project}/{name}"})
    record.start_time = record.last_update = start
    store.create_run(record)
    return record


def test_summary_agrees_with_a_recount_after_creates_state_changes_sweeps_and_deletes():
    store = get_store()
    train1 = _run(store, "p1", "train", 100.0)
    train2 = _run(store, "p1", "train", 200.0, RunState.RUNNING)
    prep = _run(store, "p1", "prep", 150.0, kind="local")
    tie_a = _run(store, "p1", "tie", 300.0)
    tie_b = _run(store, "p1", "tie", 300.0)  # started in the same instant: the greatest uid is the latest
    _run(store, "p2", "train", 50.0)
    _assert_agrees(store, "p1", "p2")
    assert [j["name"] for j in store.list_jobs("p1")] == ["tie", "train", "prep"]
    assert store.list_jobs("p1")[0]["uid"] == max(tie_a.uid, tie_b.uid)

    # the latest run ends: the jobs list shows its new state, end time and error
    store.update_run(train2.uid, 0, {"state": RunState.ERROR, "error": "boom", "end_time": 210.0,
                                     "last_update": 210.0})
    _assert_agrees(store, "p1")
    train = next(j for j in store.list_jobs("p1") if j["name"] == "train")
    assert (train["uid"], train["state"], train["error"], train["runs"]) == (train2.uid, "error", "boom", 2)

    # a sweep: children count as rows of the project, never as runs of the job, even when started later
    parent = _run(store, "p1", "sweep", 400.0)
    for iteration in (1, 2, 3):
        child = parent.child(iteration, {"x": iteration})
        child.start_time = 500.0 + iteration
        store.create_run(child)
    _assert_agrees(store, "p1")
    sweep = store.list_jobs("p1")[0]
    assert (sweep["name"], sweep["runs"], sweep["uid"]) == ("sweep", 1, parent.uid)
    assert store.count_runs("p1") == 9

    # deleting a job's latest run makes the previous one the latest; deleting the last run removes the job
    store.delete_run(train2.uid)
    _assert_agrees(store, "p1")
    train = next(j for j in store.list_jobs("p1") if j["name"] == "train")
    assert (train["uid"], train["runs"]) == (train1.uid, 1)
    store.delete_run(train1.uid)  # an older run first ...
    store.delete_run(prep.uid)
    store.delete_run(parent.uid)  # ... and a sweep with its children
    _assert_agrees(store, "p1", "p2")
    assert {j["name"] for j in store.list_jobs("p1")} == {"tie"}
    store.delete_run(max(tie_a.uid, tie_b.uid))
    assert store.list_jobs("p1")[0]["uid"] == min(tie_a.uid, tie_b.uid)
    store.delete_run("0" * 32)  # no such run: nothing changes
    _assert_agrees(store, "p1", "p2")


def test_jobs_list_filters_by_name_and_limits():
    store = get_store()
    for i, name in enumerate(["evaluate", "train", "Eval_2", "report"]):
        _run(store, "p", name, 10.0 + i)
    assert [j["name"] for j in store.list_jobs("p", "aluat")] == ["evaluate"]
    assert [j["name"] for j in store.list_jobs("p", "l_")] == ["Eval_2"]  # "_" is a character, not a wildcard
    assert [j["name"] for j in store.list_jobs("p", limit=2)] == ["report", "Eval_2"]
    assert store.list_jobs("nope") == []
    assert store.changed_since("nope") == (0.0, 0)



def test_runs_inserted_by_any_path_are_counted_by_the_database():
    """The database counts each inserted run itself: rows a bulk import writes straight into ``runs`` (children,
    a tie on the start time broken by the uid, an older run after a newer one) are in the summary too."""
    from runlab.store import schema

    store = get_store()
    newer = _run(store, "p", "train", 50.0)
    rows = []
    for uid, iteration, start in (("a" * 32, 0, 20.0), ("b" * 32, 0, 60.0), ("c" * 32, 0, 60.0), ("c" * 32, 1, 60.0)):
        record = new_run("p", "train", "job", RunState.COMPLETED, {}, {})
        record.uid, record.iteration, record.start_time, record.last_update = uid, iteration, start, start
        rows.append(record.to_row())
    with store.engine.begin() as conn:
        conn.execute(schema.runs.insert(), rows)
    _assert_agrees(store, "p")
    [job] = store.list_jobs("p")
    assert (job["runs"], job["uid"]) == (4, "c" * 32) and store.count_runs("p") == 5
    assert newer.uid != job["uid"]

def test_the_store_wide_change_stamp_is_the_newest_update_of_any_project():
    """changed_since() without a project steps through the state index per project and state: it still finds
    the newest update anywhere, after updates, a change of state and deletes, with projects that have no
    project record."""
    store = get_store()
    assert store.changed_since() == (0.0, 0)
    a, b = _run(store, "a", "train", 10.0), _run(store, "b", "train", 20.0)
    _run(store, "c", "prep", 15.0)
    assert store.changed_since() == (20.0, 3)
    store.update_run(a.uid, 0, {"last_update": 30.0})
    assert store.changed_since() == (30.0, 3)
    store.update_run(a.uid, 0, {"state": "error", "last_update": 35.0})  # found in its new state's range
    assert store.changed_since() == (35.0, 3) and store.changed_since("a") == (35.0, 1)
    store.delete_run(a.uid)
    assert store.changed_since() == (20.0, 2)
    store.delete_run(b.uid)
    assert store.changed_since() == (15.0, 1)


def test_migration_fills_the_summary_from_runs_already_stored():
    """A store at revision 0004 with runs in it (a sweep, two projects, a tie) gets the summary a recount
    gives when it is upgraded."""
    rows = []
    for i, (project, name, start) in enumerate([("a", "train", 1.0), ("a", "train", 3.0), ("a", "prep", 2.0),
                                                ("b", "train", 5.0), ("a", "tie", 4.0), ("a", "tie", 4.0)]):
        record = new_run(project, name, "job", RunState.COMPLETED, {}, {})
        record.start_time = record.last_update = start
        rows.append(record.to_row())
        if i == 2:
            child = record.child(1, {"x": 1})
            child.start_time = 9.0
            rows.append(child.to_row())
    store_at_revision("0004", rows)
    store = get_store()  # opening the store upgrades it to the newest revision
    _assert_agrees(store, "a", "b")
    assert [(j["name"], j["runs"]) for j in store.list_jobs("a")] == [("tie", 2), ("train", 2), ("prep", 1)]
    assert store.count_runs("a") == 6


@pytest.mark.sqlite_only
def test_create_run_that_fails_records_nothing_in_the_summary():
    """The summary is written in the run's own transaction: a run refused by the store leaves no count."""
    from runlab.errors import StoreError

    store = get_store()
    first = _run(store, "p", "train", 1.0)
    with pytest.raises(StoreError):
        store.create_run(first)  # the same uid again
    _assert_agrees(store, "p")
    assert store.list_jobs("p")[0]["runs"] == 1
