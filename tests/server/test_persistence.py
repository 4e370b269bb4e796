"""--data-dir: files, jobs, events and models survive a restart; unfinished jobs continue."""

from __future__ import annotations

import openai

from ftui.core.server.runner import SandboxThread
from tests.server.helpers import upload, wait_job

BASE = "gpt-4o-mini-2024-07-18"


async def test_state_survives_restart_and_jobs_resume(tmp_path, marv_path):
    data = tmp_path / "sandbox-data"
    first = SandboxThread(speed=400, data_dir=data)
    first.start()
    try:
        async with openai.AsyncOpenAI(base_url=first.base_url, api_key="k") as client:
            file = await upload(client, marv_path)
            done = await wait_job(client, (await client.fine_tuning.jobs.create(
                model=BASE, training_file=file.id, suffix="kept")).id)
            events_before = [e.id async for e in client.fine_tuning.jobs.list_events(done.id)]
        first.set_faults(None)
    finally:
        first.stop()

    slow = SandboxThread(speed=15, data_dir=data)  # stop this one while a job is running
    slow.start()
    try:
        async with openai.AsyncOpenAI(base_url=slow.base_url, api_key="k") as client:
            pending = await client.fine_tuning.jobs.create(model=BASE, training_file=file.id)
            await wait_job(client, pending.id, ("running",))
    finally:
        slow.stop()

    second = SandboxThread(speed=400, data_dir=data)
    second.start()
    try:
        async with openai.AsyncOpenAI(base_url=second.base_url, api_key="k") as client:
            assert (await client.files.retrieve(file.id)).bytes == marv_path.stat().st_size
            assert (await client.files.content(file.id)).content == marv_path.read_bytes()
            kept = await client.fine_tuning.jobs.retrieve(done.id)
            assert kept.status == "succeeded" and kept.fine_tuned_model == done.fine_tuned_model
            assert [e.id async for e in client.fine_tuning.jobs.list_events(done.id)] == events_before
            assert done.fine_tuned_model in [m.id for m in (await client.models.list()).data]
            question = "What's the capital of France?"
            reply = await client.chat.completions.create(
                model=done.fine_tuned_model, messages=[{"role": "user", "content": question}])
            assert reply.choices[0].message.content == _answer_for(marv_path, question)
            resumed = await wait_job(client, pending.id)
            assert resumed.status == "succeeded"
            steps = [e.data["step"] for e in (await client.fine_tuning.jobs.list_events(
                pending.id, limit=1000)).data if e.type == "metrics"]
            assert sorted(steps) == list(range(1, max(steps) + 1)), "no step lost or repeated"
    finally:
        second.stop()
    assert (data / "sandbox.sqlite3").exists()


def _answer_for(path, question: str) -> str:
    import json

    for line in path.read_text(encoding="utf-8").splitlines():
        messages = json.loads(line)["messages"]
        if any(m["role"] == "user" and m["content"] == question for m in messages):
            return messages[-1]["content"]
    return ""


def test_without_data_dir_the_temp_dir_is_removed():
    thread = SandboxThread(speed=100)
    thread.start()
    root = thread.handle.data_dir
    assert root.exists()
    thread.stop()
    assert not root.exists()
