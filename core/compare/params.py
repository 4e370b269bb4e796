"""Request parameters as the chat API takes them, checked and turned into a ChatRequest."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

from ftui.core.errors import CoreError
from ftui.core.types import ChatRequest


@dataclass(frozen=True)
class Params:
    temperature: float | None = None
    top_p: float | None = None
    n: int = 1
    stop: list[str] = field(default_factory=list)
    max_completion_tokens: int | None = 512
    seed: int | None = None

    def request(self, model: str, messages: list[dict[str, Any]]) -> ChatRequest:
        return ChatRequest(model=model, messages=messages, temperature=self.temperature,
                           top_p=self.top_p, n=self.n if self.n != 1 else None,
                           stop=list(self.stop) or None,
                           max_completion_tokens=self.max_completion_tokens, seed=self.seed)

    def describe(self) -> str:
        def show(value: object) -> str:
            return "-" if value is None else str(value)

        stop = ",".join(repr(s) for s in self.stop) if self.stop else "-"
        return (f"temp {show(self.temperature)} · top_p {show(self.top_p)} · n {self.n} · "
                f"stop {stop} · max {show(self.max_completion_tokens)} · seed {show(self.seed)}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Params:
        data = dict(data or {})
        known = {k: data[k] for k in ("temperature", "top_p", "n", "stop",
                                      "max_completion_tokens", "seed") if k in data}
        return cls(**known)

    def with_(self, **changes: Any) -> Params:
        return replace(self, **changes)


def _number(name: str, raw: str, kind: type, low: float | None, high: float | None):
    raw = raw.strip()
    if not raw or raw == "-":
        return None
    try:
        value = kind(raw)
    except ValueError:
        raise CoreError(f"{name}: {raw!r} is not {'a whole number' if kind is int else 'a number'}",
                        kind="input") from None
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise CoreError(f"{name}: {value} must be {bounds}", kind="input")
    return value


def parse_params(*, temperature: str = "", top_p: str = "", n: str = "", stop: str = "",
                 max_completion_tokens: str = "", seed: str = "") -> Params:
    """Build Params from what a person typed; raises CoreError(kind="input") naming the field.

    `stop` is a list separated by `|` (up to 4, as the API allows); `\\n` means a newline.
    """
    stops = [s.replace("\\n", "\n") for s in stop.split("|") if s] if stop.strip() else []
    if len(stops) > 4:
        raise CoreError(f"stop: {len(stops)} sequences given; the API takes at most 4", kind="input")
    return Params(
        temperature=_number("temperature", temperature, float, 0, 2),
        top_p=_number("top_p", top_p, float, 0, 1),
        n=_number("n", n, int, 1, 16) or 1,
        stop=stops,
        max_completion_tokens=_number("max_completion_tokens", max_completion_tokens, int, 1, None),
        seed=_number("seed", seed, int, None, None),
    )
