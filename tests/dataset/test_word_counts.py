"""Counting a string word by word (each distinct word once) gives exactly tiktoken's whole-string count."""

from __future__ import annotations

import json
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ftui.core.dataset import tokens
from ftui.core.dataset.tokens import TokenCounter, get_encoding, splits_at_spaces
from ftui.core.dataset.validate import validate_path

# Unicode White_Space, what \s means in the encodings' (Rust) regex.
WHITE_SPACE = ("\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
               "\u200a\u2028\u2029\u202f\u205f\u3000")
# Pieces the regex treats differently: whitespace of every kind, contractions, digits (split in threes),
# punctuation runs that take a line break or "/", marks, letters of other scripts, emoji, special-token text.
WORDISH = list("aZé中ж한ßǅ\u0301\u200b0123456789.,!?;:-_/\\()\"'🙂👍🏽") + [
    "'s", "'LL", "'d", " the", "the", "\r\n", "\n\n", " 123", "12345", "...", " -", "<|endoftext|>", "ŉ", "Ⅻ"]
ALPHABET = list(WHITE_SPACE) + WORDISH
ENCODINGS = {"gpt-4o-mini": "o200k_base", "gpt-4": "cl100k_base"}


def whole(texts: list[str], name: str) -> list[int]:
    enc = get_encoding(name)
    return [len(enc.encode_ordinary(t)) for t in texts]


def spaced(rng: random.Random, n: int) -> list[str]:
    """Strings of tricky pieces, most with spaces (so most take the word path)."""
    out = []
    for _ in range(n):
        parts = [rng.choice(ALPHABET if rng.random() < 0.15 else WORDISH) for _ in range(rng.randint(1, 30))]
        out.append(" ".join(parts) if rng.random() < 0.6 else "".join(parts))
    return out


def test_every_whitespace_before_a_space_is_refused():
    # The precondition the word path rests on: a space after any whitespace never splits.
    for c in WHITE_SPACE:
        assert not splits_at_spaces(f"a{c} b"), repr(c)
        assert not splits_at_spaces(f"é{c} b"), repr(c)
    assert splits_at_spaces("Hello there, world.\n\nNext line: 1 2 3")
    assert splits_at_spaces(" leading and trailing ")


@pytest.mark.parametrize("model", ENCODINGS)
def test_word_counts_equal_whole_string_counts(model):
    texts = spaced(random.Random(5), 6000)
    assert sum(map(splits_at_spaces, texts)) > 1000  # the word path really ran
    counter = TokenCounter(model)
    assert counter._count_list(texts) == whole(texts, ENCODINGS[model])
    assert counter._count_list(texts) == whole(texts, ENCODINGS[model])  # again, from the word cache


def naive_split_counts(texts: list[str], name: str) -> list[int]:
    """Counting at every space regardless of what precedes it: wrong, which the next test must see."""
    enc = get_encoding(name)
    return [sum(len(enc.encode_ordinary(w if i == 0 else " " + w)) for i, w in enumerate(t.split(" ")))
            for t in texts]


@pytest.mark.parametrize("model", ENCODINGS)
def test_every_short_string_of_spaces_breaks_and_marks(model):
    # Exhaustive up to 5 characters: whitespace runs before a space, a space before digits or marks.
    alphabet = ["a", "1", ".", " ", "\n", "\t", "\u3000", "\xa0", "\u0301"]
    texts = [""]
    for _ in range(5):
        texts = texts + [t + c for t in texts[-9 ** _:] for c in alphabet]
    name = ENCODINGS[model]
    want = whole(texts, name)
    assert TokenCounter(model)._count_list(texts) == want
    assert naive_split_counts(texts, name) != want  # the cases are sharp enough to catch a careless split


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(ALPHABET + [" ", " ", " "]), max_size=40))
def test_any_mix_of_pieces(parts):
    text = "".join(parts)
    for model, name in ENCODINGS.items():
        assert TokenCounter(model)._count_list([text]) == whole([text], name)


def test_the_word_cache_starts_over_when_full(monkeypatch):
    monkeypatch.setattr(tokens, "WORD_CACHE", 50)
    texts = spaced(random.Random(9), 800)
    counter = TokenCounter("gpt-4o-mini")
    assert counter._count_list(texts) == whole(texts, "o200k_base")
    assert len(counter._words) <= 50 and len(counter._firsts) <= 50


def cookbook_tokens(messages: list[dict], enc) -> int:
    return 3 + sum(3 + sum(len(enc.encode(v)) for v in m.values()) for m in messages)


def test_validated_counts_equal_the_cookbook_per_example(tmp_path):
    from tests.bench.bench_dataset import make_line_factory

    make_line = make_line_factory(seed=3)
    lines = [make_line(i) for i in range(400)]
    lines.append(json.dumps({"messages": [  # line breaks, indentation and non-ASCII text too
        {"role": "user", "content": "Fix this:\n    x = 1\n\nplease. Gracias, señor — ¿qué tal?  Bien."},
        {"role": "assistant", "content": "Done:\n\n```py\nx = 2\n```\nNext time ask  twice 🙂"}]}).encode() + b"\n")
    path = tmp_path / "bench_like.jsonl"
    path.write_bytes(b"".join(lines))
    report = validate_path(path, model="gpt-4o-mini", workers=0)
    enc = get_encoding("o200k_base")
    want = [cookbook_tokens(json.loads(raw)["messages"], enc) for raw in lines]
    assert list(report.example_tokens) == want


def test_long_words_are_counted_but_not_kept():
    texts = [f"see {'ab' * 40}{i} and {'xyz' * 30} here" for i in range(20)] + ["short words only here"]
    counter = TokenCounter("gpt-4o-mini")
    assert counter._count_list(texts) == whole(texts, "o200k_base")
    assert max(map(len, counter._words)) <= tokens.MAX_WORD and max(map(len, counter._firsts)) <= tokens.MAX_WORD
