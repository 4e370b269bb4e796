"""Validate JSON answers against Together's vendored OpenAPI spec (OpenAPI 3.1 / JSON Schema).

The spec is parsed once per session and cached as JSON under `.cache/`. Schemas are found by
path and method (Together's spec names few operations). Adjustments, each a defect of the
spec against what the API and its SDK send:
- OpenAPI 3.0's `nullable: true`, used in places, becomes "or null";
- `TrainingMethodSFT.train_on_inputs` says `oneOf: [boolean, "auto"]` but also `type: boolean`,
  which rules out "auto" (its own default): the stray `type` is dropped;
- `LRScheduler.lr_scheduler_args` is a `oneOf` of linear and cosine args, and cosine args
  also match the linear schema (no required fields), so it becomes `anyOf`;
- `FinetuneResponse.id` says `format: uuid`, but fine-tune ids are `ft-...` (the spec's own examples
  retrieve "ft-id", and the create answer's schema has no format), so the format is dropped.
"""

from __future__ import annotations

import functools
import hashlib
import json
from typing import Any

import jsonschema
import yaml
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tests.spec_check import CACHE_DIR, ROOT, _nullable_to_2020, _pointer  # noqa: F401
from tests.specs import TOGETHER_SPEC

SPEC_URI = "urn:together-openapi"


@functools.cache
def spec() -> dict[str, Any]:
    raw = TOGETHER_SPEC.read_bytes()
    cached = CACHE_DIR / f"together-{hashlib.sha256(raw).hexdigest()[:16]}.json"
    if not cached.exists():
        CACHE_DIR.mkdir(exist_ok=True)
        tmp = cached.with_suffix(".tmp")
        tmp.write_text(json.dumps(yaml.load(raw, Loader=yaml.CSafeLoader), default=str), encoding="utf-8")
        tmp.replace(cached)
    loaded = _nullable_to_2020(json.loads(cached.read_text(encoding="utf-8")))
    schemas = loaded["components"]["schemas"]
    schemas["TrainingMethodSFT"]["properties"]["train_on_inputs"].pop("type", None)
    args = schemas["LRScheduler"]["properties"]["lr_scheduler_args"]
    args["anyOf"] = args.pop("oneOf")
    schemas["FinetuneResponse"]["properties"]["id"].pop("format", None)
    return loaded


@functools.cache
def _registry() -> Registry:
    return Registry().with_resource(SPEC_URI, Resource(contents=spec(), specification=DRAFT202012))


def _check(ref: str, body: Any, what: str) -> Any:
    validator = jsonschema.Draft202012Validator({"$ref": ref}, registry=_registry())
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    if errors:
        lines = [f"- at {'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message[:300]}"
                 for e in errors[:10]]
        raise AssertionError(f"{what} does not match Together's spec:\n" + "\n".join(lines))
    return body


def check_response(method: str, path: str, body: Any, *, status: str = "200") -> Any:
    """Assert `body` is a valid `status` answer of METHOD PATH (a spec path such as
    "/fine-tunes/{id}", without /v1); returns it."""
    op = spec()["paths"][path][method.lower()]
    content = op["responses"][status]["content"]
    assert "application/json" in content, f"{method} {path} {status} has no JSON body in the spec"
    ref = f"{SPEC_URI}#/" + _pointer("paths", path, method.lower(), "responses", status, "content",
                                     "application/json", "schema")
    return _check(ref, body, f"{method} {path} {status}")


def check_schema(name: str, body: Any) -> Any:
    return _check(f"{SPEC_URI}#/components/schemas/{name}", body, name)
