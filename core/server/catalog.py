"""The base models the sandbox serves: OpenAI's, with the fine-tunable flag and shutdown dates
taken from the one catalog (core/catalog.py), so the sandbox and the real backend agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from ftui.core.catalog import FINE_TUNABLE_BASE_MODELS, shutdown_date


@dataclass(frozen=True)
class BaseModel:
    id: str
    created: int
    owned_by: str = "system"

    @property
    def fine_tunable(self) -> bool:
        return self.id in FINE_TUNABLE_BASE_MODELS

    @property
    def shutdown_date(self) -> str | None:
        return shutdown_date(self.id)


BASE_MODELS: tuple[BaseModel, ...] = (
    BaseModel("gpt-4o-mini-2024-07-18", 1721172717),
    BaseModel("gpt-4o-2024-08-06", 1722814719),
    BaseModel("gpt-4.1-2025-04-14", 1744315746),
    BaseModel("gpt-4.1-mini-2025-04-14", 1744317547),
    BaseModel("gpt-4.1-nano-2025-04-14", 1744321025),
    BaseModel("gpt-3.5-turbo-0125", 1706048358),
    # Aliases: chat works, fine-tuning needs the dated snapshot.
    BaseModel("gpt-4o", 1715367049),
    BaseModel("gpt-4o-mini", 1721172741),
)

BASE_MODELS_BY_ID: dict[str, BaseModel] = {m.id: m for m in BASE_MODELS}
FINE_TUNABLE_MODELS: frozenset[str] = frozenset(m.id for m in BASE_MODELS if m.fine_tunable)


def is_fine_tunable(model_id: str) -> bool:
    return model_id in FINE_TUNABLE_MODELS


def shutdown_date_for(base: str) -> str | None:
    """A fine-tune inherits its base model's shutdown date."""
    model = BASE_MODELS_BY_ID.get(base)
    return model.shutdown_date if model else None


def model_object(model: BaseModel) -> dict:
    obj = {"id": model.id, "object": "model", "created": model.created, "owned_by": model.owned_by}
    if model.shutdown_date:
        obj["shutdown_date"] = model.shutdown_date
    return obj
