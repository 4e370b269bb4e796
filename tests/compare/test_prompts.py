"""Prompts and expected answers read from a chat dataset; seeded samples."""

import json

import pytest

from ftui.core.compare.prompts import read_prompts, sample
from ftui.core.errors import CoreError


async def test_reads_prompts_and_expected_answers(tmp_path):
    path = tmp_path / "h.jsonl"
    lines = [
        {"messages": [{"role": "system", "content": "S"}, {"role": "user", "content": "Q1"},
                      {"role": "assistant", "content": "A1"}]},
        {"messages": [{"role": "user", "content": "Q2"}]},
        "not json",
        {"messages": [{"role": "system", "content": "only system"}]},
    ]
    path.write_text("\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n")
    examples, skipped = await read_prompts(path)
    assert [(e.line, e.system, e.user, e.expected) for e in examples] == [
        (1, "S", "Q1", "A1"), (2, "", "Q2", None)]
    assert examples[0].messages[-1] == {"role": "user", "content": "Q1"}
    assert len(skipped) == 2 and skipped[0].startswith("line 3")


async def test_missing_file_says_so(tmp_path):
    with pytest.raises(CoreError) as info:
        await read_prompts(tmp_path / "nope.jsonl")
    assert "no such file" in str(info.value)


def test_sample_is_seeded_and_in_order():
    items = list(range(20))
    a = sample(items, 5, seed=3)
    assert a == sample(items, 5, seed=3) and a == sorted(a) and len(a) == 5
    assert sample(items, 50) == items
