"""The sandbox speaking Together AI's dialect: its paths (/v1/files, /v1/fine-tunes, ...)
and shapes, over the same store and JobRunner as the OpenAI dialect. Its base URL is the
host (the together SDK's paths carry /v1)."""

from __future__ import annotations

from aiohttp import web

from ftui.core.server.app import API_KEY, SERVER_KIND, auth_middleware, error_middleware, fault_middleware
from ftui.core.server.context import SandboxContext
from ftui.core.server.http_util import CTX
from ftui.core.server.ids import new_id
from ftui.core.server.together import routes_chat, routes_endpoints, routes_files, routes_finetune

DIALECTS = ("openai", "together")


@web.middleware
async def together_auth(request: web.Request, handler) -> web.StreamResponse:
    """The API key, except on a presigned upload URL, whose token is the permission."""
    if request.path.startswith(routes_files.PUT_PREFIX):
        return await handler(request)
    return await auth_middleware(request, handler)


async def _stamp_headers(request: web.Request, response: web.StreamResponse) -> None:
    response.headers["x-request-id"] = new_id("req_", 32)
    response.headers["x-sandbox"] = request.app.get(SERVER_KIND, "simulated")


def build_together_app(ctx: SandboxContext, *, api_key: str | None = None,
                       kind: str = "simulated") -> web.Application:
    app = web.Application(middlewares=[error_middleware, fault_middleware, together_auth],
                          client_max_size=1024**4)
    app[CTX] = ctx
    app[SERVER_KIND] = kind
    app[routes_files.PENDING] = {}
    if api_key:
        app[API_KEY] = api_key
    for module in (routes_files, routes_finetune, routes_chat, routes_endpoints):
        app.add_routes(module.routes)
    app.on_response_prepare.append(_stamp_headers)
    return app


def build_app_for(dialect: str, ctx: SandboxContext, *, api_key: str | None = None,
                  kind: str = "simulated") -> web.Application:
    """The sandbox application for `dialect` ("openai" or "together")."""
    if dialect == "together":
        return build_together_app(ctx, api_key=api_key, kind=kind)
    if dialect == "openai":
        from ftui.core.server.app import build_app

        return build_app(ctx, api_key=api_key, kind=kind)
    raise ValueError(f"unknown sandbox dialect {dialect!r}: use one of {', '.join(DIALECTS)}")


def base_url_for(dialect: str, host_url: str) -> str:
    """What a client of `dialect` takes as its base URL, from http://HOST:PORT."""
    return host_url if dialect == "together" else f"{host_url}/v1"


__all__ = ["DIALECTS", "base_url_for", "build_app_for", "build_together_app"]
