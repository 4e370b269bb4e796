"""One format each for sizes, moments and counts (widgets/formats.py), and no other copy of them."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from ftui.widgets.formats import clock, count, human_bytes, human_seconds, short_when, when

ROOT = Path(__file__).resolve().parents[2]


def test_sizes():
    assert human_bytes(0) == "0 B"
    assert human_bytes(1023) == "1,023 B"
    assert human_bytes(21_504) == "21.0 KB"
    assert human_bytes(48_213_911) == "46.0 MB"
    assert human_bytes(3 * 1024**3) == "3.0 GB"
    assert human_bytes(2048 * 1024**3) == "2,048.0 GB"


def test_counts_and_durations():
    assert count(1_283_413) == "1,283,413"
    assert count(7) == "7"
    assert human_seconds(45) == "45 s"
    assert human_seconds(185) == "3 min 05 s"
    assert human_seconds(7800) == "2 h 10 min"


@pytest.fixture
def utc(monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_moments(utc):
    ts = 1_764_637_845  # 2025-12-02 01:10:45 UTC
    assert when(ts) == "2025-12-02 01:10"
    assert short_when(ts) == "12-02 01:10"
    assert clock(ts) == "01:10:45"
    assert when(None) == short_when(0) == "-"


def test_no_screen_or_widget_writes_its_own_format():
    """strftime and byte units live in widgets/formats.py only."""
    own = ROOT / "widgets" / "formats.py"
    found = []
    for folder in ("tui", "widgets"):
        for path in (ROOT / folder).rglob("*.py"):
            if path == own:
                continue
            text = path.read_text()
            if "strftime(" in text or re.search(r'"(KB|MB|GB|KiB|MiB)"', text):
                found.append(str(path.relative_to(ROOT)))
    assert found == []
