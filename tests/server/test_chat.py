"""Chat completions: stop, n, token limits, streaming that interleaves, unknown models."""

from __future__ import annotations

import asyncio
import time

import openai
import pytest

from tests.server.helpers import checked, sse_chunks
from tests.spec_check import check_error

BASE = "gpt-4o-2024-08-06"
ASK = [{"role": "user", "content": "How do tides work on Earth?"}]


async def test_answers_are_deterministic_and_report_usage(client):
    one = checked("createChatCompletion",
                  await client.chat.completions.with_raw_response.create(model=BASE, messages=ASK))
    two = await client.chat.completions.create(model=BASE, messages=ASK)
    text = one["choices"][0]["message"]["content"]
    assert text == two.choices[0].message.content and "tides" in text
    usage = one["usage"]
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    other = await client.chat.completions.create(
        model=BASE, messages=[{"role": "user", "content": "Explain compound interest"}])
    assert other.choices[0].message.content != text


async def test_stop_sequences_cut_the_answer(client):
    full = (await client.chat.completions.create(model=BASE, messages=ASK)).choices[0].message.content
    word = full.split()[5]
    cut = await client.chat.completions.create(model=BASE, messages=ASK, stop=[word, "zzz"])
    assert cut.choices[0].message.content == full[:full.index(word)]
    assert cut.choices[0].finish_reason == "stop"


async def test_max_completion_tokens_and_legacy_max_tokens(client):
    short = await client.chat.completions.create(model=BASE, messages=ASK, max_completion_tokens=5)
    assert short.choices[0].finish_reason == "length" and short.usage.completion_tokens == 5
    legacy = await client.chat.completions.create(model=BASE, messages=ASK, max_tokens=3)
    assert legacy.usage.completion_tokens == 3
    assert short.choices[0].message.content.startswith(legacy.choices[0].message.content)


async def test_n_choices_whole_and_streamed(client):
    many = await client.chat.completions.create(model=BASE, messages=ASK, n=3, seed=4, temperature=1)
    assert [c.index for c in many.choices] == [0, 1, 2]
    async with client.chat.completions.with_streaming_response.create(
            model=BASE, messages=ASK, n=3, seed=4, temperature=1, stream=True) as response:
        chunks, done = sse_chunks([line async for line in response.iter_lines()])
    assert done
    texts = {0: "", 1: "", 2: ""}
    finishes = {}
    for chunk in chunks:
        for choice in chunk["choices"]:
            texts[choice["index"]] += choice["delta"].get("content") or ""
            if choice["finish_reason"]:
                finishes[choice["index"]] = choice["finish_reason"]
    assert texts == {c.index: c.message.content for c in many.choices}
    assert finishes == {0: "stop", 1: "stop", 2: "stop"}
    assert "usage" not in chunks[-1] or chunks[-1]["usage"] is None  # include_usage not asked


async def test_two_streams_interleave(sandbox_factory):
    sandbox = sandbox_factory(speed=4)  # ~7 ms between tokens
    async with openai.AsyncOpenAI(base_url=sandbox.base_url, api_key="k") as client:
        arrivals: list[tuple[float, str]] = []

        async def read(name: str, model: str) -> None:
            stream = await client.chat.completions.create(model=model, messages=ASK, stream=True)
            async for chunk in stream:
                if chunk.choices and chunk.choices[0].delta.content:
                    arrivals.append((time.monotonic(), name))

        await asyncio.gather(read("a", BASE), read("b", "gpt-4o-mini"))
    order = "".join(name for _, name in sorted(arrivals))
    assert order.count("a") > 10 and order.count("b") > 10
    # Interleaved, not one after the other: many switches between the two streams.
    assert sum(1 for x, y in zip(order, order[1:]) if x != y) > 10


async def test_unknown_model_and_bad_parameters(client):
    with pytest.raises(openai.NotFoundError) as missing:
        await client.chat.completions.create(model="ft:gpt-4o:nobody::x", messages=ASK)
    assert missing.value.code == "model_not_found"
    check_error(missing.value.response.json())
    with pytest.raises(openai.BadRequestError) as bad:
        await client.chat.completions.create(model=BASE, messages=ASK, temperature=3)
    assert bad.value.param == "temperature"
    with pytest.raises(openai.BadRequestError) as empty:
        await client.chat.completions.create(model=BASE, messages=[])
    assert empty.value.param == "messages"


def test_sync_streaming(sync_client):
    stream = sync_client.chat.completions.create(model=BASE, messages=ASK, stream=True,
                                                 stream_options={"include_usage": True})
    parts, usage = [], None
    for chunk in stream:
        if chunk.choices:
            parts.append(chunk.choices[0].delta.content or "")
        usage = chunk.usage or usage
    assert "".join(parts).startswith("Happy to help") and usage.completion_tokens > 5
