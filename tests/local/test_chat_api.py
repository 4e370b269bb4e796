"""Real generation behind the OpenAI-shaped server, through the official openai client: the local
models listed, plain and streamed answers that validate against OpenAI's spec, fine-tunes and
checkpoints answering with their adapters, clear errors, and a client that leaves stopping work."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass

import httpx
import openai
import pytest

from ftui.core.local.generate import ChatParams, LocalChat
from ftui.core.local.models import adapter_dir, discover_models
from ftui.core.server.runner import ServerThread, start_sandbox
from ftui.core.server.store import Store
from tests.local.adapters import make_adapter, register_checkpoint, register_fine_tune
from tests.server.helpers import checked, raw_request, sse_chunks
from tests.spec_check import check_error, check_response

ASK = [{"role": "user", "content": "Hello! What is the capital city of france?"}]
JOB = "ftjob-chatapi0000000001"
GONE_JOB = "ftjob-chatapi0000000002"
AUTH = {"Authorization": "Bearer anything"}  # on loopback any key is taken, but one must be sent


@dataclass
class Served:
    base_url: str
    base: str
    tuned: str
    checkpoint: str
    gone: str
    chat: LocalChat
    store: Store  # the server's own (sqlite opened with check_same_thread=False)


@pytest.fixture(scope="module")
def served(tiny_model_dir, tmp_path_factory):
    data = tmp_path_factory.mktemp("local-data")
    models = discover_models([tiny_model_dir], hf_cache=False)
    base = next(m.id for m in models if m.source == "folder")
    chat = LocalChat(models, data_dir=data, threads=1)
    server = ServerThread(lambda: start_sandbox(data_dir=data, chat=chat, kind="local"))
    server.start(120)
    store = server.handle.ctx.store
    tuned = register_fine_tune(store, base=base, job_id=JOB)
    checkpoint = register_checkpoint(store, fine_tune=tuned, job_id=JOB, step=2)
    make_adapter(tiny_model_dir, adapter_dir(data, JOB), seed=1)
    make_adapter(tiny_model_dir, adapter_dir(data, JOB, 2), seed=2)
    gone = register_fine_tune(store, base=base, job_id=GONE_JOB, suffix="gone")  # no adapter files
    yield Served(server.base_url, base, tuned, checkpoint, gone, chat, store)
    server.stop()


@pytest.fixture
async def client(served):
    api = openai.AsyncOpenAI(base_url=served.base_url, api_key="anything", max_retries=0)
    yield api
    await api.close()


async def greedy(client, model: str, **extra) -> dict:
    raw = await client.chat.completions.with_raw_response.create(
        model=model, messages=ASK, temperature=0, max_completion_tokens=12, **extra)
    return checked("createChatCompletion", raw)


async def test_models_lists_the_local_base_models_and_fine_tunes(client, served):
    listed = checked("listModels", await client.models.with_raw_response.list())
    by_id = {m["id"]: m for m in listed["data"]}
    assert served.base in by_id and served.tuned in by_id
    assert not any(i.startswith("gpt-") for i in by_id)  # the simulated catalog is not offered
    assert "llama model at" in by_id[served.base]["description"]
    one = checked("retrieveModel", await client.models.with_raw_response.retrieve(served.base))
    assert one == by_id[served.base]
    ckpt = checked("retrieveModel", await client.models.with_raw_response.retrieve(served.checkpoint))
    assert ckpt["id"] == served.checkpoint
    with pytest.raises(openai.PermissionDeniedError):
        await client.models.delete(served.base)


async def test_plain_answers_are_real_deterministic_and_counted(client, served):
    one, two = await greedy(client, served.base), await greedy(client, served.base)
    assert one["choices"][0]["message"]["content"] == two["choices"][0]["message"]["content"]
    assert one["choices"][0]["finish_reason"] == "length"
    assert one["usage"]["completion_tokens"] == 12
    direct = await served.chat.complete(served.chat.resolve(served.store, served.base), ASK,
                                        ChatParams(temperature=0, max_tokens=12))
    assert one["usage"]["prompt_tokens"] == direct.prompt_tokens
    assert one["choices"][0]["message"]["content"] == direct.texts[0]
    assert one["system_fingerprint"] == "fp_local"


async def test_fine_tune_and_checkpoint_answer_with_their_own_adapters(client, served):
    texts = {}
    for model in (served.base, served.tuned, served.checkpoint, served.base):
        body = await greedy(client, model)
        assert body["model"] == model
        texts.setdefault(model, body["choices"][0]["message"]["content"])
        assert texts[model] == body["choices"][0]["message"]["content"]
    assert len(set(texts.values())) == 3
    assert served.chat.base_loads[served.base] == 1  # switching adapters never reloads the base


async def test_streaming_through_the_official_client(client, served):
    whole = await client.chat.completions.create(model=served.tuned, messages=ASK, n=2, seed=7,
                                                 temperature=1, max_completion_tokens=16)
    stream = await client.chat.completions.create(model=served.tuned, messages=ASK, n=2, seed=7,
                                                  temperature=1, max_completion_tokens=16, stream=True,
                                                  stream_options={"include_usage": True})
    texts, finishes, usage, chunks = ["", ""], {}, None, 0
    async for chunk in stream:
        chunks += 1
        if chunk.usage is not None:
            usage = chunk.usage
        for choice in chunk.choices:
            texts[choice.index] += choice.delta.content or ""
            if choice.finish_reason:
                finishes[choice.index] = choice.finish_reason
    assert texts == [c.message.content for c in whole.choices]
    assert [finishes[0], finishes[1]] == [c.finish_reason for c in whole.choices]
    assert usage is not None and usage.total_tokens == whole.usage.total_tokens
    assert chunks > 8  # token pieces as they come


async def test_streamed_chunks_validate_against_the_spec(client, served):
    async with client.chat.completions.with_streaming_response.create(
            model=served.checkpoint, messages=ASK, temperature=0, max_completion_tokens=12,
            stop=["zzqq"], stream=True, stream_options={"include_usage": True}) as response:
        chunks, done = sse_chunks([line async for line in response.iter_lines()])
    assert done and chunks[-1]["usage"]["completion_tokens"] == 12
    assert all(c["usage"] is None for c in chunks[:-1])
    text = "".join(ch["delta"].get("content") or "" for c in chunks for ch in c["choices"])
    plain = await greedy(client, served.checkpoint)
    assert text == plain["choices"][0]["message"]["content"]


async def test_stop_strings_end_the_answer_where_they_start(client, served):
    full = (await client.chat.completions.create(model=served.tuned, messages=ASK, seed=3, temperature=1,
                                                 max_completion_tokens=24)).choices[0].message.content
    stop = next(full[i:i + 2] for i in range(3, len(full) - 2) if full.find(full[i:i + 2]) == i
                and "\ufffd" not in full[i:i + 2])
    cut = await client.chat.completions.create(model=served.tuned, messages=ASK, seed=3, temperature=1,
                                               max_completion_tokens=24, stop=[stop])
    assert cut.choices[0].message.content == full[:full.index(stop)]
    assert cut.choices[0].finish_reason == "stop"


async def _error_of(call) -> tuple[int, dict]:
    try:
        await call
    except openai.APIStatusError as exc:
        return exc.status_code, check_error(exc.response.json())["error"]
    raise AssertionError("the request did not fail")


async def test_bad_requests_get_clear_openai_errors(client, served):
    status, error = await _error_of(client.chat.completions.create(model="no-such-model", messages=ASK))
    assert (status, error["code"], error["param"]) == (404, "model_not_found", "model")
    status, error = await _error_of(client.chat.completions.create(model=served.gone, messages=ASK))
    assert (status, error["code"]) == (404, "adapter_not_found")
    assert "adapter" in error["message"] and GONE_JOB in error["message"]
    status, error = await _error_of(client.chat.completions.create(
        model=served.base, messages=ASK, stream=True, seed="seven"))
    assert (status, error["code"], error["param"]) == (400, "invalid_type", "seed")
    status, error = await _error_of(client.chat.completions.create(
        model=served.base, messages=[{"role": "user", "content": "the cat " * 300}], stream=True))
    assert (status, error["code"]) == (400, "context_length_exceeded")
    status, error = await _error_of(client.chat.completions.create(model=served.base, messages=ASK,
                                                                   temperature=3))
    assert (status, error["param"]) == (400, "temperature")  # the same checks as the sandbox


async def test_a_client_that_disconnects_stops_generation(served):
    stopped = served.chat.stopped_early
    body = {"model": served.base, "messages": ASK, "n": 4, "temperature": 1, "seed": 1,
            "max_completion_tokens": 230, "stream": True}
    async with httpx.AsyncClient(timeout=30, headers=AUTH) as http:
        async with http.stream("POST", served.base_url + "/chat/completions", json=body) as response:
            assert response.status_code == 200
            async for line in response.aiter_lines():
                if line.startswith("data: ") and json.loads(line[6:])["choices"][0]["delta"].get("content"):
                    break
    deadline = time.monotonic() + 20
    while served.chat.stopped_early == stopped:
        assert time.monotonic() < deadline, "generation went on after the client left"
        await asyncio.sleep(0.05)


async def test_time_to_first_token_and_adapter_switch(client, served):
    """Figures for the benchmark (printed, not asserted beyond sanity)."""
    from tests.bench.bench_local_chat import first_token_seconds

    base = await first_token_seconds(client, served.base)
    tuned = await first_token_seconds(client, served.tuned)
    switch = await first_token_seconds(client, served.checkpoint)
    print(f"\ntiny model: first token base {base * 1000:.0f} ms, tuned {tuned * 1000:.0f} ms, "
          f"after switching adapter {switch * 1000:.0f} ms")
    assert 0 < base < 30 and 0 < tuned < 30


def test_deleting_a_fine_tune_removes_it_from_the_list(served):
    doomed = register_fine_tune(served.store, base=served.base, job_id="ftjob-chatapi0000000003",
                                suffix="doomed")
    status, _, body = raw_request("DELETE", f"{served.base_url}/models/{doomed}", headers=AUTH)
    assert status == 200 and check_response("deleteModel", body)["deleted"] is True
    status, _, body = raw_request("GET", served.base_url + "/models", headers=AUTH)
    assert status == 200 and doomed not in {m["id"] for m in check_response("listModels", body)["data"]}
