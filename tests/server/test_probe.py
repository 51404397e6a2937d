"""A probe of every REST route with bad input: no request may answer 5xx, and every error is JSON naming
the problem. Each route gets hostile path segments, query values and bodies on every method."""

from __future__ import annotations

import itertools
import json
import textwrap
from pathlib import Path
from urllib.parse import quote

import jsonschema
import pytest
import yaml

import runlab
from runlab import pyenv

SPEC = yaml.safe_load((Path(runlab.__file__).parent / "server" / "openapi.yaml").read_text())
ERROR = {"$ref": "#/components/schemas/Error", "components": SPEC["components"]}

BAD_SEGMENTS = ["", " ", "x" * 5000, "..", "../../etc/passwd", "%00", "\x00", "'; DROP TABLE runs;--", "<script>",
                "😀", "9" * 30, "-1", "1e308", "nan", "0x10", "a/b", "*", "%", "\\", "__proto__"]
BAD_QUERY = ["", "x" * 5000, "-1", "9" * 30, "1e308", "nan", "inf", "-inf", "0001-01-01T00:00:00",
             "9999-12-31T23:59:59", "2026-13-45", "'; DROP TABLE runs;--", "<script>", "😀", "\x00", "true", "[]"]
QUERY_NAMES = ["project", "name", "state", "label", "since", "until", "sort", "limit", "offset", "iterations",
               "iteration", "q", "max_bytes"]
BAD_BODIES = [b"", b"{", b"[]", b"null", b'{"params": 5}', b'{"x": ' + b"9" * 400 + b"}", "😀".encode(),
              b"\xff\xfe", json.dumps({"a": "x" * 100_000}).encode()]


@pytest.fixture
def probed(tmp_path):
    (tmp_path / "handlers.py").write_text(textwrap.dedent("""
        def train(context, lr=0.1):
            context.log_result("accuracy", lr)
            context.log_artifact("page", body="<b>hi</b>", format="html")
    """))
    project = runlab.get_or_create_project("probe", context=str(tmp_path))
    project.set_function("handlers.py", name="fn", kind="local", handler="train")
    run = project.run_function("fn", params={"lr": 0.2})
    project.run_function("fn", schedule="@daily", name="nightly")
    return run.uid()


async def _probe(jp_fetch, method: str, path: str, seen: list, failures: list, **kwargs) -> None:
    if method in ("POST", "PUT", "PATCH") and "body" not in kwargs:
        kwargs["body"] = b"{}"
    response = await jp_fetch("runlab", "api", *path.split("/"), method=method, raise_error=False,
                              allow_nonstandard_methods=True, **kwargs)
    seen.append(response.code)
    if response.code >= 500 or response.code == 599:
        failures.append((method, path[:80], str(kwargs)[:120], response.code, response.body[:200]))
    elif response.code >= 400 and response.body and method != "HEAD":
        jsonschema.validate(json.loads(response.body), ERROR)


def _routes(uid: str) -> list[str]:
    """Every route of the OpenAPI file with a real uid, iteration, key, project and schedule name."""
    values = {"uid": uid, "iteration": "0", "key": "page", "project": "probe", "name": "nightly",
              "action": "pause", "hash": pyenv.current()[0]}  # the environment the probed run ran in
    return [path.strip("/").format(**values) for path in SPEC["paths"]]


async def test_no_bad_request_answers_5xx(jp_fetch, probed):
    seen: list[int] = []
    failures: list[tuple] = []
    uid = probed
    routes = _routes(uid)
    methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"]
    for route in routes:  # every method on every route, with no input at all
        for method in methods:
            if method != "DELETE":
                await _probe(jp_fetch, method, route, seen, failures)
    templates = [path.strip("/").split("/") for path in SPEC["paths"]]
    for (route, template), bad in itertools.product(zip(routes, templates, strict=True), BAD_SEGMENTS):
        parts = route.split("/")  # each segment that is a value (a {uid}, a {key}, ...) replaced by a bad value
        for i in range(len(parts)):
            if not template[i].startswith("{"):
                continue
            changed = "/".join([*parts[:i], quote(bad, safe=""), *parts[i + 1:]])
            for method in ("GET", "POST"):
                await _probe(jp_fetch, method, changed, seen, failures)
    for route, name, value in itertools.product(routes, QUERY_NAMES, BAD_QUERY):  # each query parameter
        if not route.endswith(("abort", "rerun", "pause")):
            await _probe(jp_fetch, "GET", route, seen, failures, params={name: value})
    for route, body in itertools.product([r for r in routes if r.endswith(("abort", "pause"))], BAD_BODIES):
        await _probe(jp_fetch, "POST", route, seen, failures, body=body)
    for route in sorted(routes, key=len, reverse=True):  # deletes last: they remove what the others probe
        await _probe(jp_fetch, "DELETE", route, seen, failures)
    assert failures == [], f"{len(failures)} of {len(seen)} probes answered 5xx:\n" + "\n".join(map(str, failures))
    assert len(seen) > 2000
    print(f"{len(seen)} probes, {sum(code >= 500 for code in seen)} answered 5xx")
