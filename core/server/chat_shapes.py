"""The shapes of chat completion answers, whole and as SSE chunks, shared by the simulated and
the generated chat so both answer exactly as OpenAI's spec says."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from ftui.core.server.ids import new_id, now
from ftui.core.server.streaming_body import CUT_STREAM_AFTER, DropConnection


def response_head(model: str, fingerprint: str) -> dict[str, Any]:
    return {"id": new_id("chatcmpl-", 29), "created": now(), "model": model,
            "system_fingerprint": fingerprint, "service_tier": "default"}


def usage_object(prompt: int, completion: int) -> dict[str, Any]:
    return {"prompt_tokens": prompt, "completion_tokens": completion,
            "total_tokens": prompt + completion,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0,
                                          "accepted_prediction_tokens": 0,
                                          "rejected_prediction_tokens": 0}}


def completion_response(head: dict[str, Any], answers: list[tuple[str, str]],
                        usage: dict[str, Any]) -> web.Response:
    """A whole answer; `answers` holds (text, finish_reason) per choice."""
    return web.json_response({
        **head, "object": "chat.completion",
        "choices": [{"index": i, "message": {"role": "assistant", "content": text,
                                             "refusal": None, "annotations": []},
                     "logprobs": None, "finish_reason": finish}
                    for i, (text, finish) in enumerate(answers)],
        "usage": usage})


def delta(index: int, content: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    return {"index": index, "delta": content, "logprobs": None, "finish_reason": finish}


class ChunkStream:
    """An SSE answer: chunks with the response's head, `usage: null` on each when usage was
    asked for and the usage chunk last, then [DONE]. Honours the fault that cuts streams."""

    def __init__(self, request: web.Request, head: dict[str, Any], with_usage: bool) -> None:
        self.request = request
        self.head = head
        self.with_usage = with_usage
        self.response = web.StreamResponse(headers={"Content-Type": "text/event-stream; charset=utf-8",
                                                    "Cache-Control": "no-cache"})
        self._cut_after = request.get(CUT_STREAM_AFTER)
        self._sent = 0

    async def open(self, choices: int) -> None:
        await self.response.prepare(self.request)
        for i in range(choices):
            await self.send([delta(i, {"role": "assistant", "content": "", "refusal": None})])

    async def send(self, choice_list: list[dict[str, Any]], extra: dict[str, Any] | None = None) -> None:
        if self._cut_after is not None and self._sent >= self._cut_after:
            raise DropConnection
        chunk = {**self.head, "object": "chat.completion.chunk", "choices": choice_list}
        if self.with_usage:
            chunk["usage"] = None
        chunk.update(extra or {})
        await self.response.write(f"data: {json.dumps(chunk)}\n\n".encode())
        self._sent += 1

    async def finish(self, usage: dict[str, Any]) -> web.StreamResponse:
        if self.with_usage:
            await self.send([], {"usage": usage})
        await self.response.write(b"data: [DONE]\n\n")
        await self.response.write_eof()
        return self.response
