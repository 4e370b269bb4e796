"""Epochs rule, statistics, billable tokens, cost and the user's price file."""

from __future__ import annotations

import pytest

from ftui.core.dataset.errors import DatasetError
from ftui.core.dataset.models import token_limit
from ftui.core.dataset.prices import PriceTable, load_prices
from ftui.core.dataset.stats import billable_tokens, default_epochs, estimate_cost, histogram, percentile, token_stats


# OpenAI's cookbook rule floors: 14 examples -> 100 // 14 = 7 epochs (98 examples seen, not >= 100).
@pytest.mark.parametrize("n, epochs", [(1, 25), (3, 25), (4, 25), (5, 20), (10, 10), (14, 7), (30, 3), (33, 3),
                                        (34, 3), (38, 3), (100, 3), (8333, 3), (8334, 2), (12_500, 2),
                                        (12_501, 1), (100_000, 1)])
def test_default_epochs(n, epochs):
    assert default_epochs(n) == epochs
    if epochs not in (1, 25):
        assert n * epochs <= 25_000 and n * (epochs + 1) >= 100


def test_token_limits():
    assert token_limit("gpt-4o-mini-2024-07-18") == 65_536
    assert token_limit("gpt-4.1-2025-04-14") == 65_536
    assert token_limit("gpt-3.5-turbo-0125") == 16_385
    assert token_limit("gpt-3.5-turbo-0613") == 4_096
    assert token_limit("ft:gpt-4o-2024-08-06:acme::x") == 65_536


def test_stats_and_histogram():
    values = [10, 20, 30, 40, 1000]
    st = token_stats(values, model="gpt-4o-mini", bins=4)
    assert (st.total, st.min, st.max, st.p50, st.p95, st.mean) == (1100, 10, 1000, 30, 1000, 220.0)
    assert sum(st.histogram.counts) == 5 and st.histogram.counts[0] == 4 and st.histogram.counts[-1] == 1
    assert st.histogram.edges[0] == 10 and st.histogram.edges[-1] > 1000
    assert token_stats([]).total == 0 and percentile([], 50) == 0
    assert histogram([5, 5, 5]).counts == [3]


def test_billable_tokens_cut_at_the_limit():
    assert billable_tokens([100, 70_000], model="gpt-4o-mini", epochs=2) == (100 + 65_536) * 2


def test_cost_with_built_in_prices():
    est = estimate_cost([1000] * 50, model="gpt-4o-mini")
    assert est.epochs == 3 and est.billable_tokens == 150_000
    assert est.price_per_1m == 3.00 and est.cost == pytest.approx(0.45)
    assert est.currency == "USD" and est.price_date and est.price_source == "built-in"
    for model, price in (("gpt-4o-2024-08-06", 25.0), ("gpt-4.1", 25.0), ("gpt-4.1-mini", 5.0),
                         ("gpt-4.1-nano-2025-04-14", 1.5), ("gpt-3.5-turbo-0125", 8.0)):
        assert PriceTable().training_price(model) == price
    assert estimate_cost([10], model="mystery-model", prices=PriceTable()).cost is None


def test_user_price_file_overrides(tmp_path, monkeypatch):
    f = tmp_path / "prices.toml"
    f.write_text('taken_on = "2026-11-01"\ncurrency = "EUR"\n[training_per_1m]\n"gpt-4o-mini" = 2.5\n"my-model" = 1\n')
    table = load_prices(f)
    assert table.training_price("gpt-4o-mini-2024-07-18") == 2.5 and table.training_price("my-model") == 1.0
    assert table.training_price("gpt-4.1") == 25.0  # the rest stays built in
    assert (table.taken_on, table.currency, table.source) == ("2026-11-01", "EUR", str(f))
    # the default location is platformdirs' user config dir
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    (tmp_path / "cfg" / "ftui").mkdir(parents=True)
    (tmp_path / "cfg" / "ftui" / "prices.toml").write_text('[training_per_1m]\n"gpt-4o" = 20\n')
    assert load_prices().training_price("gpt-4o") == 20.0


@pytest.mark.parametrize("text, match", [("[training_per_1m\n", "not valid TOML"),
                                         ('training_per_1m = 3\n', "must be a table"),
                                         ('[training_per_1m]\n"gpt-4o" = "cheap"\n', "must be a number")])
def test_bad_price_files_say_what_is_wrong(tmp_path, text, match):
    f = tmp_path / "prices.toml"
    f.write_text(text)
    with pytest.raises(DatasetError, match=match):
        load_prices(f)
    with pytest.raises(DatasetError, match="does not exist"):
        load_prices(tmp_path / "missing.toml")
