"""Bytes moved, rate and time left for an upload or download, updated at most ~10 times a second."""

from __future__ import annotations

import time

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import ProgressBar, Static

from ftui.widgets.formats import human_bytes, human_seconds


def describe(done: int, total: int, elapsed: float) -> str:
    """'3.0 MB / 12.0 MB · 1.5 MB/s · 6 s left'"""
    parts = [f"{human_bytes(done)} / {human_bytes(total)}"]
    if elapsed > 0.2 and done > 0:
        rate = done / elapsed
        parts.append(f"{human_bytes(rate)}/s")
        if total > done:
            parts.append(f"{human_seconds((total - done) / rate)} left")
    return " · ".join(parts)


class TransferProgressBar(Horizontal):
    """A label, a bar and a figures line for one transfer."""

    DEFAULT_CSS = """
    TransferProgressBar {
        height: 1;
        width: 1fr;
    }
    TransferProgressBar > #transfer-label { width: auto; padding: 0 1 0 0; }
    TransferProgressBar > ProgressBar { width: auto; }
    TransferProgressBar > #transfer-figures { width: 1fr; padding: 0 0 0 1; color: $text-muted; }
    """

    MIN_INTERVAL = 0.1

    def __init__(self, label: str = "", **kwargs) -> None:
        super().__init__(**kwargs)
        self._label = label
        self._started = time.monotonic()
        self._last_draw = 0.0
        self.done = 0
        self.total = 0

    def compose(self) -> ComposeResult:
        yield Static(self._label, id="transfer-label")
        yield ProgressBar(total=100, show_eta=False, id="transfer-bar")
        yield Static("", id="transfer-figures")

    def start(self, label: str, total: int) -> None:
        self._label = label
        self._started = time.monotonic()
        self._last_draw = 0.0
        self.done, self.total = 0, total
        self.query_one("#transfer-label", Static).update(label)
        self._draw()

    def update_progress(self, done: int, total: int) -> None:
        """Record progress; redraws are throttled so floods of callbacks stay cheap."""
        self.done, self.total = done, total
        now = time.monotonic()
        if now - self._last_draw >= self.MIN_INTERVAL or done >= total:
            self._last_draw = now
            self._draw()

    def finish(self, text: str) -> None:
        self.query_one("#transfer-figures", Static).update(text)

    def _draw(self) -> None:
        bar = self.query_one(ProgressBar)
        bar.update(total=max(1, self.total), progress=min(self.done, self.total))
        figures = describe(self.done, self.total, time.monotonic() - self._started)
        self.query_one("#transfer-figures", Static).update(figures)
