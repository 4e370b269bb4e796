"""Every Provider method of OpenAIProvider, through the official SDK, against the sandbox."""

from __future__ import annotations

import asyncio
import time

import pytest

from ftui.core.backends.openai_backend import OpenAIProvider
from ftui.core.errors import CoreError
from ftui.core.provider import Provider
from ftui.core.types import (
    ChatDelta,
    ChatRequest,
    Checkpoint,
    Job,
    JobEvent,
    JobSpec,
    ModelInfo,
    RemoteFile,
)

BASE = "gpt-4o-mini-2024-07-18"


async def _wait_finished(provider, job_id: str, timeout: float = 30) -> Job:
    deadline = time.monotonic() + timeout
    while True:
        job = await provider.retrieve_job(job_id)
        if job.finished or time.monotonic() > deadline:
            return job
        await asyncio.sleep(0.1)


async def test_is_a_provider(provider):
    assert isinstance(provider, Provider) and isinstance(provider, OpenAIProvider)
    assert provider.simulated and provider.name == "sandbox" and "SANDBOX" in provider.label


async def test_files_round_trip(provider, jsonl, tmp_path):
    path = jsonl(3000)
    seen = []
    made = await provider.upload_file(path, purpose="fine-tune", progress=seen.append)
    assert isinstance(made, RemoteFile) and made.bytes == path.stat().st_size
    assert made.filename == path.name and made.purpose == "fine-tune"
    assert seen[0].done == 0 and seen[-1].done == seen[-1].total == made.bytes
    assert all(a.done <= b.done for a, b in zip(seen, seen[1:]))

    page = await provider.list_files(purpose="fine-tune")
    assert made.id in [f.id for f in page.items]
    assert (await provider.retrieve_file(made.id)).id == made.id
    assert await provider.file_content(made.id) == path.read_bytes()

    progress = []
    dest = await provider.download_file(made.id, tmp_path / "copy.jsonl", progress.append)
    assert dest.read_bytes() == path.read_bytes()
    assert progress[-1].done == progress[-1].total == made.bytes
    assert not list(tmp_path.glob(".copy.jsonl.part"))

    assert await provider.delete_file(made.id) is True
    with pytest.raises(CoreError) as info:
        await provider.retrieve_file(made.id)
    assert info.value.status == 404


async def test_list_files_pages(provider, jsonl):
    ids = [(await provider.upload_file(jsonl(200, f"f{i}.jsonl"))).id for i in range(3)]
    first = await provider.list_files(limit=2)
    assert len(first.items) == 2 and first.has_more
    rest = await provider.list_files(limit=2, after=first.last_id)
    assert {f.id for f in first.items + rest.items} == set(ids) and not rest.has_more


