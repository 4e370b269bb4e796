"""The local engine's measured speed (/v1/fine_tuning/estimates) and the provider's estimate_time, through
the official openai client against the real server training the tiny model."""

from __future__ import annotations

import json
import time

import openai
import pytest

from ftui.core.backends.openai_backend import OpenAIProvider
from ftui.core.backends.openai_capabilities import LOCAL_CAPABILITIES, OPENAI_CAPABILITIES
from ftui.core.errors import CoreError
from ftui.core.local.measure import CACHE_FILE
from ftui.core.local.server import start_local
from ftui.core.types import JobSpec

ESTIMATES = "/fine_tuning/estimates"


@pytest.fixture
async def local(tmp_path, tiny_model_dir):
    handle = await start_local(data_dir=tmp_path, model_folders=[tiny_model_dir], device="cpu", threads=1)
    client = openai.AsyncOpenAI(base_url=handle.base_url, api_key="k", max_retries=0)
    yield handle, client
    await client.close()
    await handle.stop()


async def estimate(client, **body):
    return await client.post(ESTIMATES, cast_to=object, body=body)


async def test_measures_once_then_answers_from_the_cache(local, tiny_model_dir, marv_path):
    handle, client = local
    uploaded = await client.files.create(file=marv_path, purpose="fine-tune")
    first = await estimate(client, model=tiny_model_dir.name, training_file=uploaded.id,
                           hyperparameters={"lora_r": 4, "n_epochs": 2}, trained_tokens=12_000)
    assert first["cached"] is False
    assert first["tokens_per_second"] > 0
    assert first["seconds"] == pytest.approx(12_000 / first["tokens_per_second"], rel=0.01, abs=0.11)
    assert abs(first["measured_at"] - time.time()) < 300
    cache = json.loads((handle.data_dir / CACHE_FILE).read_text())
    assert [figure["tokens_per_second"] for figure in cache.values()] == [first["tokens_per_second"]]
    started = time.monotonic()
    second = await estimate(client, model=tiny_model_dir.name, hyperparameters={"lora_r": 4},
                            trained_tokens=6_000)
    assert time.monotonic() - started < 2  # no warm-up: the figure is cached
    assert second["cached"] is True
    assert (second["tokens_per_second"], second["measured_at"]) == (first["tokens_per_second"],
                                                                    first["measured_at"])
    assert second["seconds"] == pytest.approx(first["seconds"] / 2, rel=0.01, abs=0.11)


async def test_bad_model_file_or_data_is_a_clear_400(local, tiny_model_dir, tmp_path):
    _, client = local
    with pytest.raises(openai.BadRequestError) as caught:
        await estimate(client, model="no-such-model")
    assert caught.value.code == "model_not_available" and "no-such-model" in caught.value.message
    with pytest.raises(openai.BadRequestError) as caught:
        await estimate(client, model=tiny_model_dir.name, training_file="file-nothing")
    assert caught.value.code == "invalid_file" and "file-nothing" in caught.value.message
    with pytest.raises(openai.BadRequestError) as caught:
        await estimate(client, model=tiny_model_dir.name, trained_tokens=-1)
    assert caught.value.param == "trained_tokens"
    junk = tmp_path / "junk.jsonl"
    junk.write_text("this line is not JSON\n")
    uploaded = await client.files.create(file=junk, purpose="fine-tune")
    with pytest.raises(openai.BadRequestError) as caught:
        await estimate(client, model=tiny_model_dir.name, training_file=uploaded.id)
    assert caught.value.code == "invalid_training_file"
    assert "Measuring the training speed failed" in caught.value.message


async def test_busy_while_a_job_holds_the_engine(local, tiny_model_dir):
    handle, client = local
    async with handle.ctx.engine.slot():  # what a training job holds
        with pytest.raises(openai.ConflictError) as caught:
            await estimate(client, model=tiny_model_dir.name)
    assert caught.value.code == "engine_busy" and "after the running job" in caught.value.message


async def test_the_simulated_sandbox_has_no_such_path(sandbox_factory):
    async with openai.AsyncOpenAI(base_url=sandbox_factory().base_url, api_key="k", max_retries=0) as client:
        with pytest.raises(openai.NotFoundError):
            await estimate(client, model="gpt-4o-mini-2024-07-18")


async def test_the_provider_estimates_minutes_on_this_machine(local, tiny_model_dir):
    handle, _ = local
    client = openai.AsyncOpenAI(base_url=handle.base_url, api_key="k")
    provider = OpenAIProvider(client, name="local", capabilities=LOCAL_CAPABILITIES)
    spec = JobSpec(model=tiny_model_dir.name, training_file="",
                   hyperparameters={"n_epochs": 3, "lora_r": 8, "lora_target_modules": ["q_proj", "v_proj"]})
    made = await provider.estimate_time(spec, 30_000)
    assert made.tokens_per_second > 0 and not made.cached
    assert made.seconds == pytest.approx(30_000 / made.tokens_per_second, rel=0.01, abs=0.11)
    with pytest.raises(CoreError) as caught:
        await provider.estimate_time(JobSpec(model="no-such-model", training_file=""), 100)
    assert caught.value.status == 400 and "no-such-model" in caught.value.message
    hosted = OpenAIProvider(client, name="openai", capabilities=OPENAI_CAPABILITIES)
    with pytest.raises(CoreError) as caught:
        await hosted.estimate_time(spec, 100)
    assert caught.value.kind == "input"
    await provider.aclose()
