"""Blind judging: the screen hides which model is where and reshuffles per prompt; a mark made
on a screen position is turned back into the model it meant."""

from __future__ import annotations

import random

from ftui.core.compare.records import Judgement


def shuffle(rng: random.Random) -> bool:
    """True when this prompt's panes show the models swapped (right model on the left)."""
    return rng.random() < 0.5


def to_model_side(position: Judgement, swapped: bool) -> Judgement:
    """A mark on a screen position ("left" pane better) as a mark on a model side."""
    if position == "tie" or not swapped:
        return position
    return "right" if position == "left" else "left"
