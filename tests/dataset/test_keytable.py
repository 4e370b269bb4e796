"""The compact key table behaves like a dict's setdefault, through growth and collisions."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from ftui.core.dataset.keytable import KeyTable


def test_matches_a_dict_through_growth():
    rng = random.Random(7)
    table, ref = KeyTable(capacity=4), {}
    for i in range(20_000):
        key = rng.getrandbits(64) - (1 << 63) if i % 3 else rng.randrange(1, 50)  # many repeats and small keys
        assert table.setdefault(key, i) == ref.get(key)
        ref.setdefault(key, i)
    assert len(table) == len(ref)
    assert all(table.get(k) == v for k, v in ref.items())
    assert table.get(123456789123) is None


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(-(1 << 63), (1 << 63) - 1), max_size=200))
def test_any_keys(keys):
    table, ref = KeyTable(capacity=1), {}
    for i, k in enumerate(keys):
        k2 = 1 if k == 0 else k  # key 0 is stored as 1 (documented)
        assert table.setdefault(k, i) == ref.get(k2)
        ref.setdefault(k2, i)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.integers(-(1 << 63), (1 << 63) - 1), st.integers(0, 20)), max_size=300),
       st.integers(1, 64))
def test_setdefault_many_is_setdefault_in_turn(keys, capacity):
    one, many = KeyTable(capacity=capacity), KeyTable(capacity=capacity)
    values = list(range(100, 100 + len(keys)))
    want = [(i, prev) for i, (k, v) in enumerate(zip(keys, values)) if (prev := one.setdefault(k, v)) is not None]
    assert many.setdefault_many(keys, values) == want  # grows along the way from a small capacity
    assert len(many) == len(one) and all(many.get(k) == one.get(k) for k in keys)
