"""/v1/chat/completions: whole answers and SSE streams, with n, stop, token limits and usage."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from ftui.core.sandbox.api_errors import bad_request
from ftui.core.sandbox.chat_messages import check_messages, invalid_type
from ftui.core.sandbox.http_util import ctx_of, json_body
from ftui.core.sandbox.ids import new_id, now
from ftui.core.sandbox.responder import pieces, prompt_tokens, user_prompt
from ftui.core.sandbox.routes_models import responder_for
from ftui.core.sandbox.streaming_body import CUT_STREAM_AFTER, DropConnection

TOKEN_SECONDS = 0.03  # delay between streamed tokens at speed 1
routes = web.RouteTableDef()


@dataclass
class Choice:
    tokens: list[str]
    finish_reason: str

    @property
    def text(self) -> str:
        return "".join(self.tokens)


def _number(body: dict[str, Any], name: str, low: float, high: float, *, integer: bool = False):
    value = body.get(name)
    if value is None:
        return None
    ok_type = isinstance(value, int) if integer else isinstance(value, (int, float))
    if isinstance(value, bool) or not ok_type or not low <= value <= high:
        kind = "an integer" if integer else "a number"
        raise bad_request(f"Invalid '{name}': expected {kind} between {low} and {high}, got {value!r}.",
                          param=name, code="invalid_value")
    return value


def _stops(body: dict[str, Any]) -> list[str]:
    stop = body.get("stop")
    if stop is None:
        return []
    stops = [stop] if isinstance(stop, str) else stop
    if not isinstance(stops, list) or len(stops) > 4 or not all(isinstance(s, str) and s for s in stops):
        raise bad_request("Invalid 'stop': expected a string or a list of up to 4 strings.",
                          param="stop", code="invalid_value")
    return stops


def shape_answer(text: str, stops: list[str], max_tokens: int | None) -> Choice:
    finish = "stop"
    cut = min((i for i in (text.find(s) for s in stops) if i >= 0), default=-1)
    if cut >= 0:
        text = text[:cut]
    tokens = pieces(text)
    if max_tokens is not None and len(tokens) > max_tokens:
        tokens, finish = tokens[:max_tokens], "length"
    return Choice(tokens, finish)


@routes.post("/v1/chat/completions")
async def chat_completions(request: web.Request) -> web.StreamResponse:
    ctx = ctx_of(request)
    body = await json_body(request)
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise bad_request("Missing required parameter: 'model'.", param="model",
                          code="missing_required_parameter")
    messages = check_messages(body)
    n = _number(body, "n", 1, 128, integer=True) or 1
    temperature = _number(body, "temperature", 0, 2)
    _number(body, "top_p", 0, 1)
    seed = body.get("seed")
    max_tokens = _number(body, "max_completion_tokens", 1, 1_000_000, integer=True)
    if max_tokens is None:
        max_tokens = _number(body, "max_tokens", 1, 1_000_000, integer=True)
    stops = _stops(body)
    stream = bool(body.get("stream"))
    options = body.get("stream_options")
    if options is not None and not isinstance(options, dict):
        raise invalid_type("stream_options", "an object", options)
    options = options or {}
    if options and not stream:
        raise bad_request("The 'stream_options' parameter is only allowed when 'stream' is true.",
                          param="stream_options", code="invalid_value")
    responder = responder_for(ctx, model)
    prompt = user_prompt(messages)
    heat = 1.0 if temperature is None else float(temperature)
    choices = [shape_answer(responder.answer(prompt, choice=i, temperature=heat, seed=seed),
                            stops, max_tokens) for i in range(n)]
    used = prompt_tokens(messages)
    completion = sum(len(c.tokens) for c in choices)
    usage = {"prompt_tokens": used, "completion_tokens": completion,
             "total_tokens": used + completion,
             "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
             "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0,
                                           "accepted_prediction_tokens": 0,
                                           "rejected_prediction_tokens": 0}}
    head = {"id": new_id("chatcmpl-", 29), "created": now(), "model": model,
            "system_fingerprint": "fp_sandbox", "service_tier": "default"}
    if not stream:
        return web.json_response({
            **head, "object": "chat.completion",
            "choices": [{"index": i, "message": {"role": "assistant", "content": c.text,
                                                 "refusal": None, "annotations": []},
                         "logprobs": None, "finish_reason": c.finish_reason}
                        for i, c in enumerate(choices)],
            "usage": usage})
    return await _stream(request, head, choices, usage if options.get("include_usage") else None)


async def _stream(request: web.Request, head: dict[str, Any], choices: list[Choice],
                  usage: dict[str, Any] | None) -> web.StreamResponse:
    ctx = ctx_of(request)
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream; charset=utf-8",
                                           "Cache-Control": "no-cache"})
    await response.prepare(request)
    cut_after = request.get(CUT_STREAM_AFTER)
    sent = 0

    async def send(choice_list: list[dict[str, Any]], extra: dict[str, Any] | None = None) -> None:
        nonlocal sent
        if cut_after is not None and sent >= cut_after:
            raise DropConnection
        chunk = {**head, "object": "chat.completion.chunk", "choices": choice_list}
        if usage is not None:
            chunk["usage"] = None
        chunk.update(extra or {})
        await response.write(f"data: {json.dumps(chunk)}\n\n".encode())
        sent += 1

    def delta(index: int, content: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {"index": index, "delta": content, "logprobs": None, "finish_reason": finish}

    for i in range(len(choices)):
        await send([delta(i, {"role": "assistant", "content": "", "refusal": None})])
    # Round-robin over choices, one token each, so n > 1 streams interleave like OpenAI's.
    longest = max(len(c.tokens) for c in choices)
    for position in range(longest):
        await asyncio.sleep(TOKEN_SECONDS / ctx.speed)
        for i, choice in enumerate(choices):
            if position < len(choice.tokens):
                await send([delta(i, {"content": choice.tokens[position]})])
    for i, choice in enumerate(choices):
        await send([delta(i, {}, choice.finish_reason)])
    if usage is not None:
        await send([], {"usage": usage})
    await response.write(b"data: [DONE]\n\n")
    await response.write_eof()
    return response
