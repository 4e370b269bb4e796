"""TogetherProvider against the Together-dialect sandbox over loopback HTTP, with the real SDK."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import httpx
import pytest

from ftui.core.errors import CoreError
from ftui.core.provider import Provider, capabilities_of
from ftui.core.server.context import PRIVATE
from ftui.core.server.together.shapes import TOGETHER
from ftui.core.types import ChatRequest, JobSpec
from ftui.core.watch import JobFollower
from tests.together.conftest import KEY
from tests.together.spec_check import check_response, check_schema

DATA = Path(__file__).resolve().parents[2] / "examples" / "marv.jsonl"
BASE = "meta-llama/Meta-Llama-3.1-8B-Instruct-Reference"


async def _finished(provider, job_id: str, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while True:
        job = await provider.retrieve_job(job_id)
        if job.finished:
            return job
        assert time.monotonic() < deadline, f"job stuck in {job.status}"
        await asyncio.sleep(0.05)


async def test_capabilities_say_what_together_lacks(provider):
    assert isinstance(provider, Provider)
    caps = capabilities_of(provider)
    assert not caps.pause_resume and caps.deploy_before_chat and caps.metrics_source == "metrics"
    with pytest.raises(CoreError, match="cannot pause"):
        await provider.pause_job("ft-anything")


async def test_upload_launch_watch_and_delete(provider, together_sandbox):
    seen = []
    uploaded = await provider.upload_file(DATA, progress=seen.append)
    assert uploaded.bytes == DATA.stat().st_size and seen and seen[-1].done == seen[-1].total
    assert (await provider.file_content(uploaded.id)) == DATA.read_bytes()
    assert uploaded.id in [f.id for f in (await provider.list_files()).items]

    fields = {f.name: f for f in await provider.hyperparameter_fields(BASE)}
    assert fields["lora_r"].default == 16 and fields["lora_r"].maximum == 64
    assert BASE in await provider.fine_tunable_models()

    spec = JobSpec(model=BASE, training_file=uploaded.id, suffix="marv", seed=7,
                   hyperparameters={"n_epochs": 2, "n_checkpoints": 2, "training_type": "Lora",
                                    "lora_r": 8, "lora_alpha": 16, "lora_dropout": 0.05,
                                    "learning_rate": 1e-4, "warmup_ratio": 0.1})
    price = await provider.estimate_price(spec)
    assert price.available and price.total and price.total > 0
    job = await provider.create_job(spec)
    assert job.hyperparameters["lora_r"] == 8 and job.hyperparameters["training_type"] == "Lora"
    assert job.provider_status == "pending" and job.status == "queued"

    follower = JobFollower(provider, job.id, page_size=3)  # small pages: paging is exercised
    while not (await provider.retrieve_job(job.id)).finished:
        await follower.poll()
        await asyncio.sleep(0.05)
    await follower.poll()
    done = await _finished(provider, job.id)
    assert done.status == "succeeded" and done.fine_tuned_model
    ids = [e.id for e in follower.events]
    assert len(ids) == len(set(ids))  # no duplicates
    all_events = (await provider.list_events(job.id, limit=1000)).items
    assert sorted(ids) == sorted(e.id for e in all_events)  # and no gaps

    points = await provider.list_metrics(job.id)
    assert points and all(p.train_loss is not None for p in points)
    assert [p.step for p in points] == sorted(p.step for p in points)
    # the follower takes loss and accuracy from that endpoint (Together has no metrics events)
    assert follower.metrics() == points
    assert follower.progress() == (points[-1].step, points[-1].total_steps)
    checkpoints = (await provider.list_checkpoints(job.id)).items
    assert checkpoints and checkpoints[0].step_number >= checkpoints[-1].step_number

    tuned = [m.id for m in await provider.list_models()]
    assert done.fine_tuned_model in tuned
    with pytest.raises(CoreError, match="dedicated endpoint"):  # Together: deploy first (test_deployments.py)
        await provider.chat(ChatRequest(model=done.fine_tuned_model,
                                        messages=[{"role": "user", "content": "Hello?"}]))
    assert await provider.delete_model(done.fine_tuned_model)
    with pytest.raises(CoreError) as err:
        await provider.retrieve_job(job.id)
    assert err.value.status == 404 and err.value.hint


async def test_cancel_and_stream_a_base_model(provider):
    uploaded = await provider.upload_file(DATA)
    job = await provider.create_job(JobSpec(model=BASE, training_file=uploaded.id,
                                            hyperparameters={"training_type": "Full"}))
    cancelled = await provider.cancel_job(job.id)
    assert cancelled.status == "cancelled"
    parts = [d async for d in provider.stream_chat(ChatRequest(
        model=BASE, messages=[{"role": "user", "content": "Say hi"}]))]
    assert "".join(p.text for p in parts) and parts[-1].usage is not None


async def test_errors_map_to_core_error_with_hints(provider, together_sandbox, tmp_path):
    with pytest.raises(CoreError) as err:  # the SDK's own bound check against the model's limits
        await provider.create_job(JobSpec(model=BASE, training_file="file-x",
                                          hyperparameters={"batch_size": 4096}))
    assert err.value.kind == "input" and "batch size" in err.value.message
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not json\n")
    with pytest.raises(CoreError, match="file check failed"):
        await provider.upload_file(bad)
    with pytest.raises(CoreError) as err:
        await provider.retrieve_file("file-missing")
    assert err.value.status == 404
    wrong_key = "wrong-key-that-must-not-show"
    wrong = type(provider)(together_sandbox.client().with_options(api_key=wrong_key),
                           key_source="TOGETHER_API_KEY")
    with pytest.raises(CoreError) as err:
        await wrong.list_files()
    assert err.value.status == 401 and "TOGETHER_API_KEY" in err.value.hint
    assert wrong_key not in err.value.details() and err.value.__context__ is None
    await wrong.aclose()


async def test_answers_match_togethers_spec(provider, together_sandbox):
    """Raw answers of the dialect, checked against the vendored spec."""
    uploaded = await provider.upload_file(DATA)
    job = await provider.create_job(JobSpec(model=BASE, training_file=uploaded.id))
    await _finished(provider, job.id)
    headers = {"Authorization": f"Bearer {KEY}"}
    async with httpx.AsyncClient(base_url=together_sandbox.url, headers=headers) as http:
        async def get(path: str, spec_path: str, method: str = "GET"):
            answer = await http.request(method, path)
            assert answer.status_code == 200, answer.text
            return check_response(method, spec_path, answer.json())

        await get("/v1/files", "/files")
        await get(f"/v1/files/{uploaded.id}", "/files/{id}")
        await get("/v1/fine-tunes", "/fine-tunes")
        await get(f"/v1/fine-tunes/{job.id}", "/fine-tunes/{id}")
        await get(f"/v1/fine-tunes/{job.id}/events", "/fine-tunes/{id}/events")
        await get(f"/v1/fine-tunes/{job.id}/checkpoints", "/fine-tunes/{id}/checkpoints")
        await get(f"/v1/fine-tunes/{job.id}/metrics", "/fine-tunes/{id}/metrics")
        await get(f"/v1/fine-tunes/models/limits?model_name={BASE}", "/fine-tunes/models/limits")
        await get("/v1/fine-tunes/models/supported", "/fine-tunes/models/supported")
        missing = await http.get("/v1/fine-tunes/ft-nope")
        assert missing.status_code == 404
        check_schema("ErrorData", missing.json())
        await get(f"/v1/fine-tunes/{job.id}", "/fine-tunes/{id}", method="DELETE")

        # chat, whole and streamed: every SSE event is a chunk event, then the [DONE] sentinel
        ask = {"model": BASE, "messages": [{"role": "user", "content": "Say hi"}], "n": 2, "max_tokens": 8}
        whole = await http.post("/v1/chat/completions", json=ask)
        assert whole.status_code == 200, whole.text
        check_response("POST", "/chat/completions", whole.json())
        streamed = await http.post("/v1/chat/completions", json={**ask, "stream": True})
        assert streamed.status_code == 200 and streamed.headers["content-type"].startswith("text/event-stream")
        events = [line.removeprefix("data: ") for line in streamed.text.splitlines() if line.startswith("data: ")]
        assert events[-1] == "[DONE]" and len(events) > 2
        for event in events[:-1]:
            check_schema("ChatCompletionStream", {"data": json.loads(event)})
        check_schema("ChatCompletionStream", {"data": events[-1]})
        assert json.loads(events[-2])["usage"]["total_tokens"] > 0  # the last chunk carries usage


async def test_a_finished_job_may_not_name_its_model_yet(provider, together_sandbox):
    """Together can answer a completed job without model_output_name for a while: the job is
    succeeded with no fine-tuned model (nothing invented), and no model is listed until it is named."""
    together_sandbox.ctx.unnamed_outputs = True
    uploaded = await provider.upload_file(DATA)
    job = await provider.create_job(JobSpec(model=BASE, training_file=uploaded.id))
    done = await _finished(provider, job.id)
    assert done.status == "succeeded" and done.provider_status == "completed"
    assert done.fine_tuned_model is None
    assert [m for m in await provider.list_models() if m.fine_tuned] == []
    listed = {j.id: j for j in (await provider.list_jobs()).items}
    assert listed[job.id].fine_tuned_model is None
    together_sandbox.ctx.unnamed_outputs = False  # Together names it later
    named = await provider.retrieve_job(job.id)
    assert named.fine_tuned_model and named.fine_tuned_model in [m.id for m in await provider.list_models()]


async def test_download_then_delete_a_file(provider, tmp_path):
    uploaded = await provider.upload_file(DATA)
    seen = []
    dest = await provider.download_file(uploaded.id, tmp_path / "back.jsonl", progress=seen.append)
    assert dest.read_bytes() == DATA.read_bytes()
    assert seen and seen[-1].done == DATA.stat().st_size
    assert await provider.delete_file(uploaded.id) is True
    assert uploaded.id not in [f.id for f in (await provider.list_files()).items]
    with pytest.raises(CoreError) as err:
        await provider.retrieve_file(uploaded.id)
    assert err.value.status == 404
    with pytest.raises(CoreError) as err:  # deleting it again says so instead of pretending
        await provider.delete_file(uploaded.id)
    assert err.value.status == 404


def _record(together_sandbox, job_id: str) -> dict:
    """What the sandbox stored of the launch request (its Together body, as it understood it)."""
    job = together_sandbox.ctx.store.get("jobs", job_id)
    return {**job[PRIVATE][TOGETHER], "validation_file": job["validation_file"]}


async def test_a_dpo_launch_carries_its_beta(provider, together_sandbox, tmp_path):
    path = tmp_path / "dpo.jsonl"
    line = ('{"input": {"messages": [{"role": "user", "content": "hi"}]}, '
            '"preferred_output": [{"role": "assistant", "content": "Hello!"}], '
            '"non_preferred_output": [{"role": "assistant", "content": "meh"}]}\n')
    path.write_text(line * 20)
    uploaded = await provider.upload_file(path)
    job = await provider.create_job(JobSpec(model=BASE, training_file=uploaded.id, method="dpo",
                                            hyperparameters={"dpo_beta": 0.2}))
    assert job.method == "dpo" and job.hyperparameters["dpo_beta"] == 0.2
    sent = _record(together_sandbox, job.id)["training_method"]
    assert sent["method"] == "dpo" and sent["dpo_beta"] == 0.2


async def test_validation_evals_wandb_and_lora_modules_reach_the_job(provider, together_sandbox,
                                                                     monkeypatch):
    secret = "wandb-key-that-must-not-be-kept"
    monkeypatch.setenv("WANDB_API_KEY", secret)
    train = await provider.upload_file(DATA)
    valid = await provider.upload_file(DATA.with_name("marv_holdout.jsonl"))
    job = await provider.create_job(JobSpec(
        model=BASE, training_file=train.id, validation_file=valid.id, wandb_project="ftui-tests",
        hyperparameters={"n_evals": 3, "training_type": "Lora", "lora_trainable_modules": "q_proj,v_proj"}))
    record = _record(together_sandbox, job.id)
    assert record["validation_file"] == valid.id and record["n_evals"] == 3
    assert record["training_type"]["lora_trainable_modules"] == "q_proj,v_proj"
    assert record["wandb_project_name"] == "ftui-tests" and record["wandb_key_given"]
    assert secret not in json.dumps(together_sandbox.ctx.store.get("jobs", job.id))
    seen = await provider.retrieve_job(job.id)  # and the job as ftui reads it back
    assert seen.validation_file == valid.id and seen.hyperparameters["n_evals"] == 3
    assert seen.hyperparameters["lora_trainable_modules"] == "q_proj,v_proj"


@pytest.mark.parametrize(("together", "ours"), [
    ("pending", "queued"), ("queued", "queued"), ("running", "running"), ("compressing", "running"),
    ("uploading", "running"), ("cancel_requested", "running"), ("cancelled", "cancelled"),
    ("error", "failed"), ("completed", "succeeded")])
def test_each_together_status_maps_to_ours_and_keeps_its_own(together, ours):
    from types import SimpleNamespace

    from ftui.core.backends.together_convert import job

    got = job(SimpleNamespace(id="ft-1", status=together, model=BASE, created_at=None, updated_at=None,
                              training_file="file-1", validation_file=""))
    assert got.status == ours
    assert got.provider_status == (None if together == ours else together)
    assert got.finished == (ours in ("succeeded", "failed", "cancelled"))


async def test_a_cut_stream_keeps_what_arrived_and_says_it_broke_off(provider, together_sandbox):
    from ftui.core.server.faults import Faults

    together_sandbox.ctx.set_faults(Faults(cut_stream=1.0))  # the sandbox drops it after a few chunks
    arrived = []
    with pytest.raises(CoreError, match="broke off") as err:
        async for delta in provider.stream_chat(ChatRequest(
                model=BASE, messages=[{"role": "user", "content": "Tell me a long story"}])):
            arrived.append(delta.text)
    assert "".join(arrived) and err.value.retryable
