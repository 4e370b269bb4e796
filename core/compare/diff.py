"""Where two answers differ, word by word (difflib over word tokens, whitespace kept)."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Literal

Op = Literal["equal", "delete", "insert", "replace"]

_TOKEN = re.compile(r"\S+\s*|\s+")


def tokenize(text: str) -> list[str]:
    """Words with their trailing whitespace, so joining the tokens gives the text back."""
    return _TOKEN.findall(text)


@dataclass(frozen=True)
class Segment:
    op: Op
    left: str  # text from the left answer ("" for an insert)
    right: str  # text from the right answer ("" for a delete)


def word_diff(left: str, right: str) -> list[Segment]:
    """Segments covering both texts in order; compared on words, ignoring trailing spaces."""
    a, b = tokenize(left), tokenize(right)
    matcher = difflib.SequenceMatcher(None, [t.strip() for t in a], [t.strip() for t in b],
                                      autojunk=False)
    return [Segment(op, "".join(a[i1:i2]), "".join(b[j1:j2]))
            for op, i1, i2, j1, j2 in matcher.get_opcodes()]


def similarity(left: str, right: str) -> float:
    """0..1: how much of the two answers' words agree (difflib ratio on words)."""
    a = [t.strip().lower() for t in tokenize(left) if t.strip()]
    b = [t.strip().lower() for t in tokenize(right) if t.strip()]
    if not a and not b:
        return 1.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()
