"""The panel's cost rows follow the provider's cost model; long model ids fit one row; the default
model and the token note follow the provider's model list."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from ftui.core.model_choice import default_model, token_note
from ftui.core.types import CostModel
from ftui.widgets.token_stats import VALUE_WIDTH, TokenStatsPanel, _fit


def drawn(cost_model, *, price=None, model="gpt-4o-mini-2024-07-18") -> str:
    cost = SimpleNamespace(model=model, billable_tokens=6432, epochs=3, cost=price, currency="USD",
                           price_date="2025-07-01")
    panel = TokenStatsPanel()
    panel.show_summary(examples=38, errors=0, warnings=0, cost=cost, model=model, cost_model=cost_model,
                       token_note=token_note(model))
    return panel.plain_text(width=34)


@pytest.mark.parametrize(("cost_model", "price", "expected", "absent"), [
    (None, 0.0193, "≈ 0.0193 USD (2025-07-01)", "$0"),
    (CostModel("per_token"), None, "no price for this model", "USD"),
    (CostModel("per_token", quoted=True), 0.0193, "quoted at launch (F5)", "USD"),
    (CostModel("local_time"), 0.0193, "$0 · time on this machine", "USD"),
])
def test_the_cost_row_says_how_the_provider_charges(cost_model, price, expected, absent):
    text = drawn(cost_model, price=price)
    assert expected in text
    assert absent not in text
    assert all(len(line.rstrip()) <= 34 for line in text.splitlines())  # fits the panel at 80x24


def test_a_model_not_openais_says_its_tokens_are_approximate():
    text = drawn(CostModel("local_time"), model="SmolLM2-135M-Instruct")
    assert "≈ counted with o200k" in text
    assert "counted with" not in drawn(None, price=0.01)
    assert token_note("ft:gpt-4o-mini-2024-07-18:org:marv:abc") is None


def test_long_model_ids_keep_their_end():
    fitted = _fit("meta-llama/Meta-Llama-3.1-8B-Instruct-Reference")
    assert fitted.startswith("Meta-") and fitted.endswith("-Reference") and "…" in fitted
    assert len(_fit("meta-llama/Meta-Llama-3.1-8B-Instruct-Reference")) == VALUE_WIDTH
    assert _fit("gpt-4o-mini-2024-07-18") == "gpt-4o-mini-2024-07-18"


def test_the_default_is_the_providers_first_model_only_when_it_lacks_the_built_in_one():
    assert default_model("gpt-4o-mini-2024-07-18", ["gpt-4.1-2025-04-14", "gpt-4o-mini-2024-07-18"]) == \
        "gpt-4o-mini-2024-07-18"
    assert default_model("gpt-4o-mini-2024-07-18", ["SmolLM2-135M-Instruct", "tiny-llama"]) == \
        "SmolLM2-135M-Instruct"
    assert default_model("gpt-4o-mini-2024-07-18", []) == "gpt-4o-mini-2024-07-18"
