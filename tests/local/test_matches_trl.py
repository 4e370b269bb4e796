"""A training step of the local engine is the step TRL's SFTTrainer takes.

From the same LoRA weights, over the same examples in the same order and without dropout, the loss of
every step is TRL's: same AdamW, linear schedule, gradient clipping, masking (the answer and its
end-of-turn token) and loss normalisation over a batch's labelled tokens, although ftui packs each
batch padding-free and computes logits only where a label is. What is left between the two is which
random draws each takes (LoRA's initial weights, the example order, dropout masks), which the bench's
loss-over-seeds row measures (tests/bench/bench_local.py).
"""

from __future__ import annotations

import json
from pathlib import Path

from ftui.core.local.trainer import BASE_LEARNING_RATE, Trainer, epoch_order
from tests.bench.trl_reference import sft_trainer
from tests.local.test_trainer import make_job
from tests.local.tiny_model import CONTEXT_LENGTH

EPOCHS, BATCH = 4, 4  # 12 examples: 3 steps an epoch, batches of 4 that TRL pads


def _trl_step_losses(job, initial: dict, rows: list[dict], order: list[int]) -> list[float]:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    folder = job.model["path"]
    # the examples in ftui's order, one pass: a sequential sampler then takes ftui's batches
    trainer = sft_trainer(AutoModelForCausalLM.from_pretrained(folder), AutoTokenizer.from_pretrained(folder),
                          [rows[i] for i in order], output_dir=str(Path(job.output_dir).parent / "trl"), epochs=1,
                          batch_size=BATCH, learning_rate=BASE_LEARNING_RATE * job.learning_rate_multiplier,
                          seed=job.seed, max_length=CONTEXT_LENGTH, lora_r=job.lora_r, lora_alpha=job.lora_alpha,
                          lora_dropout=0.0, sampling="sequential")
    parameters = dict(trainer.model.named_parameters())
    assert set(initial) == {name for name, p in parameters.items() if p.requires_grad}
    with torch.no_grad():
        for name, value in initial.items():
            parameters[name].copy_(value)
    trainer.train()
    return [entry["loss"] for entry in trainer.state.log_history if "loss" in entry]


def test_every_step_loss_is_trls_from_the_same_start(tmp_path, tiny_model_dir):
    job = make_job(tmp_path, tiny_model_dir, n_epochs=EPOCHS, batch_size=BATCH, lora_dropout=0.0)
    start = Trainer(job, lambda event: None)
    start._setup()  # the adapter the run below starts from: the same seed builds the same weights
    initial = {name: p.detach().clone() for name, p in start.model.named_parameters() if p.requires_grad}
    done = Trainer(job, lambda event: None).run()
    ours = [row["train_loss"] for row in done["rows"]]
    rows = [json.loads(line) for line in Path(job.training_file).read_text(encoding="utf-8").splitlines()]
    order = [i for epoch in range(EPOCHS) for i in epoch_order(job.seed, epoch, len(rows))]

    theirs = _trl_step_losses(job, initial, rows, order)

    assert len(ours) == len(theirs) == EPOCHS * len(rows) // BATCH
    assert ours[-1] < ours[0] - 0.3  # it trained: equal losses are not two runs that stood still
    gaps = [abs(a - b) for a, b in zip(ours, theirs)]
    assert max(gaps) < 1e-4, list(zip(ours, theirs))  # ours are rounded to 5 decimals
