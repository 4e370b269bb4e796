"""Win rate of the right model over the left, with a Wilson score interval.

Ties: by default a tie counts as half a win and half a loss (`ties="half"`), so the rate
answers "how often is right at least as good, ties split evenly". With `ties="exclude"`
ties are dropped and the rate is over decisive judgements only.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

TiePolicy = Literal["half", "exclude"]


@dataclass(frozen=True)
class WinRate:
    wins: int
    losses: int
    ties: int
    n: float  # judgements counted (ties excluded or included)
    rate: float | None  # None when nothing was judged
    low: float | None
    high: float | None
    ties_policy: TiePolicy = "half"

    def describe(self, who: str = "right") -> str:
        if self.rate is None:
            return "no judgements yet"
        tie_note = "ties count half" if self.ties_policy == "half" else "ties excluded"
        return (f"{who} wins {self.rate:.0%} (95% CI {self.low:.0%}-{self.high:.0%}); "
                f"{self.wins}W {self.losses}L {self.ties}T, {tie_note}")


def wilson_interval(successes: float, n: float, z: float = 1.959964) -> tuple[float, float]:
    """Wilson score interval for a proportion; successes may be fractional (half ties)."""
    if n <= 0:
        raise ValueError("n must be positive")
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def win_rate(wins: int, losses: int, ties: int = 0, *, ties_policy: TiePolicy = "half",
             z: float = 1.959964) -> WinRate:
    if ties_policy == "half":
        n, successes = wins + losses + ties, wins + ties / 2
    else:
        n, successes = wins + losses, wins
    if n == 0:
        return WinRate(wins, losses, ties, 0, None, None, None, ties_policy)
    low, high = wilson_interval(successes, n, z)
    return WinRate(wins, losses, ties, n, successes / n, low, high, ties_policy)


def tally(judgements: Iterable[str | None], *, ties_policy: TiePolicy = "half") -> WinRate:
    """Judgements are "right", "left", "tie" or None (not judged); the rate is right's."""
    marks = [j for j in judgements if j]
    return win_rate(marks.count("right"), marks.count("left"), marks.count("tie"),
                    ties_policy=ties_policy)
