"""A finished upload says so in words and takes its progress bar away: a bar left at "100%" reads as busy."""

from __future__ import annotations

from ftui.tui.shell.app import FtuiApp
from ftui.widgets.transfer_progress import TransferProgressBar
from tests.tui.files.test_files_screen import open_files
from tests.tui.waiting import wait_for


async def test_the_progress_line_goes_when_the_upload_is_done(sandbox_session, marv_path):
    app = FtuiApp(sandbox_session)
    app.current_dataset = marv_path
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_files(pilot, app)
        await pilot.press("u")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.last_uploaded is not None)
        await pilot.pause()
        assert not screen.query_one(TransferProgressBar).display
        assert screen.last_uploaded.id in str(screen.query_one("#files-message").render())
