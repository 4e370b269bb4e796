"""`a` on the radar archives the highlighted profile: the folder box is pre-filled under ftui's data
folder, refuses a folder that is not empty in place, and the archive written in a worker reopens."""

from __future__ import annotations

from textual.widgets import DataTable, Input

from ftui.core.archive.reader import open_archive
from ftui.core.session import SessionRequest
from ftui.tui.screens.sunset.archive_folder import ArchiveFolderScreen
from ftui.tui.screens.sunset.radar import RadarScreen
from ftui.tui.shell.app import FtuiApp
from tests.migrate.conftest import closed_account, home  # noqa: F401  (fixtures)
from tests.tui.waiting import wait_for


async def test_a_archives_the_highlighted_profile_to_a_folder(closed_account, home, tmp_path):  # noqa: F811
    app = FtuiApp(SessionRequest(profile="old"))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.provider is not None)
        await pilot.press("alt+6")
        await wait_for(pilot, lambda: isinstance(app.screen, RadarScreen) and app.screen.radars)
        radar = app.screen
        (row,) = [k for k, (r, m) in radar.rows.items() if r.profile == "old" and m is None]
        radar.query_one("#sunset-table", DataTable).move_cursor(
            row=radar.query_one("#sunset-table", DataTable).get_row_index(row))
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, ArchiveFolderScreen))
        dialog = app.screen
        box = dialog.query_one("#save-path", Input)
        assert box.value.startswith(str(home["data"] / "archives" / "old-"))

        busy = tmp_path / "busy"
        busy.mkdir()
        (busy / "keep.txt").write_text("mine")
        box.value = str(busy)
        await pilot.press("enter")
        await pilot.pause(0.1)
        assert app.screen is dialog
        assert "is not empty" in str(dialog.query_one("#confirm-hint").render())
        assert (busy / "keep.txt").read_text() == "mine" and len(list(busy.iterdir())) == 1

        dest = tmp_path / "archive-old"
        box.value = str(dest)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is radar and radar.archived is not None, timeout=30)
        assert radar.archive_progress.startswith("done")
        assert radar.archived.counts["jobs"] == 1
    archive = open_archive(dest)
    (job,) = (await archive.list_jobs()).items
    assert job.id == closed_account["job"].id
    assert (await archive.list_events(job.id)).items
