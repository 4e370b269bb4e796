"""The fast path for plain chat lines gives exactly what the full path gives."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from ftui.core.dataset.batch import plain_chat, plain_chat_line, stable_keys
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


any_message = st.dictionaries(st.sampled_from(["role", "content", "name", "weight"]),
                              st.one_of(st.sampled_from(["system", "user", "assistant", "tool", " ", ""]),
                                        st.text(max_size=8), st.integers(), st.none()), max_size=3)
any_line = st.one_of(
    st.builds(lambda m: json.dumps({"messages": m}, ensure_ascii=False), st.lists(any_message, max_size=4)),
    st.builds(lambda m: json.dumps({"messages": m}), messages),
    st.builds(lambda m, k: json.dumps({"messages": m, k: 1}), messages, st.sampled_from(["tools", "x"])),
    st.text(max_size=40),  # mostly not JSON at all
)


@settings(max_examples=400, deadline=None)
@given(any_line, st.sampled_from([b"", b"\xff", b"\t", b"\x00", b" ", b"}"]), st.integers(0, 60))
def test_raw_line_fast_path_equals_the_dict_one(text, junk, at):
    for raw in (text.encode("utf-8", "surrogatepass"), text.encode("utf-8", "surrogatepass")[:at] + junk
                + text.encode("utf-8", "surrogatepass")[at:]):
        try:
            want = plain_chat(json.loads(raw.decode("utf-8")))
        except (ValueError, UnicodeDecodeError, RecursionError):
            want = None  # the full path reports it
        got = plain_chat_line(raw)
        if got is None and want is not None and _lone_surrogate(want[0]):
            continue  # msgspec refuses lone surrogate escapes, so the full path takes the line (checked below)
        assert got == want, raw


def _lone_surrogate(pieces: list[str]) -> bool:
    return any("\ud800" <= ch <= "\udfff" for piece in pieces for ch in piece)


def test_a_lone_surrogate_escape_is_declined_by_the_fast_path():
    raw = b'{"messages": [{"role": "system", "content": "00\\ud800 \\udc00"}, {"role": "assistant", "content": "0"}]}'
    assert plain_chat_line(raw) is None  # declined: the full path reads it
    assert plain_chat(json.loads(raw)) is not None
