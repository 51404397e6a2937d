"""The REST answer of a run with retries and a timeout carries its attempts and bounds (per openapi.yaml)."""

from __future__ import annotations

import textwrap

from openapispec import check_operation

import runlab

FLAKY = """
    import os

    def flaky(context, counter):
        count = int(open(counter).read()) + 1 if os.path.exists(counter) else 1
        open(counter, "w").write(str(count))
        if count == 1:
            raise RuntimeError("first try fails")
        context.log_result("tries", count)
"""


async def test_the_run_answer_lists_each_attempt(jp_fetch, tmp_path):
    (tmp_path / "flaky.py").write_text(textwrap.dedent(FLAKY))
    project = runlab.get_or_create_project("bounded", context=str(tmp_path))
    project.set_function("flaky.py", name="flaky", kind="local", handler="flaky")
    run = project.run_function("flaky", params={"counter": str(tmp_path / "counter")}, retry=1, timeout=60)
    response = await jp_fetch("runlab", "api", "runs", run.uid())
    data = check_operation("/runs/{uid}", "get", 200, response.body)
    assert [(a["attempt"], a["state"], a["error"]) for a in data["status"]["attempts"]] == [
        (1, "error", "RuntimeError: first try fails"), (2, "completed", None)]
    assert data["spec"]["timeout"] == 60 and data["spec"]["retry"] == {"count": 1, "delay": 0.0}
