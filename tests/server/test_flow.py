"""The seed's whole flow through the official client, every body checked against the spec."""

from __future__ import annotations

import json

from tests.server.helpers import checked, sse_chunks, wait_job

BASE = "gpt-4o-mini-2024-07-18"


def training_pairs(path):
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        messages = json.loads(line)["messages"]
        user = [m["content"] for m in messages if m["role"] == "user"][-1]
        pairs.append((user, messages[-1]["content"]))
    return pairs


async def test_upload_train_chat_delete(client, marv_path):
    files = client.files.with_raw_response
    jobs = client.fine_tuning.jobs.with_raw_response

    file = checked("createFile", await files.create(file=marv_path, purpose="fine-tune"))
    assert file["purpose"] == "fine-tune" and file["bytes"] == marv_path.stat().st_size
    assert checked("retrieveFile", await files.retrieve(file["id"]))["id"] == file["id"]
    listed = checked("listFiles", await files.list(purpose="fine-tune"))
    assert [f["id"] for f in listed["data"]] == [file["id"]]
    content = await client.files.content(file["id"])
    assert content.content == marv_path.read_bytes()

    job = checked("createFineTuningJob", await jobs.create(
        model=BASE, training_file=file["id"], suffix="marv", seed=7, metadata={"run": "flow"}))
    assert job["status"] == "validating_files" and job["seed"] == 7
    assert checked("retrieveFineTuningJob", await jobs.retrieve(job["id"]))["id"] == job["id"]
    page = checked("listPaginatedFineTuningJobs", await jobs.list(limit=5))
    assert page["data"][0]["id"] == job["id"]

    done = await wait_job(client, job["id"])
    final = checked("retrieveFineTuningJob", await jobs.retrieve(job["id"]))
    assert done.status == "succeeded", done.error
    examples = len(training_pairs(marv_path))
    epochs = final["hyperparameters"]["n_epochs"]
    assert examples * epochs >= 100 and final["trained_tokens"] > 0
    model = final["fine_tuned_model"]
    assert model == f"ft:{BASE}:sandbox:marv:{job['id'][-8:]}"

    events = checked("listFineTuningEvents", await jobs.list_events(job["id"], limit=1000))
    messages = [e["message"] for e in events["data"]]
    assert messages[0] == "The job has successfully completed"  # newest first
    assert messages[-1] == f"Created fine-tuning job: {job['id']}"
    metrics = [e["data"] for e in reversed(events["data"]) if e.get("type") == "metrics"]
    assert metrics and metrics[-1]["step"] == metrics[-1]["total_steps"]
    tenth = max(1, len(metrics) // 10)
    first = sum(m["train_loss"] for m in metrics[:tenth]) / tenth
    last = sum(m["train_loss"] for m in metrics[-tenth:]) / tenth
    assert last < first / 2, "loss should fall over the run"

    ckpts = checked("listFineTuningJobCheckpoints",
                    await client.fine_tuning.jobs.checkpoints.with_raw_response.list(job["id"]))
    assert len(ckpts["data"]) == min(3, epochs)
    steps = [c["step_number"] for c in ckpts["data"]]
    assert steps == sorted(steps, reverse=True) and steps[0] == metrics[-1]["total_steps"]
    assert ckpts["data"][0]["fine_tuned_model_checkpoint"] == f"{model}:ckpt-step-{steps[0]}"

    result_id = final["result_files"][0]
    result = checked("retrieveFile", await files.retrieve(result_id))
    assert result["purpose"] == "fine-tune-results"
    csv_text = (await client.files.content(result_id)).text
    assert csv_text.splitlines()[0] == "step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy"
    assert len(csv_text.splitlines()) == 1 + metrics[-1]["total_steps"]

    models = checked("listModels", await client.models.with_raw_response.list())
    assert model in [m["id"] for m in models["data"]]
    assert checked("retrieveModel", await client.models.with_raw_response.retrieve(model))["owned_by"]

    question, trained_answer = training_pairs(marv_path)[3]
    chat = client.chat.completions.with_raw_response
    tuned = checked("createChatCompletion", await chat.create(
        model=model, messages=[{"role": "user", "content": question}]))
    assert tuned["choices"][0]["message"]["content"] == trained_answer
    base = checked("createChatCompletion", await chat.create(
        model=BASE, messages=[{"role": "user", "content": question}]))
    assert base["choices"][0]["message"]["content"] != trained_answer
    ckpt = checked("createChatCompletion", await chat.create(
        model=ckpts["data"][-1]["fine_tuned_model_checkpoint"],
        messages=[{"role": "user", "content": question}]))
    assert ckpt["choices"][0]["message"]["content"] == trained_answer

    async with client.chat.completions.with_streaming_response.create(
            model=model, messages=[{"role": "user", "content": question}], stream=True,
            stream_options={"include_usage": True}) as response:
        chunks, done = sse_chunks([line async for line in response.iter_lines()])
    assert done
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])
    assert text == trained_answer
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"]["completion_tokens"] > 0

    deleted = checked("deleteModel", await client.models.with_raw_response.delete(model))
    assert deleted == {"id": model, "object": "model", "deleted": True}
    models = checked("listModels", await client.models.with_raw_response.list())
    assert model not in [m["id"] for m in models["data"]]

    gone = checked("deleteFile", await files.delete(file["id"]))
    assert gone["deleted"] is True


def test_sync_client_reaches_the_same_api(sync_client, marv_path):
    file = sync_client.files.create(file=marv_path, purpose="fine-tune")
    raw = sync_client.fine_tuning.jobs.with_raw_response.create(model=BASE, training_file=file.id)
    job = checked("createFineTuningJob", raw)
    assert job["hyperparameters"]["n_epochs"] == "auto"
    reply = sync_client.chat.completions.create(model="gpt-4.1-nano-2025-04-14",
                                                messages=[{"role": "user", "content": "Hello there"}])
    assert reply.choices[0].message.content and reply.usage.total_tokens > 0
