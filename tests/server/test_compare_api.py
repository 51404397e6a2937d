"""The compare routes (``/compare``, ``/compare/artifact``) through real HTTP, every answer checked against
openapi.yaml: the differing rows, the best result, the charts, a sweep's iterations, artifacts side by side, and
a one-line 400/404 for each bad request."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from tornado.httpclient import HTTPClientError

import runlab
from compareruns import add_runs, run_sweep

SPEC = yaml.safe_load((Path(runlab.__file__).parent / "server" / "openapi.yaml").read_text())


def answer(path: str, body: bytes, status: int) -> dict:
    response = SPEC["paths"][path]["get"]["responses"][str(status)]
    if "$ref" in response:
        response = SPEC["components"]["responses"][response["$ref"].rsplit("/", 1)[-1]]
    data = json.loads(body)
    jsonschema.validate(data, {**response["content"]["application/json"]["schema"], "components": SPEC["components"]})
    return data


async def get(jp_fetch, path: str, params: list[tuple[str, str]]) -> dict:
    return answer(path, (await jp_fetch("runlab", "api", *path.strip("/").split("/"), params=params)).body, 200)


async def refused(jp_fetch, path: str, params: list[tuple[str, str]]) -> tuple[int, str]:
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch("runlab", "api", *path.strip("/").split("/"), params=params)
    message = answer(path, info.value.response.body, info.value.code)["message"]
    assert "\n" not in message and "Traceback" not in message
    return info.value.code, message


async def test_two_runs_differing_in_one_of_117_params_differ_in_one_row(jp_fetch):
    first, second = add_runs("wide", 2, 117, results=False)
    data = await get(jp_fetch, "/compare", [("uid", first), ("uid", second)])
    assert [r["uid"] for r in data["runs"]] == [first, second]
    assert [r["field"] for r in data["rows"] if r["differs"]] == ["param.p000"]
    assert sum(r["field"].startswith("param.") for r in data["rows"]) == 117
    assert data["mime_type"] == "application/vnd.vegalite.v5+json"


async def test_best_results_and_charts(jp_fetch):
    uids = add_runs("best", 3, 4)
    data = await get(jp_fetch, "/compare", [("uid", u) for u in uids])
    rows = {r["field"]: r for r in data["rows"]}
    assert (rows["result.accuracy"]["best"], rows["result.accuracy"]["direction"]) == ([2], "max")
    assert (rows["result.loss"]["best"], rows["result.loss"]["direction"]) == ([2], "min")
    assert rows["param.p000"]["values"] == [0, 1, 2] and rows["param.p001"]["differs"] is False
    assert len(data["charts"]) == 2  # parallel coordinates, then the scatter with its pickers
    assert all(c["$schema"].startswith("https://vega.github.io/schema/vega-lite/v5") for c in data["charts"])


async def test_a_sweeps_iterations_and_an_iteration_by_uid_colon_iteration(jp_fetch, tmp_path):
    sweep = run_sweep(tmp_path)
    data = await get(jp_fetch, "/compare", [("uid", sweep.uid()), ("children", "true")])
    assert [r["iteration"] for r in data["runs"]] == [1, 2, 3]
    rows = {r["field"]: r for r in data["rows"]}
    assert rows["param.lr"]["values"] == [0.1, 0.2, 0.3] and rows["result.accuracy"]["best"] == [2]
    assert {"artifact.plot", "artifact.page", "artifact.table", "artifact.report"} <= set(rows)
    two = await get(jp_fetch, "/compare", [("uid", f"{sweep.uid()}:1"), ("uid", f"{sweep.uid()}:3")])
    assert [r["iteration"] for r in two["runs"]] == [1, 3]


async def test_artifacts_side_by_side_and_not_logged(jp_fetch, tmp_path):
    sweep = run_sweep(tmp_path)
    plain = add_runs("sweeps", 1, 2)[0]
    params = [("key", "plot"), ("uid", f"{sweep.uid()}:1"), ("uid", f"{sweep.uid()}:2"), ("uid", plain)]
    data = await get(jp_fetch, "/compare/artifact", params)
    assert data["key"] == "plot" and [r["iteration"] for r in data["runs"]] == [1, 2, 0]
    first, second, missing = data["runs"]
    assert first["preview"]["kind"] == "image" and first["preview"]["src"].startswith("data:image/png;base64,")
    assert first["preview"]["src"] != second["preview"]["src"]  # each run's own image
    assert missing["artifact"] is None and missing["preview"] is None
    table = await get(jp_fetch, "/compare/artifact", [("key", "table"), ("uid", f"{sweep.uid()}:3")])
    assert table["runs"][0]["preview"]["kind"] == "table" and table["runs"][0]["preview"]["rows"] == [[0.3, 2]]


@pytest.mark.parametrize(("params", "status", "words"), [
    ([("uid", "a" * 32)], 400, "a comparison takes 2 to 200 runs, got 1"),
    ([], 400, "a comparison takes 2 to 200 runs, got 0"),
    ([("uid", "x" * 32)] * 201, 400, "got 201"),
    ([("uid", "abcdef:x"), ("uid", "abcdef")], 400, "the iteration after ':' must be an integer"),
    ([("uid", "0" * 32), ("uid", "1" * 32)], 404, "is not in the store"),
])
async def test_bad_comparisons_are_one_line_errors(jp_fetch, params, status, words):
    add_runs("errors", 2, 2)
    code, message = await refused(jp_fetch, "/compare", params)
    assert code == status and words in message


async def test_children_of_a_run_that_is_no_sweep_is_400(jp_fetch):
    uid = add_runs("plain", 1, 2)[0]
    code, message = await refused(jp_fetch, "/compare", [("uid", uid), ("children", "1")])
    assert code == 400 and "not a hyper-parameter sweep's parent" in message


async def test_an_artifact_no_run_logged_is_404_listing_the_keys(jp_fetch, tmp_path):
    sweep = run_sweep(tmp_path)
    code, message = await refused(jp_fetch, "/compare/artifact", [("key", "nope"), ("uid", f"{sweep.uid()}:1")])
    assert code == 404 and message.endswith("(the keys logged: page, plot, report, table)")
    code, message = await refused(jp_fetch, "/compare/artifact", [("uid", f"{sweep.uid()}:1")])
    assert code == 400 and "key must name an artifact" in message
