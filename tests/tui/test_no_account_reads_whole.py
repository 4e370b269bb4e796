"""With no account, Jobs, Files and Models say so in a line that wraps at 80 columns: the message (how
to connect, or to try the sandbox) was cut after about 60 characters in a one-row bar."""

from __future__ import annotations

import pytest

from ftui.core.session import Session
from ftui.tui.shell.app import FtuiApp
from ftui.tui.shell.no_account import NO_ACCOUNT
from tests.tui.waiting import until


def screen_text(app) -> str:
    """What the terminal really shows (clipped as drawn), its rows joined by spaces."""
    return " ".join(" ".join(strip.text.split()) for strip in app.screen._compositor.render_strips())


@pytest.mark.parametrize("section", ["jobs", "files", "models"])
async def test_the_no_account_message_reads_whole_at_80x24(section):
    app = FtuiApp(Session(None, "openai"))
    async with app.run_test(size=(80, 24)) as pilot:
        app.action_goto(section)
        await until(pilot, lambda: app.screen.id == section or section in type(app.screen).__name__.lower())
        await until(pilot, lambda: "No account" in screen_text(app))
        assert " ".join(NO_ACCOUNT.split()) in screen_text(app)

