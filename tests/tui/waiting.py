"""Waiting in UI tests for what a user would wait for: a condition on the screen, with a limit."""

from __future__ import annotations

import asyncio

from textual.css.query import NoMatches


async def wait_for(pilot, condition, timeout: float = 20.0) -> None:
    """Pause the app until `condition()` holds (a widget not composed yet counts as not yet)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout

    def holds() -> bool:
        try:
            return bool(condition())
        except NoMatches:
            return False

    while not holds():
        if loop.time() > end:
            raise AssertionError("timed out waiting")
        await pilot.pause(0.05)


async def until(pilot, condition, timeout: float = 10.0) -> None:
    """`wait_for`, then one more pause so the screen has drawn what made it true (for snapshots)."""
    await wait_for(pilot, condition, timeout)
    await pilot.pause()
