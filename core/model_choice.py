"""Which models a dataset's tokens and cost can be counted for on this provider, and how exact the
count is. The Data screen asks; the provider's own model list decides (never its name or kind)."""

from __future__ import annotations

from typing import Any

from ftui.core.provider import HyperparameterSource


async def fine_tunable_base_models(provider: Any) -> list[str]:
    """The base models the provider fine-tunes, in its order (fine-tuned models left out).
    Raises CoreError as the provider does."""
    if isinstance(provider, HyperparameterSource):  # it has a list of its own, cheaper than /models
        return list(await provider.fine_tunable_models())
    return [m.id for m in await provider.list_models() if m.fine_tunable and not m.fine_tuned]


def default_model(builtin: str, offered: list[str]) -> str:
    """`builtin` where the provider offers it (or offers nothing known yet), else its first model."""
    if not offered or builtin in offered:
        return builtin
    return offered[0]


def token_note(model: str) -> str | None:
    """None when the tokens are counted with the model's own tokenizer (OpenAI's models); otherwise
    a short note saying the count is approximate and which encoding made it."""
    from ftui.core.dataset.models import TRAINING_TOKEN_LIMITS, match_prefix
    from ftui.core.dataset.tokens import encoding_name_for_model

    if match_prefix(model, TRAINING_TOKEN_LIMITS) is not None:
        return None
    return f"≈ counted with {encoding_name_for_model(model).removesuffix('_base')}"
