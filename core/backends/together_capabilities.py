"""What Together's fine-tuning API supports, and its launch-form fields with the bounds and
defaults of one base model (from /fine-tunes/models/limits)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, TypedDict

from together.types.finetune_model_limits import FinetuneModelLimits

from ftui.core.types import Capabilities, CostModel
from ftui.core.types import HyperparameterField as F

_LORA = {"training_type": "Lora"}
_DPO = {"method": "dpo"}
_SFT = {"method": "supervised"}

# Defaults are the SDK's own (fine_tuning.create's keyword defaults); None: the server decides.
TOGETHER_HYPERPARAMETERS: tuple[F, ...] = (
    F("n_epochs", "Epochs", "int", 1, 1, 20),
    F("n_checkpoints", "Checkpoints", "int", 1, 1, 20),
    F("n_evals", "Evaluations", "int", 0, 0, 100, help="needs a validation file"),
    F("batch_size", "Batch size", "int", None, 1, 128, help="empty: the largest the model allows"),
    F("learning_rate", "Learning rate", "float", 1e-5, 1e-8, 1e-2),
    F("lr_scheduler_type", "LR scheduler", "choice", "cosine", choices=("cosine", "linear")),
    F("min_lr_ratio", "Min LR ratio", "float", 0.0, 0, 1),
    F("warmup_ratio", "Warmup ratio", "float", 0.0, 0, 1),
    F("max_grad_norm", "Max grad norm", "float", 1.0, 0, 100, help="0 disables clipping"),
    F("weight_decay", "Weight decay", "float", 0.0, 0, 10),
    F("training_type", "Training type", "choice", "Lora", choices=("Lora", "Full")),
    F("lora_r", "LoRA rank", "int", None, 1, 64, help="empty: the model's default rank",
      shown_when=_LORA),
    F("lora_alpha", "LoRA alpha", "int", None, 1, 512, help="empty: twice the rank",
      shown_when=_LORA),
    F("lora_dropout", "LoRA dropout", "float", 0.0, 0, 0.99, shown_when=_LORA),
    F("lora_trainable_modules", "LoRA modules", "string", "all-linear", shown_when=_LORA),
    F("train_on_inputs", "Train on inputs", "choice", "auto", choices=("auto", "true", "false"),
      shown_when=_SFT),
    F("dpo_beta", "DPO beta", "float", None, 0, 10, shown_when=_DPO),
)

TOGETHER_CAPABILITIES = Capabilities(
    pause_resume=False,
    event_paging="full_list",
    metrics_source="metrics",
    checkpoints=True,
    deploy_before_chat=True,
    methods=("supervised", "dpo"),
    hyperparameters=TOGETHER_HYPERPARAMETERS,
    per_model_limits=True,
    training_cost=CostModel("per_token", quoted=True,
                            note="Together prices each job (/fine-tunes/estimate-price)"),
    serving_cost=CostModel("per_minute", note="a dedicated endpoint bills every minute it runs, idle or not"),
    extra_body=False,  # fine_tuning.create builds its body itself and takes no extra_body
    delete_model_via_job=True,
    sdk="together",
)


class _FieldChange(TypedDict, total=False):
    """The parts of a launch field one base model's limits override."""

    default: Any
    minimum: float | None
    maximum: float | None
    choices: tuple[str, ...]
    help: str


def fields_for(limits: FinetuneModelLimits) -> list[F]:
    """The launch fields with this model's bounds and defaults."""
    lora = limits.lora_training
    full = limits.full_training
    batch_max = max(lora.max_batch_size, full.max_batch_size if full else 0)
    batch_min = min(lora.min_batch_size, full.min_batch_size if full else lora.min_batch_size)
    bounds: dict[str, _FieldChange] = {
        "n_epochs": {"maximum": limits.max_num_epochs},
        "n_checkpoints": {"maximum": limits.max_num_checkpoints},
        "n_evals": {"maximum": limits.max_num_evals},
        "batch_size": {"minimum": batch_min, "maximum": batch_max},
        "learning_rate": {"minimum": limits.min_learning_rate, "maximum": limits.max_learning_rate},
        "lora_r": {"maximum": lora.max_rank, "default": lora.default_rank},
        "lora_alpha": {"default": lora.default_rank * 2},
    }
    out: list[F] = []
    for f in TOGETHER_HYPERPARAMETERS:
        change = bounds.get(f.name, _FieldChange()).copy()
        if f.name == "training_type" and not limits.supports_full_training:
            change["choices"] = ("Lora",)
        if f.name == "lora_trainable_modules" and lora.target_modules:
            change["help"] = "all-linear or a comma list of " + ", ".join(lora.target_modules)
        out.append(replace(f, **change))
    return out
