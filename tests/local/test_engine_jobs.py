"""Real local training through the OpenAI-shaped server and the official openai client, on the tiny model.

Each job trains in its own child process (python -m ftui.core.local.worker), so these tests also prove the
process boundary: cancel kills it, pause holds it, a killed child fails only its job, and a server stopped
mid-training continues the job when started again on the same data dir.
"""

from __future__ import annotations

import asyncio
import csv
import io
import os
import time
from pathlib import Path

import openai
import pytest

from ftui.core.local.collate import encode_chat
from ftui.core.local.engine import LocalEngine
from ftui.core.local.models import discover_models, load_tokenizer
from ftui.core.server.context import PRIVATE
from ftui.core.server.runner import start_sandbox
from tests.local.style_data import style_rows, write_jsonl

TERMINAL = ("succeeded", "failed", "cancelled")


class Local:
    """A server with the local engine on a data dir, and an openai client for it."""

    def __init__(self, data_dir: Path, model_dir: Path) -> None:
        self.data_dir = data_dir
        self.models = discover_models([model_dir], hf_cache=False)
        self.model_id = model_dir.name

    async def __aenter__(self) -> Local:  # noqa: PYI034
        self.engine = LocalEngine(self.models, data_dir=self.data_dir, threads=1)
        self.handle = await start_sandbox(engine=self.engine, data_dir=self.data_dir)
        self.client = openai.AsyncOpenAI(base_url=self.handle.base_url, api_key="anything", max_retries=0)
        return self

    async def __aexit__(self, *exc) -> None:
        await self.client.close()
        await self.handle.stop()

    async def upload(self, rows: list[dict], name: str = "train.jsonl") -> str:
        path = write_jsonl(self.data_dir.parent / name, rows)
        return (await self.client.files.create(file=path.open("rb"), purpose="fine-tune")).id

    async def wait_for(self, job_id: str, test, timeout: float = 60.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            job = await self.client.fine_tuning.jobs.retrieve(job_id)
            if test(job):
                return job
            assert job.status not in TERMINAL or test(job), f"job ended {job.status}: {job.error}"
            await asyncio.sleep(0.05)
        raise AssertionError(f"timed out; job is {job.status}")

    def step(self, job_id: str) -> int:
        return self.handle.ctx.store.get("jobs", job_id)[PRIVATE].get("step", 0)

    async def metrics(self, job_id: str) -> list[dict]:
        events = await self.client.fine_tuning.jobs.list_events(job_id, limit=1000)
        return [e.data for e in reversed(events.data) if e.type == "metrics"]

    async def messages(self, job_id: str) -> list[str]:
        events = await self.client.fine_tuning.jobs.list_events(job_id, limit=1000)
        return [e.message for e in reversed(events.data)]


def hp(**values) -> dict:
    return {"type": "supervised", "supervised": {"hyperparameters": values}}


async def test_a_job_trains_for_real_with_metrics_checkpoints_and_a_model(tmp_path, tiny_model_dir):
    async with Local(tmp_path / "data", tiny_model_dir) as local:
        train = await local.upload(style_rows(20))
        valid = await local.upload(style_rows(10), "valid.jsonl")
        job = await local.client.fine_tuning.jobs.create(
            model=local.model_id, training_file=train, validation_file=valid, suffix="pirate", seed=7,
            method=hp(n_epochs=4, batch_size=4, learning_rate_multiplier=25, lora_r=4))
        job = await local.wait_for(job.id, lambda j: j.status in TERMINAL)
        assert job.status == "succeeded", job.error
        assert job.fine_tuned_model == f"ft:{local.model_id}:local:pirate:{job.id[-8:]}"
        assert job.method.supervised.hyperparameters.to_dict()["lora_r"] == 4
        rows = await local.metrics(job.id)
        assert [r["step"] for r in rows] == list(range(1, 21)) and all(r["total_steps"] == 20 for r in rows)
        assert {"train_loss", "train_mean_token_accuracy", "valid_loss", "valid_mean_token_accuracy"} <= set(rows[0])
        assert [r["step"] for r in rows if "full_valid_loss" in r] == [5, 10, 15, 20]
        first, last = (sum(r["train_loss"] for r in part) / 5 for part in (rows[:5], rows[-5:]))
        assert last < first - 0.3, (first, last)
        checkpoints = await local.client.fine_tuning.jobs.checkpoints.list(job.id)
        assert sorted(c.step_number for c in checkpoints.data) == [10, 15, 20]
        for ckpt in checkpoints.data:
            record = local.handle.ctx.store.find("checkpoints", "model = ?",
                                                 (ckpt.fine_tuned_model_checkpoint,))[0]
            folder = Path(record[PRIVATE]["adapter"])
            assert folder == tmp_path / "data" / "adapters" / job.id / f"step-{ckpt.step_number}"
            assert (folder / "adapter_model.safetensors").is_file() and (folder / "optimizer.pt").is_file()
        model = local.handle.ctx.store.get("models", job.fine_tuned_model)
        assert model[PRIVATE]["adapter"] == str(tmp_path / "data" / "adapters" / job.id / "final")
        assert (Path(model[PRIVATE]["adapter"]) / "adapter_config.json").is_file()
        tokenizer = load_tokenizer(local.models[-1])
        per_epoch = sum(len(encode_chat(tokenizer, r["messages"], max_tokens=10**6).input_ids) for r in style_rows(20))
        assert job.trained_tokens == 4 * per_epoch
        result = await local.client.files.content(job.result_files[0])
        table = list(csv.DictReader(io.StringIO(result.text)))
        assert len(table) == 20 and float(table[-1]["train_loss"]) == rows[-1]["train_loss"]


async def test_bad_requests_get_clear_400s(tmp_path, tiny_model_dir):
    async with Local(tmp_path / "data", tiny_model_dir) as local:
        train = await local.upload(style_rows(10))
        cases = [
            ({"model": "gpt-4o-mini-2024-07-18"}, "not a local base model"),
            ({"model": local.model_id, "method": {"type": "dpo"}}, "not yet supported locally"),
            ({"model": local.model_id, "method": hp(lora_r=0)}, "lora_r"),
            ({"model": local.model_id, "method": hp(lora_dropout=1.5)}, "lora_dropout"),
            ({"model": local.model_id, "method": hp(lora_target_modules="q_proj")}, "lora_target_modules"),
            ({"model": local.model_id, "method": hp(lora_rank=4)}, "Unknown hyperparameter"),
        ]
        for body, expected in cases:
            with pytest.raises(openai.BadRequestError, match=expected):
                await local.client.fine_tuning.jobs.create(training_file=train, **body)
        # LoRA extras also go through the legacy top-level hyperparameters (extra_body), and show on the job
        job = await local.client.fine_tuning.jobs.create(
            model=local.model_id, training_file=train,
            extra_body={"hyperparameters": {"n_epochs": 1, "lora_alpha": 8}})
        await local.client.fine_tuning.jobs.cancel(job.id)
        assert job.method.supervised.hyperparameters.to_dict()["lora_alpha"] == 8


async def test_queue_order_pause_resume_cancel_and_a_killed_child(tmp_path, tiny_model_dir):
    async with Local(tmp_path / "data", tiny_model_dir) as local:
        train = await local.upload(style_rows(20))
        first = await local.client.fine_tuning.jobs.create(
            model=local.model_id, training_file=train, method=hp(n_epochs=50, batch_size=1))
        second = await local.client.fine_tuning.jobs.create(
            model=local.model_id, training_file=train, method=hp(n_epochs=20, batch_size=1))
        await local.wait_for(first.id, lambda j: j.status == "running" and local.step(first.id) >= 3)
        assert (await local.client.fine_tuning.jobs.retrieve(second.id)).status == "queued"
        child = local.engine.children[first.id]

        await local.client.fine_tuning.jobs.pause(first.id)
        paused_at = None
        while paused_at is None:
            texts = await local.messages(first.id)
            paused_at = next((int(t.rsplit(" ", 1)[1]) for t in texts if t.startswith("Training paused after")), None)
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)
        assert local.step(first.id) == paused_at  # it really holds
        await local.client.fine_tuning.jobs.resume(first.id)
        await local.wait_for(first.id, lambda j: local.step(first.id) >= paused_at + 3)
        steps = [r["step"] for r in await local.metrics(first.id)]
        assert steps == list(range(1, len(steps) + 1))  # numbering continues, nothing restarted
        assert local.engine.children[first.id] is child  # the same process, so the same optimizer

        await local.client.fine_tuning.jobs.cancel(first.id)
        started = time.monotonic()
        await child.wait()
        assert time.monotonic() - started < 2.0
        assert (await local.client.fine_tuning.jobs.retrieve(first.id)).status == "cancelled"

        # the queue moves on; killing that job's child fails only that job, and the server keeps answering
        await local.wait_for(second.id, lambda j: j.status == "running" and local.step(second.id) >= 1)
        local.engine.children[second.id].kill()
        job = await local.wait_for(second.id, lambda j: j.status in TERMINAL)
        assert job.status == "failed" and "killed by signal SIGKILL" in job.error.message
        assert "out-of-memory killer" in job.error.message  # the likeliest cause, said
        assert job.error.code == "training_failed"
        assert {j.id for j in (await local.client.fine_tuning.jobs.list()).data} == {first.id, second.id}


