"""A corrected answer appended to (a tmp copy of) the dataset through the dataset core's writer."""

from __future__ import annotations

import json
import shutil

from ftui.core.compare.correction import append_correction, build_example


def test_build_example_keeps_the_conversation_and_adds_the_reply():
    ex = build_example([{"role": "system", "content": "S"}, {"role": "user", "content": "Q1"},
                        {"role": "assistant", "content": "A1"}, {"role": "user", "content": "Q2"}],
                       "A2")
    assert [m["role"] for m in ex["messages"]] == ["system", "user", "assistant", "user", "assistant"]
    assert ex["messages"][-1] == {"role": "assistant", "content": "A2"}


async def test_append_goes_to_the_end_of_the_file(tmp_path, marv_path):
    copy = tmp_path / "marv.jsonl"
    shutil.copy(marv_path, copy)
    before = copy.read_text().splitlines()
    ex = build_example([{"role": "system", "content": "Marv is sarcastic."},
                        {"role": "user", "content": "What is 2+2?"}], "Four. Shocking, I know.")
    outcome = await append_correction(copy, ex)
    assert outcome.ok, outcome
    after = copy.read_text().splitlines()
    assert after[:-1] == before
    assert json.loads(after[-1]) == ex
    assert outcome.line == len(after) and outcome.backup


async def test_an_invalid_example_is_refused_with_its_problems(tmp_path, marv_path):
    copy = tmp_path / "marv.jsonl"
    shutil.copy(marv_path, copy)
    before = copy.read_bytes()
    ex = build_example([{"role": "user", "content": "Q"}], "")  # empty reply
    ex["messages"][-1]["content"] = None
    outcome = await append_correction(copy, ex)
    assert not outcome.ok and outcome.problems
    assert "problem" in outcome.message
    assert copy.read_bytes() == before


async def test_no_path_or_not_jsonl_is_explained(tmp_path):
    ex = build_example([{"role": "user", "content": "Q"}], "A")
    assert "choose the dataset" in (await append_correction("", ex)).message
    assert "not a .jsonl" in (await append_correction(tmp_path / "x.txt", ex)).message
