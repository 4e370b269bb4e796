"""Files paged in with More stay after leaving and returning and after a refresh, and a refresh
still shows files uploaded behind the list."""

from __future__ import annotations

from textual.widgets import DataTable

from ftui.tui.screens.files.files import FilesScreen
from ftui.tui.shell.app import FtuiApp
from tests.tui.files.test_files_screen import open_files
from tests.tui.waiting import wait_for


def idle(app) -> bool:
    return not any(w.group == "files-list" and not w.is_finished for w in app.workers)


async def test_pages_stay_after_returning_and_after_refresh(sandbox_session, marv_path, monkeypatch):
    monkeypatch.setattr(FilesScreen, "PAGE_SIZE", 3)
    provider = sandbox_session.provider
    made = [await provider.upload_file(marv_path, purpose="fine-tune") for _ in range(7)]
    app = FtuiApp(sandbox_session)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_files(pilot, app)
        await wait_for(pilot, lambda: len(screen.files) == 3 and screen.has_more)
        await pilot.press("m")
        await wait_for(pilot, lambda: len(screen.files) == 6)
        app.action_goto("jobs")
        await pilot.pause()
        app.action_goto("files")
        await pilot.pause(0.2)
        await wait_for(pilot, lambda: idle(app))
        assert len(screen.files) == 6 and screen.has_more  # not back to the first page
        newer = await provider.upload_file(marv_path, purpose="fine-tune")
        await pilot.press("r")
        await wait_for(pilot, lambda: newer.id in screen.files)
        assert len(screen.files) == 7 and screen.has_more
        assert "7 files · more on the account" in str(screen.query_one("#files-state").render())
        await pilot.press("m")
        await wait_for(pilot, lambda: not screen.has_more)
        assert list(screen.files) == [f.id for f in reversed(made + [newer])]
        assert screen.query_one("#files-table", DataTable).row_count == 8
