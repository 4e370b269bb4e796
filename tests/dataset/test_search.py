"""Search in a dataset: Unicode case folding, both directions with wrap-around, progress, stop."""

from __future__ import annotations

import json

import pytest

from ftui.core.dataset import search
from ftui.core.dataset.reader import DatasetReader
from ftui.core.dataset.search import find_line


def write(path, texts: list[str]) -> None:
    path.write_text("".join(json.dumps({"messages": [{"role": "user", "content": t}]}, ensure_ascii=False) + "\n"
                            for t in texts), encoding="utf-8")


def test_case_insensitive_search_folds_non_ascii(tmp_path):
    path = tmp_path / "d.jsonl"
    write(path, ["plain", "Ünïcödé here", "STRASSE", "straße"])
    with DatasetReader(path) as reader:
        assert find_line(reader, "ünïcödé", 1) == 2
        assert find_line(reader, "ÜNÏCÖDÉ", 1) == 2
        assert find_line(reader, "strasse", 4) == 4  # ß folds to ss
        assert find_line(reader, "plain", 2) == 1  # wraps around
        assert find_line(reader, "nowhere", 1) is None


@pytest.mark.parametrize("block", [1, 3, 4096])
def test_both_directions_in_blocks(tmp_path, monkeypatch, block):
    monkeypatch.setattr(search, "BLOCK_LINES", block)
    path = tmp_path / "d.jsonl"
    write(path, [f"line {i}" + (" needle" if i in (3, 8) else "") for i in range(1, 11)])
    with DatasetReader(path) as reader:
        assert find_line(reader, "NEEDLE", 1) == 3
        assert find_line(reader, "needle", 3, include_start=False) == 8
        assert find_line(reader, "needle", 8, include_start=False) == 3  # wraps
        assert find_line(reader, "needle", 8, -1, include_start=False) == 3
        assert find_line(reader, "needle", 3, -1, include_start=False) == 8  # wraps back
        assert find_line(reader, "line 10", 10, include_start=False) is None  # only itself


def test_progress_and_stop(tmp_path, monkeypatch):
    monkeypatch.setattr(search, "BLOCK_LINES", 10)
    path = tmp_path / "d.jsonl"
    write(path, [f"example {i}" for i in range(100)])
    seen = []
    with DatasetReader(path) as reader:
        assert find_line(reader, "missing", 1, progress=lambda d, t: seen.append((d, t))) is None
        assert seen[-1] == (100, 100) and len(seen) == 10
        assert find_line(reader, "example 99", 1, cancelled=lambda: len(seen) > 10,
                         progress=lambda d, t: seen.append((d, t))) is None  # stopped before the end
