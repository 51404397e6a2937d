"""The "Run as job" and "Rerun with changes" routes through real HTTP, checked against openapi.yaml: reading a
file's functions or a notebook's parameters without running it, paths kept under the server's root, every bad
field refused by name with nothing recorded, a file run as a job or scheduled, a rerun with changed params."""

from __future__ import annotations

import json
import os
import textwrap

import pytest
from openapispec import check_operation
from tornado.httpclient import HTTPClientError

import runlab
from runlab.store import get_store

TRAINER = '''
    from pathlib import Path

    Path(__file__).with_name("imported.txt").write_text("the file ran")  # must not happen when inspected


    def train(context, data, lr: float = 0.1, epochs=3, tags=("a",), mode="fast", **extra):
        """Train a model.

        More text.
        """
        context.log_result("score", lr * epochs)


    def report(context, title: str):
        context.log_result("title", title)


    async def stream(n=1):
        pass


    def _private():
        pass
'''

NOTEBOOK = {
    "cells": [
        {"cell_type": "code", "metadata": {"tags": ["parameters"]}, "execution_count": None, "outputs": [],
         "source": ["lr = 0.5  # learning rate\n", "epochs: int = 3\n", "name = 'x'\n", "when = object()\n"]},
        {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "source": ["print(lr)\n"]},
    ],
    "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    "nbformat": 4, "nbformat_minor": 5,
}


async def fetch_error(jp_fetch, path: str, method: str, *parts, **kwargs) -> tuple[int, dict]:
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch(*parts, method=method, **kwargs)
    code = info.value.code
    return code, check_operation(path, method.lower(), code, info.value.response.body)


@pytest.fixture
def files(jp_root_dir):
    (jp_root_dir / "jobs").mkdir()
    (jp_root_dir / "jobs" / "trainer.py").write_text(textwrap.dedent(TRAINER))
    (jp_root_dir / "jobs" / "data.csv").write_text("a\n1\n")
    (jp_root_dir / "study.ipynb").write_text(json.dumps(NOTEBOOK))
    return jp_root_dir


async def test_inspect_lists_a_python_files_functions_without_running_it(jp_fetch, files):
    response = await jp_fetch("runlab", "api", "inspect", params={"path": "jobs/trainer.py"})
    info = check_operation("/inspect", "get", 200, response.body)
    assert not (files / "jobs" / "imported.txt").exists(), "the server never runs the file"
    assert [f["name"] for f in info["functions"]] == ["train", "report", "stream"]
    train = info["functions"][0]
    assert train["doc"] == "Train a model." and train["context"] and train["kwargs"]
    params = {p["name"]: p for p in train["params"]}
    assert list(params) == ["data", "lr", "epochs", "tags", "mode"]
    assert params["data"]["required"] and params["data"]["type"] == "any"
    assert params["lr"] == {"name": "lr", "annotation": "float", "type": "float", "required": False, "default": 0.1,
                            "literal": True, "default_text": "0.1"}
    assert params["epochs"]["type"] == "int" and params["mode"]["default"] == "fast"
    assert params["tags"]["default"] == ["a"] and params["tags"]["type"] == "list"  # a tuple is a JSON list
    assert info["functions"][2]["context"] is False and info["functions"][2]["params"][0]["name"] == "n"


async def test_inspect_reads_a_notebooks_parameters_cell(jp_fetch, files):
    info = check_operation("/inspect", "get", 200,
                           (await jp_fetch("runlab", "api", "inspect", params={"path": "study.ipynb"})).body)
    assert info["kind"] == "notebook" and info["has_parameters_cell"]
    params = {p["name"]: p for p in info["parameters"]}
    assert params["lr"]["default"] == 0.5 and params["lr"]["type"] == "float"
    assert params["lr"]["help"] == "learning rate"
    assert params["epochs"]["type"] == "int" and params["epochs"]["annotation"] == "int"
    assert params["when"]["literal"] is False and params["when"]["default_text"] == "object()"


