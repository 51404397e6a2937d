"""The project fields route (``/projects/{project}/fields``) through real HTTP, checked against openapi.yaml:
the keys of the runs' params, results and labels with their kinds, the most common first, read from the
newest runs only (and saying so)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from tornado.httpclient import HTTPClientError

import runlab
from runlab.record import RunState, new_run
from runlab.server import fields
from runlab.store import get_store

SPEC = yaml.safe_load((Path(runlab.__file__).parent / "server" / "openapi.yaml").read_text())


def answer(body: bytes, status: int) -> dict:
    response = SPEC["paths"]["/projects/{project}/fields"]["get"]["responses"][str(status)]
    if "$ref" in response:
        response = SPEC["components"]["responses"][response["$ref"].rsplit("/", 1)[-1]]
    data = json.loads(body)
    jsonschema.validate(data, {**response["content"]["application/json"]["schema"], "components": SPEC["components"]})
    return data


def add_run(project: str, params: dict, results: dict, labels: dict, start: float) -> None:
    record = new_run(project, "train", "job", RunState.COMPLETED, labels, {"function": "fn", "parameters": params})
    record.results = results
    record.start_time = record.last_update = start
    get_store().create_run(record)


@pytest.fixture
def project() -> str:
    runlab.get_or_create_project("fields")
    for i in range(4):
        add_run("fields", {"lr": 0.1 * i, "optimizer": "adam"},
                {"accuracy": 0.5 + i / 10, "note": "ok" if i % 2 else 3, **({"best": True} if i else {})},
                {"team": "a"}, 1_700_000_000.0 + i)
    return "fields"


def keyed(listed: list[dict]) -> dict[str, tuple[str, int]]:
    return {f["key"]: (f["kind"], f["runs"]) for f in listed}


async def test_fields_list_keys_with_kinds_most_common_first(jp_fetch, project):
    data = answer((await jp_fetch("runlab", "api", "projects", project, "fields")).body, 200)
    assert data["project"] == "fields" and data["runs"] == 4 and data["sampled"] is False
    assert keyed(data["params"]) == {"lr": ("number", 4), "optimizer": ("string", 4)}
    assert keyed(data["results"]) == {"accuracy": ("number", 4), "note": ("mixed", 4), "best": ("boolean", 3)}
    assert [f["key"] for f in data["results"]] == ["accuracy", "note", "best"]
    assert keyed(data["labels"])["team"] == ("string", 4)


async def test_fields_come_from_the_newest_runs_and_say_so(jp_fetch, project, monkeypatch):
    add_run("fields", {"lr": 1.0, "epochs": 3}, {"loss": 0.2}, {}, 1_800_000_000.0)
    monkeypatch.setattr(fields.project_fields, "__defaults__", (1,))
    data = answer((await jp_fetch("runlab", "api", "projects", project, "fields")).body, 200)
    assert data["sampled"] is True and data["runs"] == 1
    assert keyed(data["params"]) == {"epochs": ("number", 1), "lr": ("number", 1)}
    assert keyed(data["results"]) == {"loss": ("number", 1)}


async def test_fields_of_an_unknown_project_are_a_404_naming_the_projects(jp_fetch, project):
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch("runlab", "api", "projects", "nope", "fields")
    assert info.value.code == 404
    assert answer(info.value.response.body, 404)["message"] == "project 'nope' is not in the store (projects: fields)"
