"""Training prices per base model, dated, overridable by the user's prices.toml.

A user file (`prices.toml` in platformdirs' user_config_dir("ftui"), or an explicit path) looks like:

    taken_on = "2026-12-01"
    currency = "USD"
    [training_per_1m]
    "gpt-4o-mini" = 3.00
    "gpt-4.1" = 25.00
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from platformdirs import user_config_dir

from ftui.core.dataset.errors import DatasetError
from ftui.core.dataset.models import match_prefix

# USD per 1M training tokens, as listed on OpenAI's pricing page when this table was taken.
PRICES_TAKEN_ON = "2025-07-01"
DEFAULT_TRAINING_PER_1M: dict[str, float] = {
    "gpt-4o-mini": 3.00,
    "gpt-4o": 25.00,
    "gpt-4.1-nano": 1.50,
    "gpt-4.1-mini": 5.00,
    "gpt-4.1": 25.00,
    "gpt-3.5-turbo": 8.00,
}


@dataclass
class PriceTable:
    training_per_1m: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_TRAINING_PER_1M))
    taken_on: str = PRICES_TAKEN_ON
    currency: str = "USD"
    source: str = "built-in"  # "built-in" or the path of the user's file

    def training_price(self, model: str | None) -> float | None:
        """Price per 1M training tokens for `model` (fine-tunes map to their base), None if unknown."""
        key = match_prefix(model, self.training_per_1m)
        return self.training_per_1m[key] if key else None


def default_prices_path() -> Path:
    return Path(user_config_dir("ftui")) / "prices.toml"


def load_prices(path: Path | str | None = None) -> PriceTable:
    """Built-in prices overlaid by the user's TOML (explicit `path`, else the default one if it exists)."""
    table = PriceTable()
    explicit = path is not None
    p = Path(path) if path is not None else default_prices_path()
    if not p.exists():
        if explicit:
            raise DatasetError(f"price file {p} does not exist", hint="check the path", path=str(p))
        return table
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise DatasetError(f"cannot read price file {p}: {exc}", path=str(p), kind="io") from exc
    except tomllib.TOMLDecodeError as exc:
        raise DatasetError(f"price file {p} is not valid TOML: {exc}", hint="fix or delete it",
                           path=str(p)) from exc
    prices = data.get("training_per_1m", {})
    if not isinstance(prices, dict):
        raise DatasetError(f"price file {p}: [training_per_1m] must be a table of model = price",
                           path=str(p))
    for model, price in prices.items():
        if isinstance(price, bool) or not isinstance(price, (int, float)) or price < 0:
            raise DatasetError(f"price file {p}: price of {model!r} must be a number >= 0, not {price!r}",
                               path=str(p))
        table.training_per_1m[model.lower()] = float(price)
    table.taken_on = str(data.get("taken_on", table.taken_on if not prices else "user file"))
    table.currency = str(data.get("currency", table.currency))
    table.source = str(p)
    return table
