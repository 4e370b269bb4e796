"""Dedicated endpoints through the real together SDK against the sandbox's v2 endpoint routes:
hardware with prices, deploy, PROVISIONING until ready, chat only once READY, stop."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from ftui.core.errors import CoreError
from ftui.core.provider import Deployer
from ftui.core.server.together import catalog
from ftui.core.types import ChatRequest, JobSpec

DATA = Path(__file__).resolve().parents[2] / "examples" / "marv.jsonl"
BASE = catalog.FINE_TUNABLE[0]
HELLO = [{"role": "user", "content": "Hello?"}]


async def _tuned_model(provider) -> str:
    uploaded = await provider.upload_file(DATA)
    job = await provider.create_job(JobSpec(model=BASE, training_file=uploaded.id))
    deadline = time.monotonic() + 30
    while not (job := await provider.retrieve_job(job.id)).finished:
        assert time.monotonic() < deadline, f"job stuck in {job.status}"
        await asyncio.sleep(0.05)
    assert job.fine_tuned_model
    return job.fine_tuned_model


async def _ready(provider, deployment_id: str):
    deadline = time.monotonic() + 10
    while not (found := await provider.retrieve_deployment(deployment_id)).ready:
        assert found.state == "provisioning", found.state_detail
        assert time.monotonic() < deadline, "endpoint never became ready"
        await asyncio.sleep(0.05)
    return found


async def test_hardware_lists_prices_per_minute(provider):
    assert isinstance(provider, Deployer)
    machines = await provider.list_hardware()
    assert [m.price_per_minute for m in machines] == sorted(m.price_per_minute for m in machines)
    h100 = next(m for m in machines if m.name == "1xnvidia-h100-80gb")
    assert h100.price_per_minute == pytest.approx(329 / 100 / 60) and h100.gpu_count == 1


async def test_deploy_chat_once_ready_then_stop(provider, together_sandbox):
    model = await _tuned_model(provider)
    listed = {m.id: m for m in await provider.list_models()}
    assert listed[model].fine_tuned and not listed[BASE].fine_tuned
    with pytest.raises(CoreError) as err:  # Together: a tuned model needs an endpoint first
        await provider.chat(ChatRequest(model=model, messages=HELLO))
    assert err.value.status == 400 and "dedicated endpoint" in err.value.message

    machine = (await provider.list_hardware())[0]
    made = await provider.create_deployment(model, machine.id)
    assert made.state == "provisioning" and made.model == model and made.running
    assert made.price_per_minute == pytest.approx(machine.price_per_minute)
    assert made.chat_model.startswith(f"{catalog.PROJECT_SLUG}/")
    with pytest.raises(CoreError) as err:  # not READY yet: the endpoint refuses
        await provider.chat(ChatRequest(model=made.chat_model, messages=HELLO))
    assert err.value.status == 400 and "not ready" in err.value.message

    together_sandbox.ctx.speed = 1e6  # provisioning done at once
    ready = await _ready(provider, made.id)
    assert ready.hardware == machine.name
    answer = await provider.chat(ChatRequest(model=ready.chat_model, messages=HELLO))
    assert answer.choices[0]
    [listed_dep] = await provider.list_deployments()
    assert listed_dep.id == made.id and listed_dep.ready and listed_dep.price_per_minute

    stopped = await provider.stop_deployment(made.id)
    assert not stopped.running
    assert await provider.list_deployments() == []
    with pytest.raises(CoreError) as err:
        await provider.chat(ChatRequest(model=made.chat_model, messages=HELLO))
    assert err.value.status == 404


async def test_deploy_refuses_unknown_hardware_and_leaves_nothing(provider):
    model = await _tuned_model(provider)
    with pytest.raises(CoreError, match="No hardware"):
        await provider.create_deployment(model, "it_nothing")
    with pytest.raises(CoreError) as err:
        await provider.create_deployment("nobody/no-such-model", (await provider.list_hardware())[0].id)
    assert err.value.status == 404
    assert await provider.list_deployments() == []


async def test_a_key_without_a_project_is_told_what_to_set():
    from ftui.core.backends import together_deploy

    class OrgKey:  # what /v3/whoami answers for an organization key: no project
        project = None

    with pytest.raises(CoreError) as err:
        together_deploy.project_of(OrgKey())
    assert "TOGETHER_PROJECT_ID" in err.value.hint
