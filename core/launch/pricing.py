"""What training costs at the price table's rate (core/dataset/prices.py, overridable by the user)."""

from __future__ import annotations

from ftui.core.errors import CoreError


def training_price(model: str) -> tuple[float | None, str]:
    """USD (or the user's currency) per 1M training tokens for `model`, from core/dataset."""
    from ftui.core.dataset.prices import load_prices

    try:
        table = load_prices()
    except CoreError:
        from ftui.core.dataset.prices import PriceTable

        table = PriceTable()
    return table.training_price(model), table.currency


def billed_cost(model: str, trained_tokens: int | None) -> float | None:
    """What a finished job's trained tokens cost at the price table's rate."""
    if trained_tokens is None:
        return None
    price, _ = training_price(model)
    return None if price is None else trained_tokens * price / 1_000_000
