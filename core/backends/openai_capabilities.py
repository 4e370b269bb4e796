"""What OpenAI's fine-tuning API (and everything that speaks it) supports, for the screens."""

from __future__ import annotations

from dataclasses import replace

from ftui.core.catalog import WIND_DOWN_NOTE
from ftui.core.types import Capabilities, CostModel, HyperparameterField

OPENAI_HYPERPARAMETERS: tuple[HyperparameterField, ...] = (
    HyperparameterField("n_epochs", "Epochs", "int", None, 1, 50),
    HyperparameterField("batch_size", "Batch size", "int", None, 1, 256),
    HyperparameterField("learning_rate_multiplier", "LR multiplier", "float", None, 0, 1e6,
                        help="scales the provider's default learning rate"),
    HyperparameterField("beta", "DPO beta", "float", None, 0, 2, shown_when={"method": "dpo"}),
)

OPENAI_CAPABILITIES = Capabilities(
    pause_resume=True,
    event_paging="cursor",
    metrics_source="events",
    checkpoints=True,
    deploy_before_chat=False,
    methods=("supervised", "dpo"),
    hyperparameters=OPENAI_HYPERPARAMETERS,
    training_cost=CostModel("per_token", note="dollars per trained token, from the price table"),
    extra_body=True,  # compatible services (Nebius, Azure) take extra fields
    refused_launch_note=WIND_DOWN_NOTE,
)

# Azure and other services speaking OpenAI's API: the same, but OpenAI's wind-down is not theirs.
COMPATIBLE_CAPABILITIES = replace(OPENAI_CAPABILITIES, refused_launch_note="")

# The local engine (core/local) speaks OpenAI's API and trains LoRA adapters on this machine:
# OpenAI's supervised fields plus its LoRA extras, sent inside the method's hyperparameters.
# The defaults are the engine's own (core.local.engine.LORA_DEFAULTS; a test keeps them equal).
LOCAL_HYPERPARAMETERS: tuple[HyperparameterField, ...] = OPENAI_HYPERPARAMETERS[:3] + (
    HyperparameterField("lora_r", "LoRA rank", "int", 8, 1, 256, help="adapter rank"),
    HyperparameterField("lora_alpha", "LoRA alpha", "float", 16, 0, 4096,
                        help="scale of the adapter's update"),
    HyperparameterField("lora_dropout", "LoRA dropout", "float", 0.05, 0, 0.9),
    HyperparameterField("lora_target_modules", "LoRA modules", "names", "all-linear",
                        help="all-linear, or e.g. q_proj, v_proj"),
)

LOCAL_CAPABILITIES = Capabilities(
    pause_resume=True,
    event_paging="cursor",
    metrics_source="events",
    checkpoints=True,
    deploy_before_chat=False,
    methods=("supervised",),  # DPO answers "not yet supported locally"
    hyperparameters=LOCAL_HYPERPARAMETERS,
    training_cost=CostModel("local_time", note="no charge: time on this machine, from its measured speed"),
    extra_body=False,
)
