"""Jobs, Files and Models (one ListSection base) drawn from fixed rows, as their column and snapshot tests
need them: ids and times from an account would vary between runs."""

from __future__ import annotations

import time

from ftui.core.session import Session
from ftui.core.types import Page
from ftui.tui.shell.app import FtuiApp


def offline_app(monkeypatch, *, no_color: bool = False) -> FtuiApp:
    """An app without an account, its clock's zone UTC (and NO_COLOR, set before the app is built)."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    return FtuiApp(Session(None, "sandbox", simulated=True))


async def show_rows(pilot, section: str, rows: list, *, has_more: bool = False, down: int = 0) -> None:
    """Open `section` with `rows` as its first page, then move the cursor `down` rows."""
    pilot.app.action_goto(section)
    await pilot.pause()
    pilot.app.screen.show_first_page(Page(rows, has_more=has_more))
    await pilot.pause()
    for _ in range(down):
        await pilot.press("down")
    if down:
        await pilot.pause()
