"""The Together base models the sandbox offers for fine-tuning, with their limits."""

from __future__ import annotations

from typing import Any

FINE_TUNABLE = (
    "meta-llama/Meta-Llama-3.1-8B-Instruct-Reference",
    "Qwen/Qwen2.5-7B-Instruct",
)
PROJECT_SLUG = "sandbox"


def limits(model: str) -> dict[str, Any]:
    """GET /v1/fine-tunes/models/limits for a supported model (FineTuneModelLimits)."""
    return {
        "model_name": model, "max_num_epochs": 20, "max_num_evals": 100,
        "max_num_checkpoints": 20, "max_learning_rate": 1.0, "min_learning_rate": 1e-8,
        "max_seq_length_sft": 8192, "max_seq_length_dpo": 8192, "min_max_seq_length": 512,
        "default_gradient_accumulation_steps": 1, "merge_output_lora": True,
        "supports_vision": False, "supports_tools": True, "supports_reasoning": False,
        "supports_full_training": True,
        "full_training": {"max_batch_size": 96, "max_batch_size_dpo": 48, "min_batch_size": 8},
        "lora_training": {"max_batch_size": 128, "max_batch_size_dpo": 64, "min_batch_size": 8,
                          "max_rank": 64, "default_rank": 16,
                          "target_modules": ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj",
                                             "up_proj", "down_proj"]},
    }


PRICE_PER_MILLION_TOKENS = 0.48  # dollars, what the sandbox pretends LoRA SFT costs
PROJECT_ID = "proj_sandbox"
ORGANIZATION_ID = "org_sandbox"

# GET /v2/public/inference-instance-types: what a dedicated endpoint can run on, with
# Together-like prices (cents per hour, one replica).
HARDWARE = (
    {"id": "it_l40s_1", "name": "1xnvidia-l40s-48gb", "gpuType": "nvidia-l40s", "gpuCount": 1,
     "gpuMemoryGib": 48, "priceCentsPerHour": 145, "description": "1x L40S 48GB"},
    {"id": "it_h100_1", "name": "1xnvidia-h100-80gb", "gpuType": "nvidia-h100-80gb", "gpuCount": 1,
     "gpuMemoryGib": 80, "priceCentsPerHour": 329, "description": "1x H100 80GB"},
    {"id": "it_h100_2", "name": "2xnvidia-h100-80gb", "gpuType": "nvidia-h100-80gb", "gpuCount": 2,
     "gpuMemoryGib": 80, "priceCentsPerHour": 658, "description": "2x H100 80GB"},
)
PROVISION_SECONDS = 60.0  # simulated seconds from create to READY (scaled by --speed)
STOP_SECONDS = 10.0  # from a stop (zero replicas) to STOPPED
