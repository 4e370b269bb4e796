"""The base models the sandbox serves, and which of them can be fine-tuned.

Core reuses FINE_TUNABLE_MODELS / BASE_MODELS to offer the same choices against any
OpenAI-like provider. Shutdown dates: OpenAI retires gpt-4o, gpt-4o-mini, gpt-4.1,
gpt-4.1-mini and their fine-tunes on 2027-01-14.
"""

from __future__ import annotations

from dataclasses import dataclass

SHUTDOWN_2027 = "2027-01-14"


@dataclass(frozen=True)
class BaseModel:
    id: str
    created: int
    owned_by: str
    fine_tunable: bool
    shutdown_date: str | None = None


BASE_MODELS: tuple[BaseModel, ...] = (
    BaseModel("gpt-4o-mini-2024-07-18", 1721172717, "system", True, SHUTDOWN_2027),
    BaseModel("gpt-4o-2024-08-06", 1722814719, "system", True, SHUTDOWN_2027),
    BaseModel("gpt-4.1-2025-04-14", 1744315746, "system", True, SHUTDOWN_2027),
    BaseModel("gpt-4.1-mini-2025-04-14", 1744317547, "system", True, SHUTDOWN_2027),
    BaseModel("gpt-4.1-nano-2025-04-14", 1744321025, "system", True),
    BaseModel("gpt-3.5-turbo-0125", 1706048358, "system", True),
    # Aliases: chat works, fine-tuning needs the dated snapshot.
    BaseModel("gpt-4o", 1715367049, "system", False, SHUTDOWN_2027),
    BaseModel("gpt-4o-mini", 1721172741, "system", False, SHUTDOWN_2027),
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
