"""Renders one side of a word diff: words only this side has are highlighted."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from ftui.core.compare.diff import Segment

# Styles name what changed, not a colour, so themes stay readable.
CHANGED_STYLE = "bold black on yellow"
ONLY_STYLE = "bold black on cyan"


def render_side(segments: Sequence[Segment], side: str) -> Text:
    """The text of `side` ("left" or "right") with its differing words highlighted."""
    text = Text()
    for seg in segments:
        part = seg.left if side == "left" else seg.right
        if not part:
            continue
        if seg.op == "equal":
            text.append(part)
        elif seg.op == "replace":
            text.append(part, style=CHANGED_STYLE)
        else:  # delete (left only) or insert (right only)
            text.append(part, style=ONLY_STYLE)
    return text


def count_changes(segments: Sequence[Segment]) -> int:
    return sum(1 for s in segments if s.op != "equal")