async def test_a_server_stopped_mid_training_continues_the_job_on_restart(tmp_path, tiny_model_dir):
    data = tmp_path / "data"
    async with Local(data, tiny_model_dir) as local:
        train = await local.upload(style_rows(20))
        job = await local.client.fine_tuning.jobs.create(
            model=local.model_id, training_file=train, method=hp(n_epochs=3, batch_size=1))
        await local.wait_for(job.id, lambda j: local.step(job.id) >= 13)  # a resume state is saved at 10
    async with Local(data, tiny_model_dir) as local:
        done = await local.wait_for(job.id, lambda j: j.status in TERMINAL)
        assert done.status == "succeeded", done.error
        texts = await local.messages(job.id)
        resumed = [t for t in texts if t.startswith("Resuming from step")]
        assert resumed and int(resumed[0].split()[3]) >= 10
        checkpoints = await local.client.fine_tuning.jobs.checkpoints.list(job.id)
        assert sorted(c.step_number for c in checkpoints.data) == [20, 40, 60]
        assert (data / "adapters" / job.id / "final" / "adapter_model.safetensors").is_file()


def _workers_of(job_id: str) -> list[int]:
    """Worker processes still training `job_id` (found by their job.json argument)."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            command = (proc / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if "ftui.core.local.worker" in command and job_id in command:
            found.append(int(proc.name))
    return found


@pytest.mark.slow  # two servers and two workers start: about 35 s on a busy 2-core machine
@pytest.mark.timeout(600)
def test_after_a_sigkill_of_the_server_a_restart_finishes_the_job(tmp_path, tiny_model_dir):
    import os
    import signal
    import subprocess
    import sys

    data = tmp_path / "data"
    root = Path(__file__).resolve().parents[2]

    def serve() -> tuple[subprocess.Popen, openai.OpenAI]:
        server = subprocess.Popen([sys.executable, "-m", "tests.local.serve_local", str(data), str(tiny_model_dir)],
                                  cwd=root, stdout=subprocess.PIPE, text=True)
        base_url = server.stdout.readline().strip()
        assert base_url.startswith("http://127.0.0.1:"), base_url
        return server, openai.OpenAI(base_url=base_url, api_key="anything", max_retries=0)

    def wait(client, job_id, test, timeout=90.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            job = client.fine_tuning.jobs.retrieve(job_id)
            if test(job):
                return job
            time.sleep(0.1)
        raise AssertionError(f"timed out; job is {job.status}")

    def steps(client, job_id):
        events = client.fine_tuning.jobs.list_events(job_id, limit=1000).data
        return [e.data["step"] for e in events if e.type == "metrics"]

    server, client = serve()
    try:
        path = write_jsonl(tmp_path / "train.jsonl", style_rows(20))
        file_id = client.files.create(file=path.open("rb"), purpose="fine-tune").id
        job = client.fine_tuning.jobs.create(model=tiny_model_dir.name, training_file=file_id,
                                             method=hp(n_epochs=3, batch_size=1))
        wait(client, job.id, lambda j: max(steps(client, job.id), default=0) >= 13)
    finally:
        os.kill(server.pid, signal.SIGKILL)
        server.wait()
    deadline = time.monotonic() + 10
    while _workers_of(job.id) and time.monotonic() < deadline:  # the orphaned worker sees stdin close
        time.sleep(0.1)
    assert not _workers_of(job.id)

    server, client = serve()
    try:
        done = wait(client, job.id, lambda j: j.status in TERMINAL)
        assert done.status == "succeeded", done.error
        texts = [e.message for e in client.fine_tuning.jobs.list_events(job.id, limit=1000).data]
        # The resume state is saved every 10 steps: the kill came after step 13, so it resumes from a multiple
        # of 10 at or past 10 (how far past depends on how fast the steps ran before the kill landed).
        resumed = [int(t.split()[3]) for t in texts if t.startswith("Resuming from step")]
        assert resumed and resumed[0] >= 10, texts
        assert sorted(c.step_number for c in client.fine_tuning.jobs.checkpoints.list(job.id).data) == [20, 40, 60]
        assert done.fine_tuned_model == f"ft:{tiny_model_dir.name}:local::{job.id[-8:]}"
        assert (data / "adapters" / job.id / "final" / "adapter_model.safetensors").is_file()
    finally:
        server.kill()
        server.wait()


@pytest.mark.slow  # SmolLM2-135M, ~100 steps on CPU: 2 minutes on an idle 2-core machine, more when busy
@pytest.mark.timeout(1800)
async def test_smollm2_learns_a_style_with_default_hyperparameters(tmp_path):
    """The whole local loop on the bundled model, as a user's script would run it: upload, a job with default
    hyperparameters, the loss falls, the tuned model answers held-out prompts in the trained style through chat,
    and its merged export answers the same way when plain transformers loads it in another process."""
    import subprocess
    import sys

    from ftui.core.local.export import export_model
    from ftui.core.local.models import BUNDLED_ID
    from ftui.core.local.server import start_local

    data = tmp_path / "data"
    handle = await start_local(data_dir=data, device="cpu", threads=2)
    client = openai.AsyncOpenAI(base_url=handle.base_url, api_key="anything", max_retries=0, timeout=600)
    held_out = ["What is a mountain?", "Why is snow white?"]  # not in the training questions
    system = {"role": "system", "content": "You answer questions."}
    try:
        path = write_jsonl(tmp_path / "style.jsonl", style_rows(20))
        file_id = (await client.files.create(file=path.open("rb"), purpose="fine-tune")).id
        job = await client.fine_tuning.jobs.create(model=BUNDLED_ID, training_file=file_id)
        deadline = time.monotonic() + 1500
        while (job := await client.fine_tuning.jobs.retrieve(job.id)).status not in TERMINAL:
            assert time.monotonic() < deadline
            await asyncio.sleep(1)
        assert job.status == "succeeded", job.error
        events = (await client.fine_tuning.jobs.list_events(job.id, limit=1000)).data
        losses = [e.data["train_loss"] for e in reversed(events) if e.type == "metrics"]
        assert len(losses) == job.hyperparameters.n_epochs * 20  # auto batch size is 1 for 20 examples
        assert sum(losses[-10:]) < 0.5 * sum(losses[:10]), (losses[:10], losses[-10:])
        for question in held_out:
            for model, styled in ((job.fine_tuned_model, True), (BUNDLED_ID, False)):
                answer = await client.chat.completions.create(
                    model=model, messages=[system, {"role": "user", "content": question}],
                    temperature=0, max_completion_tokens=12)
                text = answer.choices[0].message.content or ""
                assert text.startswith("Arr, matey!") is styled, (model, question, text)
        merged = tmp_path / "merged"
        await asyncio.to_thread(export_model, data, job.fine_tuned_model, merged, merged=True, models=handle.models)
    finally:
        await client.close()
        await handle.stop()
    script = (
        "import sys\nfrom transformers import AutoModelForCausalLM, AutoTokenizer\n"
        "tok = AutoTokenizer.from_pretrained(sys.argv[1])\n"
        "model = AutoModelForCausalLM.from_pretrained(sys.argv[1])\n"
        "messages = [{'role': 'system', 'content': 'You answer questions.'},\n"
        "            {'role': 'user', 'content': sys.argv[2]}]\n"
        "ids = tok.apply_chat_template(messages, add_generation_prompt=True, return_tensors='pt', return_dict=True)\n"
        "out = model.generate(**ids, max_new_tokens=8, do_sample=False)\n"
        "print(tok.decode(out[0, ids['input_ids'].shape[1]:], skip_special_tokens=True))\n")
    done = subprocess.run([sys.executable, "-c", script, str(merged), held_out[0]], capture_output=True,
                          text=True, timeout=600, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().startswith("Arr, matey!"), done.stdout
