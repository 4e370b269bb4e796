"""Fault injection: parsing, 429/5xx/drops the client retries through, cut streams, no damage."""

from __future__ import annotations

import time

import openai
import pytest

from ftui.core.server.faults import Faults
from tests.server.helpers import raw_request
from tests.spec_check import check_error


def test_parse_fault_spec():
    faults = Faults.parse("rate429=0.1, error5xx=0.2,latency=50,drop=0.05,cut_stream=0.1,seed=3")
    assert (faults.rate429, faults.error5xx, faults.latency, faults.drop, faults.cut_stream,
            faults.seed) == (0.1, 0.2, 50, 0.05, 0.1, 3)
    assert Faults.parse("") == Faults() and not Faults().active
    for bad, words in (("rate429=2", "between 0 and 1"), ("boom=1", "unknown fault"),
                       ("latency", "name=value"), ("drop=lots", "not a number")):
        with pytest.raises(ValueError, match=words):
            Faults.parse(bad)


def test_injected_429_and_5xx_are_envelopes_with_retry_hints(sandbox):
    sandbox.set_faults("rate429=0.4,error5xx=0.4,seed=11")
    seen = set()
    for _ in range(40):
        status, headers, body = raw_request("GET", f"{sandbox.base_url}/models",
                                            headers={"Authorization": "Bearer k"})
        seen.add(status)
        if status != 200:
            check_error(body)
            assert headers["retry-after-ms"] == "100"
    assert {200, 429} <= seen and seen & {500, 502, 503}


async def test_client_retries_get_through_without_duplicating_state(sandbox, marv_path):
    sandbox.set_faults("rate429=0.15,error5xx=0.15,drop=0.1,seed=5,retry_after_ms=10")
    async with openai.AsyncOpenAI(base_url=sandbox.base_url, api_key="k", max_retries=10) as client:
        created = [(await client.files.create(file=marv_path, purpose="fine-tune")).id
                   for _ in range(6)]
        for file_id in created:
            assert (await client.files.retrieve(file_id)).id == file_id
        job = await client.fine_tuning.jobs.create(model="gpt-4o-mini-2024-07-18",
                                                   training_file=created[0])
        reply = await client.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
        assert reply.choices[0].message.content
        sandbox.set_faults(None)
        listed = [f.id for f in (await client.files.list()).data]
        assert sorted(listed) == sorted(created)  # a retried POST never stored twice
        assert [j.id for j in (await client.fine_tuning.jobs.list()).data] == [job.id]


async def test_without_retries_the_faults_reach_the_caller(sandbox):
    sandbox.set_faults("rate429=1")
    async with openai.AsyncOpenAI(base_url=sandbox.base_url, api_key="k", max_retries=0) as client:
        with pytest.raises(openai.RateLimitError) as info:
            await client.models.list()
        assert info.value.code == "rate_limit_exceeded"
    sandbox.set_faults("drop=1")
    async with openai.AsyncOpenAI(base_url=sandbox.base_url, api_key="k", max_retries=0) as client:
        with pytest.raises(openai.APIConnectionError):
            await client.models.list()
        with pytest.raises(openai.APIConnectionError):
            await client.models.delete("ft:gpt-4o-mini-2024-07-18:sandbox::x")


async def test_cut_streams_end_without_done(sandbox):
    sandbox.set_faults("cut_stream=1")
    async with openai.AsyncOpenAI(base_url=sandbox.base_url, api_key="k", max_retries=0) as client:
        pieces = []
        with pytest.raises(openai.APIConnectionError):
            stream = await client.chat.completions.create(
                model="gpt-4o-mini", messages=[{"role": "user", "content": "tell me more"}],
                stream=True)
            async for chunk in stream:
                pieces.append(chunk)
        assert 1 <= len(pieces) < 10


async def test_dropped_uploads_store_nothing(sandbox, marv_path):
    sandbox.set_faults("drop_upload=1")
    async with openai.AsyncOpenAI(base_url=sandbox.base_url, api_key="k", max_retries=1) as client:
        with pytest.raises(openai.APIConnectionError):
            await client.files.create(file=marv_path, purpose="fine-tune")
        upload = await client.uploads.create(filename="m.jsonl", purpose="fine-tune",
                                             bytes=marv_path.stat().st_size, mime_type="text/jsonl")
        with pytest.raises(openai.APIConnectionError):
            await client.uploads.parts.create(upload.id, data=marv_path.read_bytes())
        sandbox.set_faults(None)
        assert (await client.files.list()).data == []
        with pytest.raises(openai.BadRequestError):  # no part was kept
            await client.uploads.complete(upload.id, part_ids=[])
        part = await client.uploads.parts.create(upload.id, data=marv_path.read_bytes())
        done = await client.uploads.complete(upload.id, part_ids=[part.id])
        assert done.file.bytes == marv_path.stat().st_size


def test_latency_is_added(sandbox):
    sandbox.set_faults("latency=150")
    start = time.monotonic()
    status, _, _ = raw_request("GET", f"{sandbox.base_url}/models", headers={"Authorization": "Bearer k"})
    assert status == 200 and time.monotonic() - start >= 0.15
