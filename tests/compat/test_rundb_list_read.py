"""Ported from MLRun's tests/integration/sdk_api/httpdb/runs/test_runs.py (``test_list_runs``) and the run
DB API in mlrun/db/base.py and mlrun/db/httpdb.py (``list_runs`` with ``name="~part"``, ``read_run``,
``abort_run``).

runlab differs on purpose in one way: it has no ``store_run`` (a run record is made by running
something, never written by hand), so the runs these cases list are made by running a small handler.
"""

from __future__ import annotations

import datetime

import pytest

import runlab as mlrun

HANDLER = '''
def handler(context, p1=1):
    context.log_result("accuracy", p1 * 2)
    context.log_artifact("chart", body="abc", format="txt")
'''


@pytest.fixture
def fn(write_file):
    path = write_file("handler.py", HANDLER)
    return mlrun.code_to_function(name="fn", filename=str(path), kind="job", handler="handler")


@pytest.fixture
def runs(fn):
    projects = ["run-project-1", "run-project-2", "run-project-3"]
    run_names = ["run-name-1", "run-name-2", "Other-Name"]
    for project in projects:
        mlrun.get_or_create_project(project, context="./")
        for name in run_names:
            fn.run(name=name.lower(), project=project, local=True)
    return projects, run_names


def _list_and_assert_objects(expected_number_of_runs: int, **kwargs):
    runs = mlrun.get_run_db().list_runs(**kwargs)
    assert len(runs) == expected_number_of_runs
    return runs


def test_list_runs(runs):
    projects, run_names = runs
    # basic list, all projects, so 3 projects * 3 names
    _list_and_assert_objects(expected_number_of_runs=len(projects) * len(run_names), project="*", iter=True)
    # basic list, specific project
    _list_and_assert_objects(expected_number_of_runs=len(run_names), project=projects[0], iter=False)
    # using start time from to make sure we get all runs (and not just latest)
    _list_and_assert_objects(
        expected_number_of_runs=len(run_names),
        start_time_from=datetime.datetime.now() - datetime.timedelta(days=1),
        project=projects[0],
        iter=False,
    )
    _list_and_assert_objects(expected_number_of_runs=0, project=projects[0],
                             start_time_to=datetime.datetime.now() - datetime.timedelta(days=1))
    for run in _list_and_assert_objects(expected_number_of_runs=3, project=projects[0]):
        assert run["metadata"]["project"] == projects[0]
        assert run["status"]["state"] == "completed"


def test_list_runs_by_name_substring(runs):
    """mlrun/db/base.py list_runs: ``name="~part"`` is a case-insensitive substring match (the server's
    ``ilike``); a plain name matches exactly."""
    projects, _ = runs
    db = mlrun.get_run_db()
    assert len(db.list_runs(name="~run-name", project=projects[1])) == 2
    assert len(db.list_runs(name="~NAME", project=projects[1])) == 3
    assert len(db.list_runs(name="~other", project="*")) == 3
    assert len(db.list_runs(name="run-name", project=projects[1])) == 0, "without ~ the name is exact"
    assert len(db.list_runs(name="~%", project="*")) == 0, "LIKE wildcards are plain characters"
    project = mlrun.get_or_create_project(projects[2], context="./")
    assert {r.metadata.name for r in project.list_runs(name="~-1")} == {"run-name-1"}


def test_read_run_as_a_dict(fn):
    """mlrun/db/httpdb.py read_run(uid, project, iter) returns the run dict."""
    run = fn.run(params={"p1": 4}, local=True)
    db = mlrun.get_run_db()
    data = db.read_run(run.metadata.uid, run.metadata.project)
    assert data["metadata"]["uid"] == run.uid()
    assert data["status"]["state"] == "completed"
    assert data["status"]["results"] == {"accuracy": 8}
    assert data["spec"]["parameters"] == {"p1": 4}
    assert set(data.keys()) == {"kind", "metadata", "spec", "status"}
    assert "status" in data and data.get("nope") is None
    assert data["status"]["artifact_uris"] == {"chart": run.outputs["chart"]}
    with pytest.raises(mlrun.errors.MLRunNotFoundError, match="belongs to project"):
        db.read_run(run.uid(), "another-project")
    with pytest.raises(mlrun.errors.MLRunNotFoundError):
        db.read_run("0" * 32, run.metadata.project)


def test_read_run_of_a_sweep_child_and_the_iteration_table(fn):
    run = fn.run(hyperparams={"p1": [1, 3, 2]}, selector="max.accuracy", local=True)
    db = mlrun.get_run_db()
    child = db.read_run(run.uid(), run.metadata.project, iter=2)
    assert child["metadata"]["iteration"] == 2 and child["status"]["results"] == {"accuracy": 6}
    parent = db.read_run(run.uid(), run.metadata.project)
    assert parent["status"]["iterations"][0] == ["state", "iter", "param.p1", "output.accuracy"]
    assert parent["status"]["iterations"][1:] == [["completed", 1, 1, 2], ["completed", 2, 3, 6],
                                                  ["completed", 3, 2, 4]]


def test_abort_run_of_a_finished_run_leaves_it(fn):
    run = fn.run(local=True)
    assert mlrun.get_run_db().abort_run(run.uid(), run.metadata.project) == "completed"
    assert run.refresh().state() == "completed"
