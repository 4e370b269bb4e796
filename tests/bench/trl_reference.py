"""The peer the local engine is measured against: what a user would otherwise write, Hugging Face TRL's
SFTTrainer with the same PEFT LoRA config, model, data, epochs, batch size and learning rate.

Run as its own process by bench_local (`python -m tests.bench.trl_reference SETTINGS.json`), so its memory
is its own; prints one JSON line: trained tokens per second, train seconds, final loss, peak RSS.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

from ftui.core.local.trainer import MAX_GRAD_NORM


def sft_trainer(model, tokenizer, rows: list[dict], *, output_dir: str, epochs: int, batch_size: int,
                learning_rate: float, seed: int, max_length: int, lora_r: int, lora_alpha: int,
                lora_dropout: float, sampling: str = "random"):
    """TRL's SFTTrainer set up as ftui's job is: the same LoRA, optimizer settings, schedule and targets.
    tests/local/test_matches_trl.py takes it with sequential sampling to compare step by step."""
    from datasets import Dataset
    from peft import LoraConfig
    from trl import SFTConfig, SFTTrainer

    # Prompt-completion rows as text: TRL then computes the loss on the completion only, and the completion is
    # exactly what the local engine (and OpenAI) trains: the answer and its end-of-turn token. A conversational
    # completion would also hold the template's newline after <|im_end|>, an almost free token that lowers the
    # mean loss by itself (20 of 320 tokens here: 0.127 read as 0.119).
    dataset = Dataset.from_list([{
        "prompt": tokenizer.apply_chat_template(r["messages"][:-1], tokenize=False, add_generation_prompt=True),
        "completion": r["messages"][-1]["content"] + tokenizer.eos_token} for r in rows])
    config = SFTConfig(
        output_dir=output_dir, num_train_epochs=epochs, per_device_train_batch_size=batch_size,
        learning_rate=learning_rate, lr_scheduler_type="linear", warmup_steps=0, weight_decay=0.0,
        max_grad_norm=MAX_GRAD_NORM, train_sampling_strategy=sampling, logging_steps=1, save_strategy="no",
        report_to=[], seed=seed, use_cpu=True, dataloader_num_workers=0, max_length=max_length, packing=False,
        bf16=False, fp16=False)
    lora = LoraConfig(r=lora_r, lora_alpha=lora_alpha, lora_dropout=lora_dropout, target_modules="all-linear",
                      task_type="CAUSAL_LM", bias="none")
    return SFTTrainer(model=model, args=config, train_dataset=dataset, processing_class=tokenizer, peft_config=lora)


def main(settings_path: str) -> None:
    settings = json.loads(Path(settings_path).read_text(encoding="utf-8"))
    import torch

    from ftui.core.local.models import LocalModel, converted_copy, load_model

    torch.set_num_threads(settings["threads"])
    described = LocalModel(**dict(settings["model"], path=Path(settings["model"]["path"])))
    # Trainers refuse a model still marked as loaded from GGUF; the engine trains the same plain copy.
    plain = converted_copy(described, Path(settings["output_dir"]).parent / "converted")
    model, tokenizer = load_model(plain, device="cpu")
    rows = [json.loads(line) for line in Path(settings["data"]).read_text(encoding="utf-8").splitlines()]
    trainer = sft_trainer(model, tokenizer, rows, output_dir=settings["output_dir"], epochs=settings["epochs"],
                          batch_size=settings["batch_size"], learning_rate=settings["learning_rate"],
                          seed=settings["seed"], max_length=settings["max_length"], lora_r=settings["lora_r"],
                          lora_alpha=settings["lora_alpha"], lora_dropout=settings["lora_dropout"])
    start = time.perf_counter()
    trainer.train()
    seconds = time.perf_counter() - start
    losses = [entry["loss"] for entry in trainer.state.log_history if "loss" in entry]
    print(json.dumps({
        "seconds": seconds, "tokens": settings["tokens"],
        "tokens_per_second": settings["tokens"] / seconds,
        "final_loss": sum(losses[-settings["last_epoch_steps"]:]) / len(losses[-settings["last_epoch_steps"]:])
        if losses else None,
        "steps": trainer.state.global_step,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
