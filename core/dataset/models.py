"""Per-model facts the validator needs: how many tokens of one example a model trains on."""

from __future__ import annotations

from ftui.core.catalog import base_model as catalog_base_model

DEFAULT_MODEL = "gpt-4o-mini"

# Training context per example (tokens); longer examples are truncated to this by OpenAI.
# Prefix-matched, longest prefix first, so "gpt-4o-mini-2024-07-18" finds "gpt-4o-mini".
TRAINING_TOKEN_LIMITS: dict[str, int] = {
    "gpt-4o-mini": 65_536,
    "gpt-4o": 65_536,
    "gpt-4.1-nano": 65_536,
    "gpt-4.1-mini": 65_536,
    "gpt-4.1": 65_536,
    "o4-mini": 65_536,
    "gpt-3.5-turbo-0613": 4_096,
    "gpt-3.5-turbo-1106": 16_385,
    "gpt-3.5-turbo": 16_385,
    "gpt-4-0613": 8_192,
    "gpt-4": 8_192,
    "babbage-002": 16_384,
    "davinci-002": 16_384,
}
UNKNOWN_MODEL_LIMIT = 65_536


def base_model(model: str | None) -> str:
    """The lower-cased base of a model id, for table look-ups ("ft:gpt-4o-mini-2024-07-18:org::abc"
    -> "gpt-4o-mini-2024-07-18"); no model means the default one."""
    return catalog_base_model((model or DEFAULT_MODEL).strip()).lower()


def match_prefix(model: str | None, table: dict) -> str | None:
    """The longest key of `table` that the model's base name starts with."""
    m = base_model(model)
    best = None
    for key in table:
        if m == key or m.startswith(key + "-") or m.startswith(key + "."):
            if best is None or len(key) > len(best):
                best = key
    return best


def token_limit(model: str | None) -> int:
    key = match_prefix(model, TRAINING_TOKEN_LIMITS)
    return TRAINING_TOKEN_LIMITS[key] if key else UNKNOWN_MODEL_LIMIT
