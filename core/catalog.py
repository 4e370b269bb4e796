"""What we know about OpenAI's models that the models endpoint does not say, in one place.

OpenAI's `/models` answer has no "can be fine-tuned" flag and (usually) no shutdown date,
so these tables come from OpenAI's published fine-tuning and deprecation pages. The sandbox
serves the same facts, the validator and the screens read a fine-tune's base from here.
"""

from __future__ import annotations

# Base snapshots that accept new fine-tuning jobs (until self-serve fine-tuning closes).
FINE_TUNABLE_BASE_MODELS: frozenset[str] = frozenset({
    "gpt-4o-mini-2024-07-18",
    "gpt-4o-2024-08-06",
    "gpt-4.1-2025-04-14",
    "gpt-4.1-mini-2025-04-14",
    "gpt-4.1-nano-2025-04-14",
    "gpt-3.5-turbo-0125",
})

# Announced shutdown of gpt-4o*, gpt-4o-mini*, gpt-4.1, gpt-4.1-mini and their fine-tunes.
ANNOUNCED_SHUTDOWN_DATE = "2027-01-14"
# Last day new fine-tuning jobs may be created.
LAST_JOB_CREATION_DATE = "2027-01-06"
# What a refused launch means on OpenAI's API once self-serve fine-tuning closes.
WIND_DOWN_NOTE = (f"OpenAI is winding down self-serve fine-tuning: no new jobs after {LAST_JOB_CREATION_DATE}. "
                  "You can still watch and manage existing jobs, download their result files, compare and use "
                  f"your fine-tuned models until {ANNOUNCED_SHUTDOWN_DATE}, and keep your datasets.")


def base_model(model_id: str) -> str:
    """The base snapshot of a fine-tuned model ("ft:BASE:org:suffix:id[:ckpt-step-N]")."""
    if model_id.startswith("ft:"):
        parts = model_id.split(":")
        return parts[1] if len(parts) > 1 and parts[1] else model_id
    return model_id


def is_fine_tunable(model_id: str) -> bool:
    """True for the listed base snapshots and for any fine-tuned model (it can be trained further)."""
    return model_id.startswith("ft:") or model_id in FINE_TUNABLE_BASE_MODELS


def _is_gpt41_or_mini(base: str) -> bool:
    for family in ("gpt-4.1", "gpt-4.1-mini"):
        if base == family:
            return True
        rest = base.removeprefix(family + "-")
        # dated snapshots like gpt-4.1-2025-04-14, but not gpt-4.1-nano
        if rest != base and rest[:2] == "20" and rest.replace("-", "").isdigit():
            return True
    return False


def shutdown_date(model_id: str) -> str | None:
    """ISO date the model stops answering, when one is announced."""
    base = base_model(model_id)
    if base.startswith("gpt-4o") or _is_gpt41_or_mini(base):
        return ANNOUNCED_SHUTDOWN_DATE
    return None
