"""Retries the official SDKs make on their own (429, 5xx, a dropped connection), made visible.

Both SDKs retry inside one call and number each attempt in an `x-stainless-retry-count` header. A request
hook on the client's httpx transport reports every attempt after the first to whoever listens in the
current task (a context variable), e.g. the batch row whose answer is being fetched, so the screen can
say "retry 1" instead of looking stuck.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any

RetryListener = Callable[[int], None]  # called with the attempt's number: 1 for the first retry

_listener: ContextVar[RetryListener | None] = ContextVar("ftui_retry_listener", default=None)
RETRY_HEADER = "x-stainless-retry-count"


@contextlib.contextmanager
def reporting_retries(listener: RetryListener) -> Iterator[None]:
    """Within this block (this task and the tasks it starts), retries of SDK calls go to `listener`."""
    token = _listener.set(listener)
    try:
        yield
    finally:
        _listener.reset(token)


async def _on_request(request: Any) -> None:
    listener = _listener.get()
    if listener is None:
        return
    try:
        attempt = int(request.headers.get(RETRY_HEADER, "0") or 0)
    except ValueError:
        return
    if attempt > 0:
        listener(attempt)


def retry_hooks() -> dict[str, list]:
    """httpx event hooks that report retries (for an SDK's `http_client`)."""
    return {"request": [_on_request]}
