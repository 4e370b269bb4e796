"""What OpenAI's fine-tuning API (and everything that speaks it) supports, for the screens."""

from __future__ import annotations

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
)
