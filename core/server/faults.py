"""Fault injection: rate limits, server errors, latency, dropped connections, cut streams.

Faults are decided before a handler runs (429/5xx/latency/drop of a POST) or in a way that
stored state never sees a half-done request, so a client's retry is always safe.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, fields, replace
from typing import Any

_SHARES = ("rate429", "error5xx", "drop", "cut_stream", "drop_upload")


@dataclass(frozen=True)
class Faults:
    rate429: float = 0.0  # share of requests answered 429
    error5xx: float = 0.0  # share answered 500/502/503
    latency: float = 0.0  # milliseconds added to every request
    drop: float = 0.0  # share of connections closed before/while the response is written
    cut_stream: float = 0.0  # share of chat streams cut short (no [DONE])
    drop_upload: float = 0.0  # share of file/part uploads whose connection drops mid-body
    seed: int = 0
    retry_after_ms: int = 100  # sent with 429/5xx so clients retry soon

    @property
    def active(self) -> bool:
        return any(getattr(self, name) for name in (*_SHARES, "latency"))

    @classmethod
    def parse(cls, spec: str | None) -> Faults:
        """Parse "rate429=0.1,error5xx=0.1,latency=50,drop=0.05,cut_stream=0.1"."""
        if not spec or not spec.strip():
            return cls()
        known = {f.name: f.type for f in fields(cls)}
        values: dict[str, Any] = {}  # field -> float, or int for seed and retry_after_ms
        for item in spec.split(","):
            item = item.strip()
            if not item:
                continue
            key, sep, raw = item.partition("=")
            key = key.strip()
            if not sep:
                raise ValueError(f"fault {item!r}: expected name=value")
            if key not in known:
                raise ValueError(f"unknown fault {key!r}; known: {', '.join(known)}")
            try:
                value = float(raw)
            except ValueError:
                raise ValueError(f"fault {key}: {raw.strip()!r} is not a number") from None
            if key in _SHARES and not 0.0 <= value <= 1.0:
                raise ValueError(f"fault {key}: share must be between 0 and 1, got {value}")
            if value < 0:
                raise ValueError(f"fault {key}: must not be negative, got {value}")
            values[key] = int(value) if key in ("seed", "retry_after_ms") else value
        return cls(**values)

    def with_(self, **changes) -> Faults:
        return replace(self, **changes)


class FaultDice:
    """A seeded RNG deciding, request by request, which fault (if any) fires."""

    def __init__(self, faults: Faults) -> None:
        self.faults = faults
        self._rng = random.Random(faults.seed)

    def roll(self, share: float) -> bool:
        return share > 0 and self._rng.random() < share

    def choice(self, options):
        return self._rng.choice(options)

    def fraction(self) -> float:
        return self._rng.random()
