"""Validate JSON bodies against the vendored OpenAI OpenAPI spec (JSON Schema 2020-12).

The YAML is parsed once per session (CSafeLoader) and cached as JSON under `.cache/`.
Documented adjustments bridge the spec to what OpenAI actually sends:
- OpenAPI 3.0's `nullable: true`, still used in places, becomes "or null" (2020-12 ignores it);
- `FineTuningJob.status` also allows "paused" (the pause endpoint returns it; the enum lags),
  and list `first_id`/`last_id` may be null for an empty page, as the API returns;
- `OpenAIFile.purpose` also allows every `CreateFileRequest.purpose` ("evals" is missing from
  the answer's enum though a file can be created with it).
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tests.specs import OPENAI_SPEC

ROOT = Path(__file__).resolve().parents[1]
SPEC_PATH = OPENAI_SPEC
CACHE_DIR = ROOT / ".cache"
SPEC_URI = "urn:openai-openapi"


def _load_yaml() -> dict[str, Any]:
    raw = SPEC_PATH.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()[:16]
    cached = CACHE_DIR / f"openapi-{digest}.json"
    if cached.exists():
        return json.loads(cached.read_text(encoding="utf-8"))
    spec = yaml.load(raw, Loader=yaml.CSafeLoader)
    CACHE_DIR.mkdir(exist_ok=True)
    tmp = cached.with_suffix(".tmp")
    tmp.write_text(json.dumps(spec, default=str), encoding="utf-8")
    tmp.replace(cached)
    return json.loads(cached.read_text(encoding="utf-8"))  # dates as strings, like the API


def _nullable_to_2020(node: Any) -> Any:
    if isinstance(node, list):
        return [_nullable_to_2020(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _nullable_to_2020(value) for key, value in node.items()}
    if out.pop("nullable", False) is True:
        return {"anyOf": [out, {"type": "null"}]}
    return out


def _adjust(spec: dict[str, Any]) -> dict[str, Any]:
    spec = _nullable_to_2020(spec)
    schemas = spec["components"]["schemas"]
    schemas["FineTuningJob"]["properties"]["status"]["enum"].append("paused")
    # A file may be created with any CreateFileRequest purpose (the sandbox accepts "evals",
    # as OpenAI does), but the OpenAIFile.purpose enum of answers lags and lacks "evals".
    answered = schemas["OpenAIFile"]["properties"]["purpose"]["enum"]
    asked = schemas["CreateFileRequest"]["properties"]["purpose"]["enum"]
    answered.extend(p for p in asked if p not in answered)
    for name in ("ListFilesResponse",):
        for key in ("first_id", "last_id"):
            schemas[name]["properties"][key] = {"anyOf": [{"type": "string"}, {"type": "null"}]}
    return spec


@functools.cache
def spec() -> dict[str, Any]:
    return _adjust(_load_yaml())


@functools.cache
def _registry() -> Registry:
    return Registry().with_resource(SPEC_URI, Resource(contents=spec(), specification=DRAFT202012))


def _pointer(*parts: str) -> str:
    return "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


@functools.cache
def operations() -> dict[str, tuple[str, str]]:
    """operationId -> (path, method)."""
    found = {}
    for path, item in spec()["paths"].items():
        for method, op in item.items():
            if isinstance(op, dict) and "operationId" in op:
                found[op["operationId"]] = (path, method)
    return found


@functools.cache
def _validator(ref: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator({"$ref": ref}, registry=_registry())


def _check(ref: str, body: Any, what: str) -> Any:
    errors = sorted(_validator(ref).iter_errors(body), key=lambda e: list(e.absolute_path))
    if errors:
        lines = [f"- at {'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message[:300]}"
                 for e in errors[:10]]
        raise AssertionError(f"{what} does not match the OpenAI spec:\n" + "\n".join(lines))
    return body


def response_schema_ref(operation_id: str, status: str = "200",
                        content_type: str = "application/json") -> str:
    path, method = operations()[operation_id]
    content = spec()["paths"][path][method]["responses"][status]["content"]
    if content_type not in content:
        raise KeyError(f"{operation_id} {status} has no {content_type} body in the spec")
    return f"{SPEC_URI}#/" + _pointer("paths", path, method, "responses", status, "content",
                                      content_type, "schema")


def check_response(operation_id: str, body: Any, *, status: str = "200") -> Any:
    """Assert `body` (parsed JSON) is a valid `status` answer of the operation; returns it."""
    return _check(response_schema_ref(operation_id, status), body, f"{operation_id} {status} body")


def check_schema(name: str, body: Any) -> Any:
    """Assert `body` matches components/schemas/`name` (e.g. ErrorResponse, a stream chunk)."""
    return _check(f"{SPEC_URI}#/components/schemas/{name}", body, name)


def check_stream_chunk(body: Any) -> Any:
    return check_schema("CreateChatCompletionStreamResponse", body)


def check_error(body: Any) -> Any:
    return check_schema("ErrorResponse", body)


def strict_copy() -> dict[str, Any]:
    """The spec exactly as vendored (no adjustments), for tests of the adjustments."""
    return copy.deepcopy(_load_yaml())
