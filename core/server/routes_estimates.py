"""/v1/fine_tuning/estimates, an ftui extension: this machine's measured training speed and the time a
job of `trained_tokens` would take. Registered only for an engine that can measure (the local engine's
`measure_speed`); the simulated sandbox answers 404 for it, as for any unknown path, and OpenAI's clients
never call it."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ftui.core.server.api_errors import ApiError, bad_request
from ftui.core.server.engine import EngineError
from ftui.core.server.http_util import ctx_of, json_body
from ftui.core.server.job_request import check_file, check_method, check_model

routes = web.RouteTableDef()
PATH = "/v1/fine_tuning/estimates"


def supported(engine: object) -> bool:
    return callable(getattr(engine, "measure_speed", None))


def _trained_tokens(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise bad_request("Invalid 'trained_tokens': expected a whole number of 0 or more.",
                          param="trained_tokens", code="invalid_value")
    return value


@routes.post(PATH)
async def create_estimate(request: web.Request) -> web.Response:
    ctx = ctx_of(request)
    body = await json_body(request)
    model = check_model(ctx, body.get("model"))
    training_file = body.get("training_file")
    path = ctx.file_blob(check_file(ctx, training_file, "training_file")) if training_file is not None else None
    hyperparameters = body.get("hyperparameters")
    _, requested = check_method({"method": {"type": "supervised",
                                            "supervised": {"hyperparameters": hyperparameters}}}, ctx)
    trained_tokens = _trained_tokens(body.get("trained_tokens"))
    try:
        figure = await ctx.engine.measure_speed(model, requested, path)  # type: ignore[attr-defined]
    except EngineError as exc:
        if exc.code == "engine_busy":  # retrying at once would only be busy again
            raise ApiError(409, exc.message, code=exc.code, headers={"x-should-retry": "false"}) from None
        raise bad_request(exc.message, code=exc.code) from None
    speed = figure["tokens_per_second"]
    seconds = None if trained_tokens is None or speed <= 0 else round(trained_tokens / speed, 1)
    return web.json_response({"object": "fine_tuning.estimate", "model": model, **figure,
                              "trained_tokens": trained_tokens, "seconds": seconds})
