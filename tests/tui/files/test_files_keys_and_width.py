"""Files at 80x24: a long name is cut in the table but read whole on the line under it; Escape
closes the path prompt in one press; pages loaded with m stay after leaving and coming back."""

from __future__ import annotations

from textual.widgets import DataTable, Input

from ftui.tui.screens.files.files import FilesScreen
from ftui.tui.shell.app import FtuiApp
from ftui.widgets.text_entry import is_text_entry
from tests.tui.files.test_files_screen import open_files
from tests.tui.waiting import wait_for

LONG = "customer-support-conversations-2025-q3-cleaned-deduplicated-final.jsonl"


async def test_a_cut_name_reads_whole_under_the_table(sandbox_session, marv_path, tmp_path):
    long_path = tmp_path / LONG
    long_path.write_bytes(marv_path.read_bytes())
    made = await sandbox_session.provider.upload_file(long_path, purpose="fine-tune")
    app = FtuiApp(sandbox_session)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_files(pilot, app)
        await wait_for(pilot, lambda: made.id in screen.files)
        detail = str(screen.query_one("#files-detail").render())
        assert LONG in detail and made.id in detail and f"{made.bytes:,} bytes" in detail


async def test_escape_closes_the_path_prompt_at_once(sandbox_session):
    app = FtuiApp(sandbox_session)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_files(pilot, app)
        await pilot.press("u")
        assert screen.query_one("#files-path", Input).has_focus
        await pilot.press("escape")
        assert not screen.query_one("#files-prompt").display
        assert not is_text_entry(app.focused)


async def test_pages_loaded_with_more_stay_after_leaving_and_returning(sandbox_session, marv_path, monkeypatch):
    provider = sandbox_session.provider
    for _ in range(7):
        await provider.upload_file(marv_path, purpose="fine-tune")
    monkeypatch.setattr(FilesScreen, "PAGE_SIZE", 5)  # small pages, so a few files are enough
    app = FtuiApp(sandbox_session)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_files(pilot, app)
        await wait_for(pilot, lambda: len(screen.files) == 5 and screen.has_more)
        await pilot.press("m")
        await wait_for(pilot, lambda: len(screen.files) == 7)
        app.screen.set_focus(None)
        await pilot.press("1")
        await pilot.press("alt+4")  # from the Data picker's path box
        assert app.current_mode == "files"
        await pilot.pause(0.3)
        await wait_for(pilot, lambda: not any(w.group == "files-list" and not w.is_finished for w in app.workers))
        assert len(screen.files) == 7
        assert screen.query_one("#files-table", DataTable).row_count == 7
