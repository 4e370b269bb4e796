"""Request parsing shared by the route handlers, failing with OpenAI-style 400s."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.web_protocol import RequestPayloadError

from ftui.core.server.api_errors import ApiError, bad_request
from ftui.core.server.context import SandboxContext, public

CTX = web.AppKey("sandbox_context", SandboxContext)


def ctx_of(request: web.Request) -> SandboxContext:
    return request.app[CTX]


def ok(obj: dict[str, Any], status: int = 200) -> web.Response:
    return web.json_response(public(obj), status=status)


def list_body(items: list[dict[str, Any]], has_more: bool, *, ids: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {"object": "list", "data": [public(i) for i in items]}
    if ids:
        body["first_id"] = items[0]["id"] if items else None
        body["last_id"] = items[-1]["id"] if items else None
    body["has_more"] = has_more
    return body


def _no_constant(name: str) -> Any:
    # NaN and Infinity are not JSON; Python's parser would let them through into answers.
    raise ValueError(f"{name} is not valid JSON")


async def json_body(request: web.Request) -> dict[str, Any]:
    try:
        raw = await request.read()
        body = json.loads(raw or b"null", parse_constant=_no_constant)
    except (ValueError, UnicodeDecodeError):
        raise bad_request("We could not parse the JSON body of your request. (HINT: This likely "
                          "means you aren't using your HTTP library correctly.)") from None
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object.")
    return body


def limit_param(request: web.Request, default: int, maximum: int) -> int:
    raw = request.query.get("limit")
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise bad_request(f"Invalid 'limit': expected an integer, got {raw!r}.", param="limit",
                          code="invalid_value") from None
    if not 1 <= value <= maximum:
        raise bad_request(f"Invalid 'limit': must be between 1 and {maximum}, got {value}.",
                          param="limit", code="invalid_value")
    return value


def after_unknown(after: str) -> ApiError:
    return bad_request(f"Invalid 'after': no object with id {after!r}.", param="after",
                       code="invalid_value")


def page_after(request: web.Request, table: str, *, limit: int, where: str = "", params: tuple = (),
               newest_first: bool = True) -> tuple[list[dict[str, Any]], bool]:
    """One page of `table` after the request's `after` cursor; a 400 when that names nothing."""
    after = request.query.get("after")
    page = ctx_of(request).store.page(table, where=where, params=params, after=after, limit=limit,
                                      newest_first=newest_first)
    if page is not None:
        return page
    if not after:  # Store.page gives None only for a cursor it cannot find
        raise RuntimeError(f"no page of {table} without an 'after' cursor")
    raise after_unknown(after)


def require_str(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if value is None:
        raise bad_request(f"Missing required parameter: '{name}'.", param=name,
                          code="missing_required_parameter")
    if not isinstance(value, str) or not value:
        raise bad_request(f"Invalid type for '{name}': expected a non-empty string.", param=name,
                          code="invalid_type")
    return value


# What aiohttp's multipart reader raises on a body it cannot parse (a part without headers,
# a bad boundary or Content-Length, an unknown encoding or charset, undecodable text).
MULTIPART_PARSE_ERRORS = (HttpProcessingError, RequestPayloadError, ValueError, RuntimeError,
                          LookupError)


def parse_detail(exc: BaseException) -> str:
    """aiohttp's own words for a parse failure, without its "400, message:" framing."""
    inner = exc.__cause__ if isinstance(exc.__cause__, HttpProcessingError) else exc
    text = getattr(inner, "message", None) or str(inner) or type(inner).__name__
    return " ".join(str(text).split()).rstrip(".")


@contextmanager
def multipart_errors() -> Iterator[None]:
    """Turn a parse failure of the multipart body into a 400 that says what is wrong."""
    try:
        yield
    except MULTIPART_PARSE_ERRORS as exc:
        raise bad_request(f"Could not parse the multipart/form-data body: {parse_detail(exc)}.",
                          code="invalid_multipart") from None
