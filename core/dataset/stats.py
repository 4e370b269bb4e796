"""Token statistics, OpenAI's default-epochs rule, billable tokens and the cost estimate."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from ftui.core.dataset.models import token_limit
from ftui.core.dataset.prices import PriceTable, load_prices

TARGET_EPOCHS = 3
MIN_TARGET_EXAMPLES = 100
MAX_TARGET_EXAMPLES = 25_000
MIN_EPOCHS = 1
MAX_EPOCHS = 25


def default_epochs(n_examples: int) -> int:
    """OpenAI's "auto" epochs, as its cookbook "Data preparation and analysis for chat model fine-tuning"
    writes the rule: 3, raised to MIN_TARGET_EXAMPLES // n (at most 25) when n x 3 < 100, lowered to
    MAX_TARGET_EXAMPLES // n (at least 1) when n x 3 > 25,000. So 14 examples train 7 epochs, not 8."""
    if n_examples <= 0:
        return TARGET_EPOCHS
    if n_examples * TARGET_EPOCHS < MIN_TARGET_EXAMPLES:
        return min(MAX_EPOCHS, MIN_TARGET_EXAMPLES // n_examples)
    if n_examples * TARGET_EPOCHS > MAX_TARGET_EXAMPLES:
        return max(MIN_EPOCHS, MAX_TARGET_EXAMPLES // n_examples)
    return TARGET_EPOCHS


def percentile(sorted_values: Sequence[int], q: float) -> int:
    """Nearest-rank percentile (q in 0..100) of already sorted values; 0 when empty."""
    if not sorted_values:
        return 0
    rank = max(1, math.ceil(q / 100 * len(sorted_values)))
    return int(sorted_values[rank - 1])


@dataclass
class Histogram:
    edges: list[int]  # len(counts) + 1 bin edges; bin i is [edges[i], edges[i+1])
    counts: list[int]


def histogram(values: Sequence[int], bins: int = 10) -> Histogram:
    """Equal-width integer bins from min to max (the last bin includes the max)."""
    if not values:
        return Histogram(edges=[0, 0], counts=[0])
    lo, hi = min(values), max(values)
    width = max(1, math.ceil((hi - lo + 1) / bins))
    n = max(1, math.ceil((hi - lo + 1) / width))
    counts = [0] * n
    for v in values:
        counts[min(n - 1, (v - lo) // width)] += 1
    return Histogram(edges=[lo + i * width for i in range(n + 1)], counts=counts)


@dataclass
class TokenStats:
    examples: int = 0
    total: int = 0
    min: int = 0
    max: int = 0
    mean: float = 0.0
    p50: int = 0
    p95: int = 0
    histogram: Histogram = field(default_factory=lambda: Histogram([0, 0], [0]))
    over_limit: int = 0  # examples longer than the model's training context
    limit: int = 0


def token_stats(example_tokens: Sequence[int], *, model: str | None = None, bins: int = 10) -> TokenStats:
    values = sorted(example_tokens)
    limit = token_limit(model)
    if not values:
        return TokenStats(limit=limit)
    total = sum(values)
    return TokenStats(examples=len(values), total=total, min=values[0], max=values[-1],
                      mean=total / len(values), p50=percentile(values, 50), p95=percentile(values, 95),
                      histogram=histogram(values, bins), limit=limit,
                      over_limit=sum(1 for v in values if v > limit))


@dataclass
class CostEstimate:
    model: str
    epochs: int
    billable_tokens: int  # sum(min(limit, tokens)) x epochs
    price_per_1m: float | None  # None when the model is not in the price table
    cost: float | None
    currency: str
    price_date: str
    price_source: str

    def to_dict(self) -> dict:
        return asdict(self)


def billable_tokens(example_tokens: Sequence[int], *, model: str | None, epochs: int) -> int:
    limit = token_limit(model)
    return sum(min(limit, t) for t in example_tokens) * epochs


def estimate_cost(example_tokens: Sequence[int], *, model: str, epochs: int | None = None,
                  prices: PriceTable | None = None) -> CostEstimate:
    """What training on these examples would cost (epochs default to OpenAI's auto rule)."""
    prices = prices or load_prices()
    epochs = epochs or default_epochs(len(example_tokens))
    billable = billable_tokens(example_tokens, model=model, epochs=epochs)
    price = prices.training_price(model)
    cost = None if price is None else round(billable / 1_000_000 * price, 4)
    return CostEstimate(model=model, epochs=epochs, billable_tokens=billable, price_per_1m=price, cost=cost,
                        currency=prices.currency, price_date=prices.taken_on, price_source=prices.source)
