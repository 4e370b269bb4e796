"""The training loop in-process on the tiny model: loss falls, checkpoints, exact resume, packing."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import pytest

from ftui.core.local.collate import encode_chat
from ftui.core.local.models import LocalModelError, discover_models
from ftui.core.local.trainer import BASE_LEARNING_RATE, Trainer, TrainJob, step_examples
from tests.local.style_data import style_rows, write_jsonl


class Stop(Exception):
    pass


def make_job(tmp_path: Path, model_dir: Path, **changes) -> TrainJob:
    model = discover_models([model_dir], hf_cache=False)[-1]
    tmp_path.mkdir(parents=True, exist_ok=True)
    data = write_jsonl(tmp_path / "train.jsonl", style_rows(12))
    output = tmp_path / "data" / "adapters" / "ftjob-test"
    output.mkdir(parents=True, exist_ok=True)
    fields = {"job_id": "ftjob-test", "model": {**asdict(model), "path": str(model.path)},
                  "training_file": str(data), "output_dir": str(output), "n_epochs": 4, "batch_size": 4,
                  "learning_rate_multiplier": 25.0, "seed": 3, "threads": 1, "resume_every_steps": 5}
    fields.update(changes)
    return TrainJob(**fields)


def run(job: TrainJob, stop_after: int | None = None) -> tuple[list[dict], dict | None]:
    events: list[dict] = []

    def between(step: int) -> None:
        if stop_after is not None and step >= stop_after:
            raise Stop

    try:
        Trainer(job, events.append, between).run()
    except Stop:
        return events, None
    return events, events[-1]


def test_loss_falls_and_checkpoints_keep_the_last_three_epochs(tmp_path, tiny_model_dir):
    job = make_job(tmp_path, tiny_model_dir)
    events, done = run(job)
    rows = done["rows"]
    assert [r["step"] for r in rows] == list(range(1, 13))
    assert sum(r["train_loss"] for r in rows[-3:]) < sum(r["train_loss"] for r in rows[:3]) - 0.5
    assert [e["step"] for e in events if e["type"] == "checkpoint"] == [6, 9, 12]
    output = Path(job.output_dir)
    assert sorted(p.name for p in output.iterdir() if p.name.startswith("step-")) == ["step-12", "step-6", "step-9"]
    assert (output / "step-6" / "optimizer.pt").is_file()
    assert (output / "final" / "adapter_model.safetensors").is_file()
    started = next(e for e in events if e["type"] == "started")
    assert started["learning_rate"] == pytest.approx(BASE_LEARNING_RATE * 25)


def test_a_run_stopped_midway_resumes_exactly_where_it_was(tmp_path, tiny_model_dir):
    import torch
    from safetensors.torch import load_file

    whole = make_job(tmp_path / "whole", tiny_model_dir)
    _, expected = run(whole)
    broken = make_job(tmp_path / "broken", tiny_model_dir)
    _, done = run(broken, stop_after=7)  # resume states are saved every 5 steps and at epoch ends (3, 5, 6)
    assert done is None
    events, done = run(broken)
    assert any(e.get("message") == "Resuming from step 6 of 12" for e in events)
    assert [r["step"] for r in done["rows"]] == list(range(1, 13))
    assert done["rows"][-1]["train_loss"] == expected["rows"][-1]["train_loss"]
    ours = load_file(Path(broken.output_dir) / "final" / "adapter_model.safetensors")
    theirs = load_file(Path(whole.output_dir) / "final" / "adapter_model.safetensors")
    assert ours.keys() == theirs.keys()
    assert all(torch.equal(ours[k], theirs[k]) for k in ours)


def test_packed_batches_give_the_same_loss_as_one_example_at_a_time(tmp_path, tiny_model_dir):
    import torch

    trainer = Trainer(make_job(tmp_path, tiny_model_dir), lambda e: None)
    trainer._setup()
    examples = step_examples(trainer.examples, 3, 1, 4)
    trainer.model.eval()
    with torch.no_grad():
        packed, _, count = trainer._loss_sums(examples)
        alone = [trainer._loss_sums([e]) for e in examples]
    assert count.item() == sum(n.item() for _, _, n in alone)
    assert packed.item() == pytest.approx(sum(loss.item() for loss, _, _ in alone), rel=1e-4)


def test_unknown_target_modules_are_a_clear_error(tmp_path, tiny_model_dir):
    job = make_job(tmp_path, tiny_model_dir, lora_target_modules=["nope_proj"])
    with pytest.raises(LocalModelError, match="lora_target_modules"):
        run(job)


def test_encode_is_what_the_trainer_counts(tmp_path, tiny_model_dir):
    job = make_job(tmp_path, tiny_model_dir, n_epochs=1)
    trainer = Trainer(job, lambda e: None)
    _, done = run(job)
    trainer._setup()
    per_epoch = sum(len(encode_chat(trainer.tokenizer, r["messages"], max_tokens=10**6).input_ids)
                    for r in style_rows(12))
    assert done["trained_tokens"] == per_epoch


def _has_cuda() -> bool:
    import torch

    return torch.cuda.is_available()


@pytest.mark.skipif(not _has_cuda(), reason="needs a CUDA GPU")
def test_the_same_loop_trains_on_cuda(tmp_path, tiny_model_dir):
    job = make_job(tmp_path, tiny_model_dir, device="cuda")
    _, done = run(job)
    rows = done["rows"]
    assert rows[-1]["train_loss"] < rows[0]["train_loss"]
