"""Warnings worth a person's attention while a job trains, read from its metrics events.

- overfitting: validation loss rising for several measurements while training loss falls;
- flat: training loss no longer moving over many steps;
- stalled: no new event for much longer than the job's usual gap.
Each alarm fires once per kind until its condition clears.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from ftui.core.watch import MetricPoint

OVERFIT_RISES = 3  # consecutive validation-loss rises
FLAT_WINDOW = 20  # steps looked at for a flat loss
FLAT_SPREAD = 0.01  # (max - min) / mean below this is "flat"
STALL_FACTOR = 6.0  # gap this many times the median gap
STALL_MIN_SECONDS = 300.0


@dataclass(frozen=True)
class Alarm:
    kind: str  # overfitting | flat | stalled
    message: str
    step: int | None = None


def _slope(values: Sequence[float]) -> float:
    n = len(values)
    if n < 2:
        return 0.0
    mean_x = (n - 1) / 2
    mean_y = sum(values) / n
    num = sum((i - mean_x) * (v - mean_y) for i, v in enumerate(values))
    den = sum((i - mean_x) ** 2 for i in range(n))
    return num / den


def overfitting(points: Sequence[MetricPoint], rises: int = OVERFIT_RISES) -> Alarm | None:
    """Validation loss went up `rises` times in a row while training loss went down."""
    valid = [(p.step, p.valid_loss) for p in points if p.valid_loss is not None]
    if len(valid) < rises + 1:
        return None
    tail = valid[-(rises + 1):]  # (step, validation loss)
    if not all(b > a for (_, a), (_, b) in zip(tail, tail[1:])):
        return None
    first, last = tail[0][0], tail[-1][0]
    train = [p.train_loss for p in points if first <= p.step <= last and p.train_loss is not None]
    if len(train) < 2 or _slope(train) >= 0:
        return None
    return Alarm("overfitting",
                 f"validation loss rose {rises} times in a row (steps {first}-{last}, "
                 f"{tail[0][1]:.3f} -> {tail[-1][1]:.3f}) while training loss fell: "
                 "likely overfitting; consider fewer epochs or more data", last)


def flat_loss(points: Sequence[MetricPoint], window: int = FLAT_WINDOW,
              spread: float = FLAT_SPREAD) -> Alarm | None:
    """Training loss stayed within `spread` (relative) over the last `window` steps."""
    train = [(p.step, p.train_loss) for p in points if p.train_loss is not None]
    if len(train) < window:
        return None
    tail = [loss for _, loss in train[-window:]]
    mean = sum(tail) / window
    if mean <= 0.02:
        return None  # converged near zero is not a problem
    if (max(tail) - min(tail)) / mean >= spread:
        return None
    return Alarm("flat", f"training loss has stayed near {mean:.3f} for {window} steps: it has "
                 "stopped learning; a higher learning rate multiplier may help", train[-1][0])


def stalled(event_times: Sequence[float], now: float, *, factor: float = STALL_FACTOR,
            min_seconds: float = STALL_MIN_SECONDS) -> Alarm | None:
    """No event for much longer than the usual gap between events (times in seconds)."""
    if len(event_times) < 3:
        return None
    gaps = [b - a for a, b in zip(event_times, event_times[1:]) if b >= a]
    if not gaps:
        return None
    usual = statistics.median(gaps)
    silent = now - event_times[-1]
    limit = max(min_seconds, usual * factor)
    if silent <= limit:
        return None
    return Alarm("stalled", f"no new event for {int(silent // 60)} min {int(silent % 60)} s "
                 f"(usually one every {usual:.0f} s): the job may be stuck or queued behind others")


class AlarmWatch:
    """Remembers which alarms are up so each is reported once, and again only after it clears."""

    def __init__(self) -> None:
        self.active: dict[str, Alarm] = {}

    def check(self, points: Sequence[MetricPoint], event_times: Sequence[float] = (),
              now: float | None = None, *, running: bool = True) -> list[Alarm]:
        """New alarms since the last check."""
        found = {
            "overfitting": overfitting(points),
            "flat": flat_loss(points) if running else None,
            "stalled": stalled(event_times, now) if running and now is not None else None,
        }
        fresh: list[Alarm] = []
        for kind, alarm in found.items():
            if alarm is None:
                self.active.pop(kind, None)
            elif kind not in self.active:
                self.active[kind] = alarm
                fresh.append(alarm)
        return fresh
