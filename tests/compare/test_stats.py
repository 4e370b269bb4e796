"""Win rate and its Wilson score interval."""

import math

import pytest

from ftui.core.compare.stats import tally, wilson_interval, win_rate


def test_wilson_matches_the_textbook_value():
    # 8 of 10: Wilson 95% interval is about 0.490 .. 0.943
    low, high = wilson_interval(8, 10)
    assert low == pytest.approx(0.4902, abs=1e-3)
    assert high == pytest.approx(0.9433, abs=1e-3)


def test_wilson_stays_inside_zero_one_at_the_edges():
    assert wilson_interval(0, 5)[0] == 0.0
    assert wilson_interval(5, 5)[1] == 1.0
    low, high = wilson_interval(5, 5)
    assert 0.5 < low < 1.0


def test_ties_count_half_by_default_and_can_be_excluded():
    half = win_rate(3, 1, 2)
    assert half.n == 6 and half.rate == pytest.approx(4 / 6)
    excluded = win_rate(3, 1, 2, ties_policy="exclude")
    assert excluded.n == 4 and excluded.rate == pytest.approx(0.75)
    assert "ties count half" in half.describe()
    assert "ties excluded" in excluded.describe()


def test_nothing_judged_has_no_rate():
    r = tally([None, None])
    assert r.rate is None and r.describe() == "no judgements yet"


def test_tally_counts_marks_from_the_right_models_view():
    r = tally(["right", "right", "left", "tie", None])
    assert (r.wins, r.losses, r.ties) == (2, 1, 1)
    assert r.low < r.rate < r.high
    assert math.isclose(r.rate, 2.5 / 4)


def test_zero_n_is_refused():
    with pytest.raises(ValueError):
        wilson_interval(0, 0)