async def test_inspect_refuses_paths_outside_the_root_missing_files_and_syntax_errors(jp_fetch, files, tmp_path):
    outside = tmp_path / "outside.py"
    outside.write_text("def f():\n    pass\n")
    os.symlink(outside, files / "link.py")
    for path in ("../outside.py", str(outside), "jobs/../../outside.py", "link.py"):
        code, error = await fetch_error(jp_fetch, "/inspect", "GET", "runlab", "api", "inspect", params={"path": path})
        assert code == 403 and "root folder" in error["message"], path
    code, error = await fetch_error(jp_fetch, "/inspect", "GET", "runlab", "api", "inspect",
                                    params={"path": "jobs/nope.py"})
    assert code == 404 and "jobs/nope.py" in error["message"]
    (files / "broken.py").write_text("def ok():\n    pass\n\ndef broken(:\n")
    code, error = await fetch_error(jp_fetch, "/inspect", "GET", "runlab", "api", "inspect",
                                    params={"path": "broken.py"})
    assert code == 400 and "line 4" in error["message"] and error["field"] == "path"


def job(**changes) -> bytes:
    body = {"project": "dialog", "path": "jobs/trainer.py", "kind": "job", "handler": "train",
            "params": {"lr": 0.5}, "inputs": {"data": "jobs/data.csv"}, "labels": {"team": "a"}}
    return json.dumps({**body, **changes}).encode()


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"handler": "nope"}, "handler", "train, report, stream"),
    ({"params": {"lr": "fast"}}, "params.lr", "float"),
    ({"params": {"epochs": 2.5}}, "params.epochs", "is an int, default 3; 2.5 is a float: give an int"),
    ({"handler": "report", "params": {"lr": 1}}, "params.lr", "takes no param"),
    ({"handler": "report", "params": {}}, "params.title", "needs a value"),
    ({"inputs": {"data": "jobs/missing.csv"}}, "inputs.data", "no such file"),
    ({"inputs": {"data": "../secret.csv"}}, "inputs.data", "root folder"),
    ({"project": "Bad_Name!"}, "project", "project name"),
    ({"name": "no spaces please"}, "name", "run name"),
    ({"kind": "spark"}, "kind", "job, dask"),
    ({"labels": {"team": {"a": 1}}}, "labels.team", "text"),
    ({"schedule": {"cron": "every day"}}, "schedule.cron", "every day"),
    ({"schedule": {"cron": "0 * * * *", "timezone": "Mars/Olympus"}}, "schedule.timezone", "Mars/Olympus"),
    ({"path": "study.ipynb", "handler": "", "kind": "dask"}, "kind", "notebook"),
    ({"path": "study.ipynb", "handler": "", "params": {"epochs": "three"}}, "params.epochs", "int"),
    ({"colour": "red"}, "colour", "unknown field"),
])
async def test_a_bad_field_is_named_and_nothing_is_recorded(jp_fetch, files, changes, field, words):
    for validate_only in (True, False):
        code, error = await fetch_error(jp_fetch, "/runs", "POST", "runlab", "api", "runs",
                                        body=job(**changes, validate_only=validate_only))
        assert code == 400 and error["field"] == field and words in error["message"], error
    store = get_store()
    assert store.list_runs() == [] and store.list_projects() == [] and store.list_schedules() == []


async def test_validate_only_checks_a_good_request_and_records_nothing(jp_fetch, files):
    response = await jp_fetch("runlab", "api", "runs", method="POST", body=job(validate_only=True))
    assert response.code == 200
    assert check_operation("/runs", "post", 200, response.body) == {"valid": True, "function": "trainer"}
    assert get_store().list_runs() == [] and get_store().list_projects() == []


async def test_a_file_runs_as_a_job_of_a_new_project(jp_fetch, files):
    response = await jp_fetch("runlab", "api", "runs", method="POST", body=job(params={"lr": 0.5, "epochs": 4}))
    assert response.code == 201
    data = check_operation("/runs", "post", 201, response.body)
    run = runlab.get_run(data["uid"]).wait_for_completion(timeout=60, poll=0.1)
    assert data["project"] == "dialog" and run.metadata.project == "dialog"
    assert run.spec.parameters == {"lr": 0.5, "epochs": 4} and run.status.results["score"] == 2.0
    assert run.spec.inputs == {"data": str(files / "jobs" / "data.csv")}
    assert run.metadata.labels["team"] == "a" and run.metadata.labels["kind"] == "job"
    assert get_store().get_project("dialog")["context"] == str(files)


