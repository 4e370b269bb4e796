"""Fine-tuned models for the chat and export tests, made without training: a PEFT LoRA adapter on
the tiny model with its B weights perturbed (so it answers differently from the base), saved in the
local engine's adapter layout and recorded in the server's store the way a finished job records it."""

from __future__ import annotations

from pathlib import Path

from ftui.core.local.models import adapter_dir
from ftui.core.server.context import ORGANIZATION, PRIVATE
from ftui.core.server.ids import now
from ftui.core.server.store import Store


def make_adapter(model_dir: Path, folder: Path, *, seed: int, scale: float = 0.5) -> Path:
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    base = AutoModelForCausalLM.from_pretrained(model_dir)
    config = LoraConfig(r=4, lora_alpha=8, target_modules="all-linear", task_type="CAUSAL_LM")
    tuned = get_peft_model(base, config)
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, param in tuned.named_parameters():
            if "lora_B" in name:  # zero at init, which would make the adapter a no-op
                param.copy_(torch.randn(param.shape, generator=generator) * scale)
    tuned.save_pretrained(folder)
    return folder


def register_fine_tune(store: Store, *, base: str, job_id: str, suffix: str = "t") -> str:
    """A finished job's records: the job, and the model whose adapter is at final/."""
    name = f"ft:{base}:local:{suffix}:{job_id[-8:]}"
    store.put("jobs", {"id": job_id, "object": "fine_tuning.job", "model": base,
                       "fine_tuned_model": name, "status": "succeeded"})
    store.put("models", {"id": name, "object": "model", "created": now(), "owned_by": ORGANIZATION,
                         PRIVATE: {"job_id": job_id, "base": base,
                                   "adapter": str(adapter_dir(store.root, job_id))}}, job_id=job_id)
    return name


def register_checkpoint(store: Store, *, fine_tune: str, job_id: str, step: int) -> str:
    """A checkpoint record as the job runner writes it; its adapter is found by the layout alone."""
    name = f"{fine_tune}:ckpt-step-{step}"
    store.put("checkpoints", {"object": "fine_tuning.job.checkpoint", "id": f"ftckpt_{job_id}{step}",
                              "created_at": now(), "fine_tuned_model_checkpoint": name,
                              "fine_tuning_job_id": job_id, "metrics": {}, "step_number": step},
              job_id=job_id, model=name)
    return name
