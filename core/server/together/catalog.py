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
