"""Chat completions answered by real generation (the local engine's LocalChat), whole or streamed
piece by piece as the model produces them, in the same shapes as the simulated chat.

ftui.core.local is imported only when a request comes to a server that has real generation: the
sandbox alone never loads it (and ftui.core.local reads the sandbox's store, so not at import)."""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

from aiohttp import web

from ftui.core.server.api_errors import ApiError, bad_request, envelope
from ftui.core.server.chat_messages import invalid_type
from ftui.core.server.chat_shapes import ChunkStream, completion_response, delta, response_head, usage_object
from ftui.core.server.http_util import ctx_of
from ftui.core.server.routes_models import model_not_found

if TYPE_CHECKING:
    from ftui.core.local.decode import Started
    from ftui.core.local.generate import LocalChat
    from ftui.core.server.routes_chat import ChatAsk

FINGERPRINT = "fp_local"
log = logging.getLogger(__name__)


@contextlib.contextmanager
def api_errors(model: str) -> Iterator[None]:
    """The chat backend's failures as OpenAI-style errors."""
    from ftui.core.local.generate import ChatInputError
    from ftui.core.local.models import LocalModelError
    from ftui.core.local.resolve import AdapterMissing, UnknownModel

    try:
        yield
    except UnknownModel:
        raise model_not_found(model) from None
    except AdapterMissing as exc:
        raise ApiError(404, exc.message, param="model", code="adapter_not_found") from None
    except ChatInputError as exc:
        raise bad_request(exc.message, param=exc.param, code=exc.code) from None
    except LocalModelError as exc:
        raise ApiError(500, f"The model `{model}` could not be loaded: {exc.args[0]}",
                       type="server_error", code="model_load_failed") from None


def _seed(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid_type("seed", "an integer", value)
    return value


async def generated_answer(request: web.Request, chat: LocalChat, ask: ChatAsk) -> web.StreamResponse:
    from ftui.core.local.decode import ChatParams, Started

    params = ChatParams(n=ask.n, temperature=ask.temperature, top_p=ask.top_p, seed=_seed(ask.seed),
                        max_tokens=ask.max_tokens, stops=tuple(ask.stops))
    with api_errors(ask.model):
        ref = chat.resolve(ctx_of(request).store, ask.model)
    head = response_head(ask.model, FINGERPRINT)
    # Closing the events (on return, on error, or when the client goes away) stops generation.
    async with contextlib.aclosing(chat.stream(ref, ask.messages, params)) as events:
        with api_errors(ask.model):
            started = await anext(events)
            assert isinstance(started, Started)
            if not ask.stream:
                return await _whole(head, events, started, ask.n)
        return await _streamed(request, ChunkStream(request, head, ask.include_usage), events,
                               started, ask.n)


async def _whole(head: dict[str, Any], events: AsyncIterator[Any], started: Started,
                 n: int) -> web.Response:
    from ftui.core.local.decode import Finished, Piece

    texts, reasons, completion = [""] * n, ["stop"] * n, 0
    async for event in events:
        if isinstance(event, Piece):
            texts[event.index] += event.text
        elif isinstance(event, Finished):
            reasons[event.index] = event.reason
            completion += event.completion_tokens
    return completion_response(head, list(zip(texts, reasons)),
                               usage_object(started.prompt_tokens, completion))


async def _streamed(request: web.Request, out: ChunkStream, events: AsyncIterator[Any],
                    started: Started, n: int) -> web.StreamResponse:
    from ftui.core.local.decode import Finished, Piece

    await out.open(n)
    completion = 0
    while True:
        try:
            event = await anext(events)
        except StopAsyncIteration:
            break
        except Exception as exc:  # headers are sent: say it in the stream, as OpenAI does
            log.exception("generation failed mid-stream")
            body = envelope(f"The model failed while generating: {exc}", type="server_error")
            await out.response.write(f"data: {json.dumps(body)}\n\n".encode())
            await out.response.write_eof()
            return out.response
        if isinstance(event, Piece):
            await out.send([delta(event.index, {"content": event.text})])
        elif isinstance(event, Finished):
            await out.send([delta(event.index, {}, event.reason)])
            completion += event.completion_tokens
    return await out.finish(usage_object(started.prompt_tokens, completion))
