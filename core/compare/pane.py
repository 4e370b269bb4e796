"""One side of a comparison: stream one request, keep what arrived, time it, say what went wrong."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from ftui.core.errors import CoreError
from ftui.core.provider import Provider
from ftui.core.types import ChatRequest, Usage

Status = Literal["waiting", "streaming", "done", "error", "cancelled"]


@dataclass
class PaneResult:
    """What one model answered to one request, as far as it got."""

    model: str
    choices: list[str] = field(default_factory=lambda: [""])
    finish_reasons: list[str | None] = field(default_factory=lambda: [None])
    ttft: float | None = None  # seconds from sending to the first text
    total: float | None = None  # seconds from sending to the end (or the failure)
    usage: Usage | None = None
    error: str | None = None  # one line a person can act on; partial text is kept
    status: Status = "waiting"

    @property
    def text(self) -> str:
        """The first choice: what continues the conversation and what gets judged."""
        return self.choices[0] if self.choices else ""

    @property
    def finished(self) -> bool:
        return self.status in ("done", "error", "cancelled")

    def _grow(self, index: int) -> None:
        while len(self.choices) <= index:
            self.choices.append("")
            self.finish_reasons.append(None)


OnUpdate = Callable[[PaneResult], None]


async def stream_pane(provider: Provider, request: ChatRequest,
                      on_update: OnUpdate | None = None,
                      clock: Callable[[], float] = time.perf_counter) -> PaneResult:
    """Stream `request`, calling `on_update` after every delta and once at the end.

    Never raises CoreError: a failure is recorded on the result with the partial text kept.
    Cancellation marks the result cancelled, reports it, then propagates.
    """
    result = PaneResult(model=request.model, choices=[""] * max(1, request.n or 1),
                        finish_reasons=[None] * max(1, request.n or 1))
    started = clock()

    def notify() -> None:
        if on_update is not None:
            on_update(result)

    try:
        result.status = "streaming"
        async for delta in provider.stream_chat(request):
            result._grow(delta.index)
            if delta.text:
                if result.ttft is None:
                    result.ttft = clock() - started
                result.choices[delta.index] += delta.text
            if delta.finish_reason:
                result.finish_reasons[delta.index] = delta.finish_reason
            if delta.usage is not None:
                result.usage = delta.usage
            notify()
    except asyncio.CancelledError:
        result.total = clock() - started
        result.status = "cancelled"
        result.error = "cancelled"
        notify()
        raise
    except CoreError as exc:
        result.total = clock() - started
        result.status = "error"
        result.error = _describe(exc, result)
        notify()
        return result
    result.total = clock() - started
    problem = _check_complete(result)
    result.status = "error" if problem else "done"
    result.error = problem
    notify()
    return result


def _describe(exc: CoreError, result: PaneResult) -> str:
    text = exc.summary()
    if exc.status == 404:
        text = f"model {result.model} not found (404): {exc.message}"
    elif exc.status == 429:
        text = f"rate limited (429): {exc.message}"
    if any(result.choices) and "what arrived is kept" not in text:  # say it once, not twice
        text += " — the answer broke off; what arrived is kept"
    return text


def _check_complete(result: PaneResult) -> str | None:
    if not any(c.strip() for c in result.choices):
        return "empty answer: the model returned no text"
    if any(reason is None for reason in result.finish_reasons):
        return "the stream broke off before the answer finished; what arrived is kept"
    return None


async def run_pair(provider: Provider, left: ChatRequest, right: ChatRequest,
                   on_update: Callable[[str, PaneResult], None] | None = None,
                   clock: Callable[[], float] = time.perf_counter, *,
                   right_provider: Provider | None = None) -> tuple[PaneResult, PaneResult]:
    """Send both requests at once, one task per side, so the slower never holds the faster back.
    `right_provider`: the right side asks another account (e.g. the old model on OpenAI, the
    new one on Together); by default both ask `provider`."""

    def side(name: str) -> OnUpdate | None:
        return (lambda r: on_update(name, r)) if on_update else None

    tasks = [
        asyncio.create_task(stream_pane(provider, left, side("left"), clock)),
        asyncio.create_task(stream_pane(right_provider or provider, right, side("right"), clock)),
    ]
    try:
        left_result, right_result = await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    return left_result, right_result
