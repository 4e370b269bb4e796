"""What the command palette (ctrl+p) lists for a query, read as a user reads it."""

from __future__ import annotations

import asyncio

from textual.command import CommandInput, CommandList, CommandPalette

from tests.tui.waiting import wait_for


async def palette_offers(app, pilot, query: str) -> list[str]:
    """What ctrl+p lists for `query`, as its prompts read; the palette is closed again."""
    await pilot.press("ctrl+p")
    await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
    app.screen.query_one(CommandInput).value = query
    found: list[str] = []

    def listed() -> bool:
        options = app.screen.query_one(CommandList)
        found[:] = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        return bool(found)

    try:
        await wait_for(pilot, listed, timeout=3)
    except AssertionError:
        pass  # nothing matched
    await asyncio.sleep(0.3)  # late hits from the search still arrive
    listed()
    await pilot.press("escape")
    await wait_for(pilot, lambda: not isinstance(app.screen, CommandPalette))
    return found
