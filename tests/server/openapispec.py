"""The REST API's OpenAPI file, and answers checked against what it documents."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import yaml

import runlab

SPEC = yaml.safe_load((Path(runlab.__file__).parent / "server" / "openapi.yaml").read_text())


def check(body: bytes | str, schema: str) -> dict:
    """Parse a JSON body and validate it against a schema of the OpenAPI file."""
    data = json.loads(body)
    jsonschema.validate(data, {"$ref": f"#/components/schemas/{schema}", "components": SPEC["components"]})
    return data


def check_operation(path: str, method: str, status: int, body: bytes) -> dict:
    """Parse a JSON body and validate it against the response the OpenAPI file documents for this operation
    and status."""
    response = SPEC["paths"][path][method]["responses"][str(status)]
    if "$ref" in response:
        response = SPEC["components"]["responses"][response["$ref"].rsplit("/", 1)[-1]]
    data = json.loads(body)
    jsonschema.validate(data, {**response["content"]["application/json"]["schema"], "components": SPEC["components"]})
    return data
