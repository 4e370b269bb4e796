"""Fine-tuning jobs: request checks, invalid data, pause/resume/cancel, paging, epochs rule."""

from __future__ import annotations

import json

import openai
import pytest

from ftui.core.server.engine import default_epochs
from tests.server.helpers import checked, upload, wait_job
from tests.spec_check import check_error

BASE = "gpt-4.1-mini-2025-04-14"


@pytest.mark.parametrize(("examples", "epochs"), [
    (10, 10), (14, 7), (30, 3), (34, 3), (50, 3), (3, 25), (1, 25), (8333, 3), (8334, 2), (12501, 1), (30000, 1)])
def test_default_epochs_follow_openai_rule(examples, epochs):
    assert default_epochs(examples) == epochs


async def test_bad_requests_name_the_parameter(client, marv_path, tmp_path):
    file = await upload(client, marv_path)
    batch = tmp_path / "b.jsonl"
    batch.write_text("{}\n")
    batch_file = await upload(client, batch, purpose="batch")
    cases = [
        (dict(model="gpt-9", training_file=file.id), "model", "model_not_available"),
        (dict(model="gpt-4o", training_file=file.id), "model", "model_not_available"),
        (dict(model=BASE, training_file="file-missing"), "training_file", "invalid_file"),
        (dict(model=BASE, training_file=batch_file.id), "training_file", "invalid_file"),
        (dict(model=BASE, training_file=file.id, validation_file="file-x"), "validation_file", None),
        (dict(model=BASE, training_file=file.id, suffix="bad:suffix"), "suffix", None),
        (dict(model=BASE, training_file=file.id, suffix="x" * 65), "suffix", None),
        (dict(model=BASE, training_file=file.id, seed=-1), "seed", None),
        (dict(model=BASE, training_file=file.id,
              method={"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": 0}}}),
         "method.supervised.hyperparameters.n_epochs", None),
        (dict(model=BASE, training_file=file.id,
              method={"type": "dpo", "dpo": {"hyperparameters": {"beta": 3}}}),
         "method.dpo.hyperparameters.beta", None),
    ]
    for kwargs, param, code in cases:
        with pytest.raises(openai.BadRequestError) as info:
            await client.fine_tuning.jobs.create(**kwargs)
        check_error(info.value.response.json())
        assert info.value.param == param, (kwargs, info.value.body)
        if code:
            assert info.value.code == code
    assert (await client.fine_tuning.jobs.list()).data == []


async def test_invalid_training_file_fails_the_job_with_a_line_number(client, marv_path, tmp_path):
    lines = marv_path.read_text(encoding="utf-8").splitlines()
    lines[4] = '{"messages": [{"role": "user", "content": "broken"'
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    file = await upload(client, bad)
    job = await client.fine_tuning.jobs.create(model=BASE, training_file=file.id)
    failed = await wait_job(client, job.id)
    assert failed.status == "failed" and failed.fine_tuned_model is None
    assert failed.error.code == "invalid_training_file"
    assert failed.error.param == "training_file"
    assert "line 5" in failed.error.message
    checked("retrieveFineTuningJob", await client.fine_tuning.jobs.with_raw_response.retrieve(job.id))
    events = await client.fine_tuning.jobs.list_events(job.id)
    assert events.data[0].level == "error" and "line 5" in events.data[0].message


async def test_pause_resume_then_cancel_mid_run(sandbox_factory, marv_path):
    sandbox = sandbox_factory(speed=10)  # slow enough (~3 s of steps) to act while it runs
    async with openai.AsyncOpenAI(base_url=sandbox.base_url, api_key="k") as client:
        file = await upload(client, marv_path)
        job = await client.fine_tuning.jobs.create(model=BASE, training_file=file.id, seed=1)
        with pytest.raises(openai.BadRequestError):
            await client.fine_tuning.jobs.resume(job.id)  # not paused
        running = await wait_job(client, job.id, ("running",))
        assert running.estimated_finish is not None
        raw = await client.fine_tuning.jobs.with_raw_response.pause(job.id)
        paused = checked("pauseFineTuningJob", raw)
        assert paused["status"] == "paused" and paused["estimated_finish"] is None
        steps = await metrics_steps(client, job.id)
        await asyncio_sleep(0.3)
        assert await metrics_steps(client, job.id) == steps, "no steps while paused"
        resumed = checked("resumeFineTuningJob",
                          await client.fine_tuning.jobs.with_raw_response.resume(job.id))
        assert resumed["status"] == "running"
        await asyncio_sleep(0.3)
        assert len(await metrics_steps(client, job.id)) > len(steps)
        cancelled = checked("cancelFineTuningJob",
                            await client.fine_tuning.jobs.with_raw_response.cancel(job.id))
        assert cancelled["status"] == "cancelled"
        after = await metrics_steps(client, job.id)
        await asyncio_sleep(0.3)
        final = await client.fine_tuning.jobs.retrieve(job.id)
        assert final.status == "cancelled" and final.fine_tuned_model is None
        assert await metrics_steps(client, job.id) == after
        with pytest.raises(openai.BadRequestError):
            await client.fine_tuning.jobs.cancel(job.id)


async def asyncio_sleep(seconds: float) -> None:
    import asyncio
    await asyncio.sleep(seconds)


