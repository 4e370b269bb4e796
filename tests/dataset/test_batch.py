"""The fast path for plain chat lines gives exactly what the full path gives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ftui.core.dataset.batch import plain_chat, stable_keys
from ftui.core.dataset.checks import check_line
from ftui.core.dataset.tokens import TokenCounter, example_pieces

messages = st.lists(st.fixed_dictionaries({"role": st.sampled_from(["system", "user", "assistant"]),
                                           "content": st.text(min_size=1, max_size=20)}), min_size=1, max_size=5)


@settings(max_examples=200, deadline=None)
@given(messages)
def test_plain_chat_equals_the_full_path(msgs):
    obj = {"messages": msgs}
    fast = plain_chat(obj)
    if fast is None:  # then the full checks must have something to say
        assert check_line(obj, "chat")
        return
    assert check_line(obj, "chat") == []
    pieces, keys = fast
    slow_pieces: list[str] = []
    fixed = example_pieces(obj, slow_pieces)
    assert sorted(pieces) == sorted(slow_pieces) and fixed == 3 + 3 * len(msgs)
    assert keys == stable_keys(obj, "chat")


def test_other_lines_take_the_full_path():
    assert plain_chat({"messages": [{"role": "user", "content": "x"}]}) is None  # no assistant
    assert plain_chat({"messages": [{"role": "user", "content": "x"}, {"role": "assistant", "content": "y",
                                                                       "weight": 1}]}) is None
    assert plain_chat({"messages": [{"role": "user", "content": "x"}, {"role": "assistant", "content": "y"}],
                       "tools": []}) is None
    c = TokenCounter("gpt-4o-mini")
    obj = {"messages": [{"role": "user", "content": "hello"}, {"role": "assistant", "content": "world"}]}
    pieces, _ = plain_chat(obj)
    assert c.example_tokens(obj) == 3 + 3 * 2 + sum(c.count(p) for p in pieces)
