"""/v1/chat/completions: whole answers and SSE streams, with n, stop, token limits and usage."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from ftui.core.server.api_errors import bad_request
from ftui.core.server.chat_generated import generated_answer
from ftui.core.server.chat_messages import check_messages, invalid_type
from ftui.core.server.chat_shapes import ChunkStream, completion_response, delta, response_head, usage_object
from ftui.core.server.http_util import ctx_of, json_body
from ftui.core.server.routes_models import responder_for
from ftui.core.server.simulated_chat import pieces, prompt_tokens, user_prompt

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


@dataclass(frozen=True)
class ChatAsk:
    """A checked chat completion request."""
    model: str
    messages: list[dict[str, Any]]
    n: int
    temperature: float | None
    top_p: float | None
    seed: Any
    max_tokens: int | None
    stops: list[str]
    stream: bool
    include_usage: bool


def parse_ask(body: dict[str, Any]) -> ChatAsk:
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise bad_request("Missing required parameter: 'model'.", param="model",
                          code="missing_required_parameter")
    messages = check_messages(body)
    n = _number(body, "n", 1, 128, integer=True) or 1
    temperature = _number(body, "temperature", 0, 2)
    top_p = _number(body, "top_p", 0, 1)
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
    return ChatAsk(model, messages, n, temperature, top_p, body.get("seed"), max_tokens, stops,
                   stream, bool(options.get("include_usage")))


@routes.post("/v1/chat/completions")
async def chat_completions(request: web.Request) -> web.StreamResponse:
    ctx = ctx_of(request)
    ask = parse_ask(await json_body(request))
    if ctx.chat is not None:
        return await generated_answer(request, ctx.chat, ask)
    responder = responder_for(ctx, ask.model)
    prompt = user_prompt(ask.messages)
    heat = 1.0 if ask.temperature is None else float(ask.temperature)
    choices = [shape_answer(responder.answer(prompt, choice=i, temperature=heat, seed=ask.seed),
                            ask.stops, ask.max_tokens) for i in range(ask.n)]
    used = prompt_tokens(ask.messages)
    usage = usage_object(used, sum(len(c.tokens) for c in choices))
    head = response_head(ask.model, "fp_sandbox")
    if not ask.stream:
        return completion_response(head, [(c.text, c.finish_reason) for c in choices], usage)
    return await _stream(request, ChunkStream(request, head, ask.include_usage), choices, usage)


async def _stream(request: web.Request, out: ChunkStream, choices: list[Choice],
                  usage: dict[str, Any]) -> web.StreamResponse:
    ctx = ctx_of(request)
    await out.open(len(choices))
    # Round-robin over choices, one token each, so n > 1 streams interleave like OpenAI's.
    longest = max(len(c.tokens) for c in choices)
    for position in range(longest):
        await asyncio.sleep(TOKEN_SECONDS / ctx.speed)
        for i, choice in enumerate(choices):
            if position < len(choice.tokens):
                await out.send([delta(i, {"content": choice.tokens[position]})])
    for i, choice in enumerate(choices):
        await out.send([delta(i, {}, choice.finish_reason)])
    return await out.finish(usage)
