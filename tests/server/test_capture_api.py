"""What a run ran, through real HTTP: ``spec.code`` in a run, the environment it names, and what changed since
(``/runs/{uid}/drift``), every answer checked against openapi.yaml."""

from __future__ import annotations

import json
import subprocess
import textwrap

import pytest
from openapispec import check, check_operation
from tornado.httpclient import HTTPClientError

import runlab
from runlab import pyenv

HANDLER = """
    def train(context, x=1):
        context.log_result("y", x)
"""


@pytest.fixture
def captured(tmp_path):
    """A run of train.py in a git repository with an uncommitted change."""
    (tmp_path / "train.py").write_text(textwrap.dedent(HANDLER))
    for args in (["init", "-q", "-b", "main"], ["add", "."], ["commit", "-qm", "first"]):
        subprocess.run(["git", "-C", str(tmp_path), "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
                       check=True, capture_output=True)
    (tmp_path / "train.py").write_text(textwrap.dedent(HANDLER) + "# local change\n" * 100)
    project = runlab.get_or_create_project("capapi", context=str(tmp_path))
    project.set_function("train.py", name="train", kind="local", handler="train")
    return tmp_path, project.run_function("train")


async def test_a_run_carries_its_capture_and_a_listing_only_its_sizes(jp_fetch, captured):
    _, run = captured
    response = await jp_fetch("runlab", "api", "runs", run.uid())
    code = check_operation("/runs/{uid}", "get", 200, response.body)["spec"]["code"]
    assert code["git"]["branch"] == "main" and "+# local change" in code["git"]["diff"]
    listed = check_operation("/runs", "get", 200, (await jp_fetch("runlab", "api", "runs")).body)["runs"][0]
    assert listed["spec"]["code"]["git"]["diff"].endswith("KB)")  # a preview and its size, e.g. "… (1.6 KB)"
    assert "spec.code.git.diff" in listed["truncated"]


async def test_the_environment_a_run_names_is_served(jp_fetch, captured):
    _, run = captured
    env_hash = run.spec["code"]["environment"]
    data = check_operation("/environments/{hash}", "get", 200,
                           (await jp_fetch("runlab", "api", "environments", env_hash)).body)
    assert data["hash"] == env_hash and data["packages"] == pyenv.current()[1]["packages"]
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch("runlab", "api", "environments", "0" * 64)
    assert info.value.code == 404
    assert "spec.code.environment" in check(info.value.response.body, "Error")["message"]


async def test_drift_says_when_the_file_changed(jp_fetch, captured):
    folder, run = captured
    same = check_operation("/runs/{uid}/drift", "get", 200, (await jp_fetch("runlab", "api", "runs", run.uid(),
                                                                                "drift")).body)
    assert same["captured"] is True and same["message"] is None
    assert same["code"]["changed"] is False and same["environment"]["changed"] is False

    (folder / "train.py").write_text(textwrap.dedent(HANDLER) + "# changed again\n")
    changed = check_operation("/runs/{uid}/drift", "get", 200, (await jp_fetch("runlab", "api", "runs", run.uid(),
                                                                                   "drift")).body)
    assert changed["code"]["changed"] is True and changed["code"]["old"] == run.spec["code"]["sha256"]
    assert f"train.py {run.spec['code']['sha256'][:8]}" in changed["message"]

    with pytest.raises(HTTPClientError) as info:
        await jp_fetch("runlab", "api", "runs", "f" * 32, "drift")
    assert info.value.code == 404


async def test_a_run_recorded_without_capture_has_no_drift(jp_fetch, tmp_path, monkeypatch):
    from runlab.config import reset_config

    monkeypatch.setenv("RUNLAB_CAPTURE", "0")
    reset_config()
    run = runlab.new_function(name="plain", kind="local").run(handler=lambda: 1)
    answer = json.loads((await jp_fetch("runlab", "api", "runs", run.uid(), "drift")).body)
    assert answer == {"captured": False, "code": None, "environment": None, "message": None}
