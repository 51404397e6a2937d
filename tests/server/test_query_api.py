"""The runs route's ``filter`` and ``order_by`` through real HTTP, on SQLite and PostgreSQL, each answer
checked against openapi.yaml."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from tornado.httpclient import HTTPClientError

import runlab
from runlab.record import RunState, new_run
from runlab.store import get_store

SPEC = yaml.safe_load((Path(runlab.__file__).parent / "server" / "openapi.yaml").read_text())


def answer(body: bytes, status: int) -> dict:
    response = SPEC["paths"]["/runs"]["get"]["responses"][str(status)]
    if "$ref" in response:
        response = SPEC["components"]["responses"][response["$ref"].rsplit("/", 1)[-1]]
    data = json.loads(body)
    jsonschema.validate(data, {**response["content"]["application/json"]["schema"], "components": SPEC["components"]})
    return data


@pytest.fixture
def scored() -> dict[str, str]:
    """Runs of project api: an accuracy per name (a string for 'text', none for 'bare')."""
    uids = {}
    for i, (name, results) in enumerate([("low", {"accuracy": 0.5}), ("high", {"accuracy": 0.95}),
                                         ("text", {"accuracy": "good"}), ("bare", {}), ("top", {"accuracy": 0.99})]):
        spec = {"function": "fn", "handler": "train", "parameters": {"lr": 0.1 * (i + 1)}, "inputs": {}}
        record = new_run("api", name, "job", RunState.COMPLETED, {}, spec)
        record.results = results
        record.start_time = record.last_update = 1_700_000_000.0 + i
        record.end_time = record.start_time + 1
        get_store().create_run(record)
        uids[name] = record.uid
    return uids


async def runs_page(jp_fetch, params) -> dict:
    return answer((await jp_fetch("runlab", "api", "runs", params=params)).body, 200)


async def test_runs_route_filters_and_orders(jp_fetch, scored):
    page = await runs_page(jp_fetch, {"project": "api", "filter": "results.accuracy > 0.9 and params.lr < 0.45"})
    assert [r["metadata"]["name"] for r in page["runs"]] == ["high"]
    page = await runs_page(jp_fetch, [("project", "api"), ("order_by", "results.accuracy desc"), ("limit", "3")])
    assert [r["metadata"]["name"] for r in page["runs"]] == ["top", "high", "low"]
    assert page["next_offset"] == 3
    rest = await runs_page(jp_fetch, [("project", "api"), ("order_by", "results.accuracy desc"), ("limit", "3"),
                                      ("offset", "3")])
    assert [r["metadata"]["name"] for r in rest["runs"]] == ["text", "bare"], "missing values last"
    page = await runs_page(jp_fetch, [("order_by", "params.lr"), ("filter", "name not in ('low', 'bare')")])
    assert [r["metadata"]["name"] for r in page["runs"]] == ["high", "text", "top"]
    page = await runs_page(jp_fetch, {"filter": "results.x == \"'; drop table runs; --\""})
    assert page["runs"] == []
    assert get_store().count_runs() == 5


@pytest.mark.parametrize(("params", "message"), [
    ({"filter": "results.accuracy > 0.9 adn x"},
     "filter: unexpected 'adn' at column 24; expected 'and', 'or' or the end"),
    ({"filter": "state == 1"}, "filter: state is a string: compare it with a quoted string, not 1 (column 10)"),
    ({"order_by": "results.accuracy sideways"},
     "order_by: unexpected 'sideways' at column 18; expected 'asc', 'desc', ',' or the end"),
    ({"order_by": "params.lr", "sort": "start"},
     "give sort or order_by, not both: order_by ['params.lr'] sets the whole order (add 'start asc' or "
     "'start desc' to it)"),
])
async def test_a_bad_filter_or_order_is_a_400_that_says_where(jp_fetch, scored, params, message):
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch("runlab", "api", "runs", params=params)
    assert info.value.code == 400
    assert answer(info.value.response.body, 400)["message"] == message
