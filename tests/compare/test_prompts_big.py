"""Prompts from a big dataset are read by offset: a sample or a page parses only the lines it
needs, so memory stays bounded by the line index however many examples the file holds."""

from __future__ import annotations

import json
import tracemalloc

from ftui.core.compare.prompts import PromptSource, read_prompts, sample_prompts


def write_examples(path, count: int, *, every_bad: int = 0) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for i in range(count):
            if every_bad and i % every_bad == 0:
                fh.write("not json\n")
                continue
            fh.write(json.dumps({"messages": [
                {"role": "system", "content": "You answer questions about the number you are given. " * 3},
                {"role": "user", "content": f"question {i}"},
                {"role": "assistant", "content": f"answer {i} " * 10}]}) + "\n")


async def test_a_sample_holds_the_index_not_the_examples(tmp_path):
    path = tmp_path / "big.jsonl"
    write_examples(path, 20_000)  # about 8 MB; every example parsed would take tens of MB
    seen = []
    tracemalloc.start()
    try:
        examples, skipped = await sample_prompts(path, 20, seed=7, progress=lambda d, t: seen.append((d, t)))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 << 20, f"peak {peak / 2**20:.1f} MiB"
    assert len(examples) == 20 and not skipped
    assert [e.line for e in examples] == sorted(e.line for e in examples)
    assert seen[-1] == (path.stat().st_size, path.stat().st_size) and len(seen) > 2  # progress in bytes
    again, _ = await sample_prompts(path, 20, seed=7)
    assert [e.line for e in again] == [e.line for e in examples]  # seeded
    assert examples[0].user == f"question {examples[0].line - 1}"
    assert examples[0].expected.startswith(f"answer {examples[0].line - 1}")


async def test_drawn_lines_that_are_no_prompt_are_replaced(tmp_path):
    path = tmp_path / "mixed.jsonl"
    write_examples(path, 300, every_bad=2)  # half the lines are not JSON
    examples, skipped = await sample_prompts(path, 100, seed=1)
    assert len(examples) == 100 and len({e.line for e in examples}) == 100
    assert all(e.line % 2 == 0 for e in examples)  # line 1, 3, ... are the bad ones
    assert skipped and all("not valid JSON" in s for s in skipped)
    everything, _ = await sample_prompts(path, 1000, seed=1)
    assert len(everything) == 150  # asked for more than there are: all of them


def test_a_page_reads_only_as_far_as_it_shows(tmp_path):
    path = tmp_path / "big.jsonl"
    write_examples(path, 20_000)
    with PromptSource(path) as source:
        found, skipped, after = source.page(1, 50)
        assert [e.line for e in found] == list(range(1, 51)) and after == 51 and not skipped
        assert source.reader.indexed_bytes < path.stat().st_size // 4  # not the whole file
        more, _, after = source.page(after, 50)
        assert more[0].line == 51 and after == 101


async def test_read_prompts_still_reads_every_prompt(tmp_path):
    path = tmp_path / "small.jsonl"
    write_examples(path, 30, every_bad=10)
    examples, skipped = await read_prompts(path)
    assert len(examples) == 27 and len(skipped) == 3 and skipped[0].startswith("line 1:")
