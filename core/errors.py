"""The one error type callers of core see, carrying what a person needs to act on it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class CoreError(Exception):
    message: str
    status: int | None = None  # HTTP status, when there was an answer
    code: str | None = None  # the provider's error code, e.g. "invalid_api_key"
    request_id: str | None = None
    hint: str = ""  # one line saying what to do about it
    kind: str = "api"  # api | connection | timeout | input | io
    retryable: bool = False

    def __str__(self) -> str:
        return self.summary()

    def summary(self) -> str:
        """One line for a notification: status, message, hint."""
        head = f"{self.status} " if self.status else ""
        text = f"{head}{self.message}"
        if self.hint:
            text += f" — {self.hint}"
        return text

    def details(self) -> str:
        parts = [self.summary()]
        if self.code:
            parts.append(f"code: {self.code}")
        if self.request_id:
            parts.append(f"request id: {self.request_id}")
        return "\n".join(parts)