async def test_a_file_runs_on_dask(jp_fetch, files, monkeypatch):
    """"Dask" in the dialog: the run goes to the cluster (here a LocalCluster of one worker process, so the
    handler runs in neither the server nor this test) and is recorded by the server's process."""
    from distributed import Client, LocalCluster

    from runlab import process
    from runlab.runtimes import dask as dask_runtime

    monkeypatch.setenv("RUNLAB_DASK_SHARED_FS", "1")  # the cluster is given, so runlab takes it as remote
    process.reset()

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        dask_runtime.set_dask_client(client)
        try:
            response = await jp_fetch("runlab", "api", "runs", method="POST", body=job(kind="dask", params={"lr": 2}))
            data = check_operation("/runs", "post", 201, response.body)
            run = runlab.get_run(data["uid"]).wait_for_completion(timeout=60, poll=0.1)
            assert run.metadata.labels["kind"] == "dask" and run.status.results["score"] == 6
            assert run.status.state == "completed"
        finally:
            dask_runtime.set_dask_client(None)


async def test_a_file_is_scheduled(jp_fetch, files):
    response = await jp_fetch("runlab", "api", "runs", method="POST",
                              body=job(schedule={"cron": "0 6 * * *", "timezone": "UTC", "concurrency": "allow"}))
    data = check_operation("/runs", "post", 201, response.body)
    assert data["schedule"]["cron"] == "0 6 * * *" and data["schedule"]["concurrency"] == "allow"
    assert get_store().list_runs() == [], "a schedule runs nothing now"
    code, error = await fetch_error(jp_fetch, "/runs", "POST", "runlab", "api", "runs",
                                    body=job(schedule={"cron": "0 7 * * *"}, validate_only=True))
    assert code == 400 and error["field"] == "schedule.cron" and "already has a schedule" in error["message"]


async def test_rerun_with_changes_merges_them_over_the_recorded_run(jp_fetch, files):
    first = json.loads((await jp_fetch("runlab", "api", "runs", method="POST", body=job())).body)
    runlab.get_run(first["uid"]).wait_for_completion(timeout=60, poll=0.1)
    source = check_operation("/inspect", "get", 200,
                             (await jp_fetch("runlab", "api", "inspect", params={"uid": first["uid"]})).body)
    assert source["path"] == "jobs/trainer.py" and source["functions"][0]["name"] == "train"
    changes = {"params": {"epochs": 10}, "labels": {"try": "2"}}
    checked = await jp_fetch("runlab", "api", "runs", first["uid"], "rerun", method="POST",
                             body=json.dumps({**changes, "validate_only": True}).encode())
    assert check_operation("/runs/{uid}/rerun", "post", 200, checked.body)["valid"] is True
    assert len(get_store().list_runs()) == 1, "validate_only starts nothing"
    response = await jp_fetch("runlab", "api", "runs", first["uid"], "rerun", method="POST",
                              body=json.dumps(changes).encode())
    data = check_operation("/runs/{uid}/rerun", "post", 201, response.body)
    new = runlab.get_run(data["uid"]).wait_for_completion(timeout=60, poll=0.1)
    assert new.spec.parameters == {"lr": 0.5, "epochs": 10} and new.status.results["score"] == 5.0
    assert new.metadata.labels["rerun-of"] == first["uid"] and new.metadata.labels["team"] == "a"
    assert new.metadata.labels["try"] == "2" and new.spec.handler == "train"
    for body, field in (({"params": {"epochs": "ten"}}, "params.epochs"), ({"handler": "nope"}, "handler"),
                        ({"inputs": {"data": "gone.csv"}}, "inputs.data"), ({"lr": 1}, "lr")):
        code, error = await fetch_error(jp_fetch, "/runs/{uid}/rerun", "POST", "runlab", "api", "runs",
                                        first["uid"], "rerun", body=json.dumps(body).encode())
        assert code == 400 and error["field"] == field, error
    assert len(get_store().list_runs()) == 2, "no refused rerun was recorded"


async def test_the_new_routes_need_the_token_and_xsrf(jp_fetch, files):
    for method, parts, kwargs in (("GET", ("inspect",), {"params": {"path": "jobs/trainer.py"}}),
                                  ("POST", ("runs",), {"body": job()})):
        with pytest.raises(HTTPClientError) as info:
            await jp_fetch("runlab", "api", *parts, method=method, headers={"Authorization": ""}, **kwargs)
        assert info.value.code == 403
    login = await jp_fetch("login", method="GET", headers={"Authorization": ""}, follow_redirects=False)
    cookies = "; ".join(c.split(";", 1)[0] for c in login.headers.get_list("Set-Cookie"))
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch("runlab", "api", "runs", method="POST", body=job(),
                       headers={"Authorization": "", "Cookie": cookies})
    assert info.value.code == 403
    assert get_store().list_runs() == []
