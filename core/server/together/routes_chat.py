"""Together's /v1/chat/completions (OpenAI's shape): the supported base models answer as the
sandbox's base models do; fine-tuned models and checkpoints answer from their training data,
only through a READY dedicated endpoint (routes_endpoints), as on Together."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from aiohttp import web

from ftui.core.server.api_errors import bad_request
from ftui.core.server.chat_messages import check_messages
from ftui.core.server.http_util import ctx_of, json_body
from ftui.core.server.ids import new_id, now
from ftui.core.server.routes_chat import shape_answer
from ftui.core.server.routes_models import responder_for, trained_job_of
from ftui.core.server.simulated_chat import BaseResponder, TrainedResponder, prompt_tokens, user_prompt
from ftui.core.server.streaming_body import CUT_STREAM_AFTER, DropConnection
from ftui.core.server.together.catalog import FINE_TUNABLE
from ftui.core.server.together.routes_endpoints import needs_endpoint, served_model

routes = web.RouteTableDef()
TOKEN_SECONDS = 0.03  # between streamed tokens at speed 1


async def _stream(request: web.Request, head: dict[str, Any], choices: list, usage: dict[str, Any],
                  speed: float) -> web.StreamResponse:
    """SSE chunks one token at a time, round-robin over choices; the last carries usage. The
    cut_stream fault drops the connection after a few chunks (no [DONE]), as for OpenAI's dialect."""
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream; charset=utf-8",
                                           "Cache-Control": "no-cache"})
    await response.prepare(request)
    cut_after = request.get(CUT_STREAM_AFTER)
    sent = 0

    async def send(choice_list: list[dict[str, Any]], **extra: Any) -> None:
        nonlocal sent
        if cut_after is not None and sent >= cut_after:
            raise DropConnection
        chunk = {**head, "object": "chat.completion.chunk", "choices": choice_list, **extra}
        await response.write(f"data: {json.dumps(chunk)}\n\n".encode())
        sent += 1

    for position in range(max(len(c.tokens) for c in choices)):
        await asyncio.sleep(TOKEN_SECONDS / speed)
        await send([{"index": i, "delta": {"role": "assistant", "content": c.tokens[position]},
                     "finish_reason": None} for i, c in enumerate(choices) if position < len(c.tokens)])
    # Together's last chunk still names the role (its spec requires delta.role), with no more text.
    await send([{"index": i, "delta": {"role": "assistant", "content": ""}, "finish_reason": c.finish_reason}
                for i, c in enumerate(choices)], usage=usage)
    await response.write(b"data: [DONE]\n\n")
    await response.write_eof()
    return response


@routes.post("/v1/chat/completions")
async def chat(request: web.Request) -> web.StreamResponse:
    ctx = ctx_of(request)
    body = await json_body(request)
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise bad_request("Missing required parameter: 'model'.", param="model")
    messages = check_messages(body)
    n = body.get("n") or 1
    if not isinstance(n, int) or not 1 <= n <= 128:
        raise bad_request("Invalid 'n': expected an integer from 1 to 128.", param="n")
    max_tokens = body.get("max_tokens")
    stops = body.get("stop") or []
    stops = [stops] if isinstance(stops, str) else list(stops)
    if model in FINE_TUNABLE:
        responder: BaseResponder | TrainedResponder = BaseResponder()
    else:  # a tuned model answers only through a READY dedicated endpoint, as on Together
        served = served_model(ctx, model)
        if served is None and trained_job_of(ctx, model) is not None:
            raise needs_endpoint(model)
        responder = responder_for(ctx, served or model)
    prompt = user_prompt(messages)
    temperature = body.get("temperature")
    heat = float(temperature if temperature is not None else 1.0)
    choices = [shape_answer(responder.answer(prompt, choice=i, temperature=heat, seed=body.get("seed")),
                            stops, max_tokens) for i in range(n)]
    used = prompt_tokens(messages)
    completion = sum(len(c.tokens) for c in choices)
    usage = {"prompt_tokens": used, "completion_tokens": completion, "total_tokens": used + completion}
    head = {"id": new_id("chatcmpl-", 29), "created": now(), "model": model}
    if not body.get("stream"):
        return web.json_response({
            **head, "object": "chat.completion", "prompt": [],  # Together's, empty unless echo is asked
            "choices": [{"index": i, "message": {"role": "assistant", "content": c.text},
                         "finish_reason": c.finish_reason} for i, c in enumerate(choices)],
            "usage": usage})
    return await _stream(request, head, choices, usage, ctx.speed)
