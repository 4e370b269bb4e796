"""The aiohttp application: routes plus middlewares for errors, faults and auth."""

from __future__ import annotations

import asyncio
import hmac
import logging
import re

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.web_protocol import RequestPayloadError

from ftui.core.server import (
    routes_chat,
    routes_estimates,
    routes_files,
    routes_jobs,
    routes_models,
    routes_uploads,
)
from ftui.core.server.api_errors import ApiError, envelope
from ftui.core.server.context import SandboxContext
from ftui.core.server.http_util import CTX, parse_detail
from ftui.core.server.ids import new_id
from ftui.core.server.streaming_body import CUT_STREAM_AFTER, DROP_UPLOAD, DropConnection, PartTooLarge

log = logging.getLogger(__name__)
# The one key this server takes (None: any non-empty key), and what it is ("simulated", "local").
API_KEY = web.AppKey("api_key", str)
SERVER_KIND = web.AppKey("server_kind", str)
_UPLOAD_PATH = re.compile(r"^/v1/(files|uploads/[^/]+/parts)$")


def _error(exc: ApiError) -> web.Response:
    return web.json_response(exc.body(), status=exc.status, headers=exc.headers)


@web.middleware
async def error_middleware(request: web.Request, handler) -> web.StreamResponse:
    """Every failure leaves as OpenAI's error envelope; a dropped connection leaves as nothing."""
    try:
        return await handler(request)
    except ApiError as exc:
        return _error(exc)
    except DropConnection:
        if request.transport is not None:
            request.transport.abort()
        raise asyncio.CancelledError from None
    except PartTooLarge as exc:
        return _error(ApiError(413, f"The file is larger than the limit of {exc.limit} bytes.",
                               param="file", code="file_too_large"))
    except (web.HTTPNotFound, web.HTTPMethodNotAllowed):
        return _error(ApiError(404, f"Invalid URL ({request.method} {request.path})"))
    except web.HTTPException as exc:
        return _error(ApiError(exc.status, exc.reason))
    except (HttpProcessingError, RequestPayloadError) as exc:
        # aiohttp could not parse the request (bad body encoding, malformed parts): the
        # client's fault, so a 400 rather than the 500 of the catch-all below.
        return _error(ApiError(400, f"Could not parse the request body: {parse_detail(exc)}.",
                               code="invalid_request"))
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        log.exception("sandbox handler failed: %s %s", request.method, request.path)
        return _error(ApiError(500, f"The server had an error while processing your request: {exc}",
                               type="server_error"))


@web.middleware
async def fault_middleware(request: web.Request, handler) -> web.StreamResponse:
    """Injects the configured faults, always before a request can change stored state."""
    dice = request.app[CTX].dice
    faults = dice.faults
    if not faults.active:
        return await handler(request)
    if faults.latency:
        await asyncio.sleep(faults.latency / 1000)
    retry = {"retry-after-ms": str(faults.retry_after_ms)} if faults.retry_after_ms else {}
    if dice.roll(faults.rate429):
        raise ApiError(429, "Rate limit reached for requests (injected by the sandbox).",
                       type="requests", code="rate_limit_exceeded", headers=retry)
    if dice.roll(faults.error5xx):
        status = dice.choice((500, 502, 503))
        raise ApiError(status, "The server had an error while processing your request "
                               "(injected by the sandbox).", type="server_error", headers=retry)
    if request.method == "POST" and _UPLOAD_PATH.match(request.path) and dice.roll(faults.drop_upload):
        request[DROP_UPLOAD] = True
    if request.path == "/v1/chat/completions" and dice.roll(faults.cut_stream):
        request[CUT_STREAM_AFTER] = 2 + int(dice.fraction() * 4)
    if dice.roll(faults.drop):
        if request.method != "GET":
            raise DropConnection  # before the handler: the request had no effect
        response = await handler(request)
        await _write_half(request, response)
    return await handler(request)


async def _write_half(request: web.Request, response: web.StreamResponse) -> None:
    """Send the headers and part of the body of a GET answer, then cut the connection."""
    body = getattr(response, "body", None)
    if isinstance(body, bytes) and not response.prepared:
        partial = web.StreamResponse(status=response.status, headers=response.headers)
        partial.content_length = len(body)
        await partial.prepare(request)
        await partial.write(body[: len(body) // 2])
    raise DropConnection


@web.middleware
async def auth_middleware(request: web.Request, handler) -> web.StreamResponse:
    header = request.headers.get("Authorization", "")
    scheme, _, key = header.partition(" ")
    required = request.app.get(API_KEY)
    if scheme.lower() != "bearer" or not key.strip():
        rule = ("This server takes only the key it was started with." if required
                else "The sandbox accepts any non-empty key.")
        raise ApiError(401, "You didn't provide an API key. You need to provide your API key in an "
                            "Authorization header using Bearer auth (i.e. Authorization: Bearer "
                            f"YOUR_KEY). {rule}")
    # Constant-time, so timing does not tell how much of a guess was right; the key is never echoed.
    if required and not hmac.compare_digest(key.strip().encode(errors="surrogatepass"),
                                                required.encode(errors="surrogatepass")):
        raise ApiError(401, "Incorrect API key provided. Use the key this server was started with "
                            "(the environment variable named by --api-key-env).",
                       code="invalid_api_key")
    return await handler(request)


async def _stamp_headers(request: web.Request, response: web.StreamResponse) -> None:
    response.headers["x-request-id"] = new_id("req_", 32)
    response.headers["openai-organization"] = "org-sandbox"
    response.headers["x-sandbox"] = request.app.get(SERVER_KIND, "simulated")


def build_app(ctx: SandboxContext, *, api_key: str | None = None,
              kind: str = "simulated") -> web.Application:
    app = web.Application(middlewares=[error_middleware, fault_middleware, auth_middleware],
                          client_max_size=1024**4)
    app[CTX] = ctx
    app[SERVER_KIND] = kind
    if api_key:
        app[API_KEY] = api_key
    for module in (routes_files, routes_uploads, routes_jobs, routes_models, routes_chat):
        app.add_routes(module.routes)
    if routes_estimates.supported(ctx.engine):  # an engine that measures its speed (the local one)
        app.add_routes(routes_estimates.routes)
    app.on_response_prepare.append(_stamp_headers)
    return app


__all__ = ["build_app", "envelope"]