async def metrics_steps(client, job_id: str) -> list[int]:
    events = await client.fine_tuning.jobs.list_events(job_id, limit=1000)
    return [e.data["step"] for e in events.data if e.type == "metrics"]


async def test_jobs_and_events_paginate_newest_first(client, marv_path):
    file = await upload(client, marv_path)
    ids = [(await client.fine_tuning.jobs.create(model=BASE, training_file=file.id,
                                                 metadata={"n": str(i % 2)})).id for i in range(5)]
    first = checked("listPaginatedFineTuningJobs",
                    await client.fine_tuning.jobs.with_raw_response.list(limit=2))
    assert [j["id"] for j in first["data"]] == ids[::-1][:2] and first["has_more"]
    everything = [j.id async for j in client.fine_tuning.jobs.list(limit=2)]
    assert everything == ids[::-1]
    odd = await client.fine_tuning.jobs.list(metadata={"n": "1"})
    assert [j.id for j in odd.data] == [ids[3], ids[1]]

    job = await wait_job(client, ids[-1])
    all_events = (await client.fine_tuning.jobs.list_events(job.id, limit=1000)).data
    paged = [e.id async for e in client.fine_tuning.jobs.list_events(job.id, limit=7)]
    assert paged == [e.id for e in all_events]
    assert [e.created_at for e in all_events] == sorted((e.created_at for e in all_events), reverse=True)
    ckpts = [c.step_number async for c in client.fine_tuning.jobs.checkpoints.list(job.id, limit=1)]
    assert len(ckpts) == 3 and ckpts == sorted(ckpts, reverse=True)
    with pytest.raises(openai.NotFoundError):
        await client.fine_tuning.jobs.retrieve("ftjob-missing")


async def test_validation_file_adds_validation_metrics(client, marv_path):
    file = await upload(client, marv_path)
    job = await client.fine_tuning.jobs.create(
        model=BASE, training_file=file.id, validation_file=file.id, seed=5,
        method={"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": 2, "batch_size": 4}}})
    done = await wait_job(client, job.id)
    assert done.status == "succeeded"
    assert done.hyperparameters.n_epochs == 2 and done.hyperparameters.batch_size == 4
    events = (await client.fine_tuning.jobs.list_events(job.id, limit=1000)).data
    metrics = [e.data for e in events if e.type == "metrics"]
    assert all("valid_loss" in m for m in metrics)
    assert sum("full_valid_loss" in m for m in metrics) == 2  # one per epoch end
    csv_rows = (await client.files.content(done.result_files[0])).text.splitlines()[1:]
    assert all(row.split(",")[3] for row in csv_rows)
    examples = len(marv_path.read_text().splitlines())
    assert len(csv_rows) == 2 * -(-examples // 4)


async def test_dpo_job_on_preference_data(client, tmp_path):
    path = tmp_path / "prefs.jsonl"
    with path.open("w") as out:
        for i in range(12):
            out.write(json.dumps({
                "input": {"messages": [{"role": "user", "content": f"Name colour number {i}"}]},
                "preferred_output": [{"role": "assistant", "content": f"Colour {i} is teal."}],
                "non_preferred_output": [{"role": "assistant", "content": "I don't know."}]}) + "\n")
    file = await upload(client, path)
    job = await client.fine_tuning.jobs.create(
        model=BASE, training_file=file.id, suffix="prefs",
        method={"type": "dpo", "dpo": {"hyperparameters": {"beta": 0.2}}})
    done = await wait_job(client, job.id)
    assert done.status == "succeeded", done.error
    assert done.method.dpo.hyperparameters.beta == 0.2
    reply = await client.chat.completions.create(
        model=done.fine_tuned_model, messages=[{"role": "user", "content": "Name colour number 7"}])
    assert reply.choices[0].message.content == "Colour 7 is teal."


async def test_same_seed_same_curve_other_seed_other_curve(client, marv_path):
    file = await upload(client, marv_path)

    async def losses(seed: int) -> list[float]:
        job = await client.fine_tuning.jobs.create(model=BASE, training_file=file.id, seed=seed)
        assert (await wait_job(client, job.id)).status == "succeeded"
        events = (await client.fine_tuning.jobs.list_events(job.id, limit=1000)).data
        return [e.data["train_loss"] for e in reversed(events) if e.type == "metrics"]

    first, again, other = await losses(9), await losses(9), await losses(10)
    assert first == again and first != other


async def test_after_the_wind_down_new_jobs_are_refused_and_the_rest_still_works(sandbox_factory,
                                                                                  marv_path):
    sandbox = sandbox_factory(new_jobs_closed=True)
    api = openai.AsyncOpenAI(base_url=sandbox.base_url, api_key="test-key", max_retries=0)
    try:
        file = await upload(api, marv_path)
        with pytest.raises(openai.PermissionDeniedError) as info:
            await api.fine_tuning.jobs.create(model=BASE, training_file=file.id)
        check_error(info.value.response.json())
        assert info.value.code == "fine_tuning_unavailable"
        assert (await api.fine_tuning.jobs.list()).data == []  # nothing half-created
        # files, models and chat are untouched by the policy
        assert (await api.files.retrieve(file.id)).id == file.id
        assert any(m.id == BASE for m in (await api.models.list()).data)
        answer = await api.chat.completions.create(
            model=BASE, messages=[{"role": "user", "content": "Still there?"}])
        assert answer.choices[0].message.content
    finally:
        await api.close()
