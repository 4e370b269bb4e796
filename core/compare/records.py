"""What a comparison session remembers: rounds of one prompt sent to two models, judged."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Literal

from ftui.core.compare.pane import PaneResult

Judgement = Literal["left", "right", "tie"]


@dataclass
class Round:
    """One prompt to both models. `left`/`right` are the models, never the panes' screen
    positions: in blind mode the screen may show them swapped (`swapped`)."""

    left_model: str
    right_model: str
    system: str = ""
    user: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    left: PaneResult | None = None
    right: PaneResult | None = None
    expected: str | None = None
    source: str | None = None  # e.g. "marv_holdout.jsonl:3" when the prompt came from a file
    # The whole conversation each side was sent (multi-turn keeps separate histories).
    left_messages: list[dict[str, Any]] = field(default_factory=list)
    right_messages: list[dict[str, Any]] = field(default_factory=list)
    judgement: Judgement | None = None
    blind: bool = False
    swapped: bool = False
    created: float = field(default_factory=time.time)
    id: int | None = None


@dataclass
class SessionInfo:
    id: int
    title: str
    kind: str  # "interactive" | "batch" | "sweep"
    created: float
    rounds: int
    judged: int
