"""Tokens and labels of chat examples: assistant-only loss, weight 0, truncation, packing."""

from __future__ import annotations

import pytest

from ftui.core.local.collate import (
    IGNORE,
    CollateError,
    encode_chat,
    micro_batches,
    pack,
    prepare_examples,
)
from ftui.core.local.models import discover_models, find_model, load_tokenizer


@pytest.fixture(scope="module")
def tokenizer(tiny_model_dir):
    return load_tokenizer(find_model(tiny_model_dir.name, discover_models([tiny_model_dir], hf_cache=False)))


def ids(tokenizer, text):
    return tokenizer(text, add_special_tokens=False)["input_ids"]


CONVERSATION = [
    {"role": "system", "content": "Be a pirate."},
    {"role": "user", "content": "hello there"},
    {"role": "assistant", "content": "Arr, no.", "weight": 0},
    {"role": "user", "content": "again?"},
    {"role": "assistant", "content": "Arr, matey!"},
]


def test_labels_cover_exactly_the_weighted_assistant_text_and_its_end_token(tokenizer):
    encoded = encode_chat(tokenizer, CONVERSATION, max_tokens=1000)
    before = ("<|im_start|>system\nBe a pirate.<|im_end|>\n<|im_start|>user\nhello there<|im_end|>\n"
              "<|im_start|>assistant\nArr, no.<|im_end|>\n<|im_start|>user\nagain?<|im_end|>\n"
              "<|im_start|>assistant\n")
    end = tokenizer.convert_tokens_to_ids("<|im_end|>")
    newline = ids(tokenizer, "\n")
    expected_ids = ids(tokenizer, before) + ids(tokenizer, "Arr, matey!") + [end] + newline
    assert encoded.input_ids == expected_ids
    target = ids(tokenizer, "Arr, matey!") + [end]
    assert encoded.labels == [IGNORE] * len(ids(tokenizer, before)) + target + [IGNORE] * len(newline)
    assert not encoded.truncated


def test_every_assistant_message_is_a_target_without_weights(tokenizer):
    messages = [{k: v for k, v in m.items() if k != "weight"} for m in CONVERSATION]
    encoded = encode_chat(tokenizer, messages, max_tokens=1000)
    learned = [t for t, label in zip(encoded.input_ids, encoded.labels) if label != IGNORE]
    assert tokenizer.decode(learned) == "Arr, no.<|im_end|>Arr, matey!<|im_end|>"


def test_long_examples_are_truncated_and_flagged(tokenizer):
    encoded = encode_chat(tokenizer, CONVERSATION, max_tokens=20)
    assert encoded.truncated and len(encoded.input_ids) == 20 == len(encoded.labels)


def test_examples_with_nothing_to_learn_are_dropped_and_all_gone_is_an_error(tokenizer):
    rows = [{"messages": CONVERSATION}, {"messages": CONVERSATION[:3]}]
    prepared = prepare_examples(tokenizer, rows, max_tokens=1000)
    assert (len(prepared.examples), prepared.dropped, prepared.truncated) == (1, 1, 0)
    with pytest.raises(CollateError, match="context of 10 tokens.*2 were longer"):
        prepare_examples(tokenizer, rows, max_tokens=10)


def test_packing_restarts_positions_and_never_targets_across_examples(tokenizer):
    first = encode_chat(tokenizer, CONVERSATION, max_tokens=1000)
    second = encode_chat(tokenizer, CONVERSATION[1:], max_tokens=1000)
    batch = pack([first, second])
    n1, n2 = len(first.input_ids), len(second.input_ids)
    assert batch.input_ids.shape == (1, n1 + n2) and batch.tokens == n1 + n2
    assert batch.position_ids[0].tolist() == list(range(n1)) + list(range(n2))
    assert batch.labels[0, n1].item() == IGNORE
    assert batch.target_tokens == first.target_tokens + second.target_tokens
    assert [len(g) for g in micro_batches([first, second, first], token_budget=n1 + n2)] == [2, 1]
