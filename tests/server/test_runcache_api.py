"""The REST API shows a run the run cache answered: its cached-from label, the run it came from, and the
label filter finds it (every answer checked against openapi.yaml)."""

from __future__ import annotations

import textwrap

from openapispec import check, check_operation

import runlab

HANDLER = """
    def train(context, p=1):
        context.log_result("score", p * 10)
        context.log_artifact("model", body=f"model {p}", format="txt")
"""


async def test_a_cached_run_shows_its_source(jp_fetch, tmp_path):
    (tmp_path / "steps.py").write_text(textwrap.dedent(HANDLER))
    project = runlab.get_or_create_project("api", context=str(tmp_path))
    project.set_function("steps.py", name="steps", kind="local", handler="train")
    source = project.run_function("steps", params={"p": 2}, cache=True)
    hit = project.run_function("steps", params={"p": 2}, cache=True)

    data = check_operation("/runs/{uid}", "get", 200, (await jp_fetch("runlab", "api", "runs", hit.uid())).body)
    assert data["metadata"]["labels"]["cached-from"] == source.uid()
    assert data["status"]["cached_from"] == {"uid": source.uid(), "iteration": 0, "name": "steps-train"}
    assert data["status"]["state"] == "completed" and data["status"]["results"] == {"score": 20}
    [artifact] = data["status"]["artifacts"]
    assert artifact["target_path"] == source.status.artifacts[0]["target_path"]
    plain = check((await jp_fetch("runlab", "api", "runs", source.uid())).body, "Run")
    assert "cached-from" not in plain["metadata"]["labels"] and "cached_from" not in plain["status"]

    page = check_operation("/runs", "get", 200, (await jp_fetch("runlab", "api", "runs", params={
        "project": "api", "label": f"cached-from={source.uid()}"})).body)
    assert [run["metadata"]["uid"] for run in page["runs"]] == [hit.uid()]