async def test_download_failure_leaves_no_partial_file(provider, make_sdk_provider,
                                                       sandbox_handle, jsonl, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(CoreError) as info:
        await provider.download_file("file-doesnotexist", out / "x.jsonl")
    assert info.value.status == 404
    made = await provider.upload_file(jsonl(50_000))
    sandbox_handle.set_faults("drop=1.0")  # the connection is cut halfway through the body
    with pytest.raises(CoreError) as info:
        await make_sdk_provider().download_file(made.id, out / "x.jsonl")
    assert info.value.kind == "connection"
    assert list(out.iterdir()) == []


async def test_job_lifecycle_events_checkpoints_models(provider, jsonl):
    training = await provider.upload_file(jsonl(4000))
    spec = JobSpec(model=BASE, training_file=training.id, suffix="marv", seed=7,
                   hyperparameters={"n_epochs": 2}, metadata={"run": "t1"})
    job = await provider.create_job(spec)
    assert isinstance(job, Job) and job.model == BASE and job.suffix == "marv"
    assert job.hyperparameters.get("n_epochs") == 2 and job.metadata == {"run": "t1"}
    assert job.method == "supervised" and job.seed == 7

    listed = await provider.list_jobs(limit=5)
    assert job.id in [j.id for j in listed.items]

    done = await _wait_finished(provider, job.id)
    assert done.status == "succeeded" and done.fine_tuned_model and done.result_files
    assert done.fine_tuned_model.startswith(f"ft:{BASE}")
    assert (await provider.list_jobs(status="succeeded")).items[0].id == job.id
    assert (await provider.list_jobs(status="running")).items == []

    events = await provider.list_events(job.id, limit=5)
    assert events.items and all(isinstance(e, JobEvent) for e in events.items)
    more = await provider.list_events(job.id, limit=5, after=events.last_id)
    assert not {e.id for e in more.items} & {e.id for e in events.items}
    assert any(e.type == "metrics" and e.data for e in events.items + more.items)

    cps = await provider.list_checkpoints(job.id)
    assert cps.items and all(isinstance(c, Checkpoint) and c.job_id == job.id for c in cps.items)
    assert "train_loss" in cps.items[0].metrics and cps.items[0].model.startswith("ft:")

    model = await provider.retrieve_model(done.fine_tuned_model)
    assert model.fine_tunable and model.shutdown_date == "2027-01-14"
    assert done.fine_tuned_model in [m.id for m in await provider.list_models()]

    result = await provider.file_content(done.result_files[0])
    assert b"train_loss" in result

    assert await provider.delete_model(done.fine_tuned_model) is True
    with pytest.raises(CoreError) as info:
        await provider.retrieve_model(done.fine_tuned_model)
    assert info.value.status == 404 and info.value.code == "model_not_found"


async def test_pause_resume_cancel(provider, sandbox_handle, jsonl):
    sandbox_handle.ctx.speed = 1.0  # slow enough to catch the job while it runs
    training = await provider.upload_file(jsonl(20000))
    job = await provider.create_job(JobSpec(model=BASE, training_file=training.id))
    deadline = time.monotonic() + 20
    while (job := await provider.retrieve_job(job.id)).status != "running":
        assert time.monotonic() < deadline and not job.finished, job.status
        await asyncio.sleep(0.1)
    paused = await provider.pause_job(job.id)
    assert paused.status == "paused"
    resumed = await provider.resume_job(job.id)
    assert resumed.status in ("running", "queued")
    cancelled = await provider.cancel_job(job.id)
    assert cancelled.status == "cancelled" and cancelled.finished
    with pytest.raises(CoreError) as info:
        await provider.pause_job(job.id)  # a finished job cannot be paused
    assert info.value.status in (400, 409)


async def test_dpo_job_spec_reaches_the_server(provider, tmp_path):
    path = tmp_path / "dpo.jsonl"
    line = (b'{"input": {"messages": [{"role": "user", "content": "hi"}]}, '
            b'"preferred_output": [{"role": "assistant", "content": "Hello!"}], '
            b'"non_preferred_output": [{"role": "assistant", "content": "meh"}]}\n')
    path.write_bytes(line * 20)
    f = await provider.upload_file(path)
    job = await provider.create_job(JobSpec(model=BASE, training_file=f.id, method="dpo",
                                            hyperparameters={"beta": 0.2}))
    assert job.method == "dpo" and job.hyperparameters.get("beta") == 0.2


async def test_models_catalogue(provider):
    models = {m.id: m for m in await provider.list_models()}
    assert all(isinstance(m, ModelInfo) for m in models.values())
    assert models[BASE].fine_tunable and models[BASE].shutdown_date == "2027-01-14"
    assert (await provider.retrieve_model("gpt-4.1-nano-2025-04-14")).shutdown_date is None


async def test_chat_and_stream(provider):
    request = ChatRequest(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}],
                          n=2, temperature=0.5, max_completion_tokens=64, seed=3)
    result = await provider.chat(request)
    assert len(result.choices) == 2 and all(result.choices) and result.usage.total_tokens > 0

    deltas: list[ChatDelta] = [d async for d in provider.stream_chat(request)]
    texts = {0: "", 1: ""}
    for d in deltas:
        texts[d.index] += d.text
    assert texts[0] and texts[1]
    assert sorted(d.index for d in deltas if d.finish_reason) == [0, 1]
    assert deltas[-1].usage is not None and deltas[-1].usage.completion_tokens > 0


async def test_stream_can_be_abandoned(provider):
    request = ChatRequest(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
    stream = provider.stream_chat(request)
    first = await anext(stream)
    assert first.text
    await stream.aclose()  # the UI closing a compare pane early must not raise


async def test_azure_style_deployment_mapping_rewrites_the_model(make_sdk_provider):
    p = make_sdk_provider(deployments={"my-alias": "gpt-4o-mini"})
    result = await p.chat(ChatRequest(model="my-alias", messages=[{"role": "user", "content": "hi"}]))
    assert result.choices[0]


async def test_works_on_the_shared_sandbox_fixture(sandbox, no_config, jsonl):
    """The way the app and UI tests connect: settings -> make_provider -> sandbox in a thread."""
    from ftui.core.connect import make_provider
    from ftui.core.settings import load_settings

    p = make_provider(load_settings("sandbox", env={}, config_path=no_config),
                      sandbox_base_url=sandbox.base_url)
    try:
        made = await p.upload_file(jsonl(1000))
        assert (await p.retrieve_file(made.id)).bytes == made.bytes
        sandbox.set_faults("error5xx=1.0")
        with pytest.raises(CoreError) as info:
            await p.list_models()
        assert info.value.status in (500, 502, 503) and info.value.retryable
    finally:
        await p.aclose()
