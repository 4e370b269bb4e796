"""`ftui --archive DIR`: an archived sandbox account reopens in the workbench, read-only. The header
says so, the job list, a job's events and checkpoints, and the models show, and what would write is
refused with the archive's message instead of a traceback."""

from __future__ import annotations

from textual.widgets import DataTable

from ftui.core.archive.write import archive_account
from ftui.core.session import SessionRequest
from ftui.tui.cli import _app_parser
from ftui.tui.screens.jobs.job import JobScreen
from ftui.tui.shell.app import FtuiApp
from ftui.widgets.event_log import EventLog
from ftui.widgets.job_table import JobTable
from ftui.widgets.status_header import StatusHeader
from tests.migrate.conftest import closed_account, home, sdk_provider  # noqa: F401  (fixtures)
from tests.tui.waiting import wait_for


async def test_an_archive_reopens_read_only_with_its_jobs_and_events(closed_account, tmp_path):  # noqa: F811
    live = sdk_provider(closed_account["sandbox"].base_url, "old")
    try:
        await archive_account(live, tmp_path / "arch", profile="old")
        live_events = (await live.list_events(closed_account["job"].id, limit=100)).items
    finally:
        await live.aclose()
    closed_account["sandbox"].stop()  # the account is gone; only the archive is left
    job = closed_account["job"]
    args = _app_parser().parse_args(["--archive", str(tmp_path / "arch")])
    app = FtuiApp(SessionRequest(archive=args.archive))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.provider is not None)
        assert app.profile_label == f"ARCHIVE - read-only: {tmp_path / 'arch'}"
        await pilot.press("alt+2")
        await wait_for(pilot, lambda: app.screen.query_one(JobTable).row_count == 1)
        jobs = app.screen
        # the header names the provider's own label (FtuiApp.header_profile): the archived profile, read-only
        header = jobs.query_one(StatusHeader).profile
        assert header.startswith("ARCHIVE - ") and "read-only" in header
        assert str(jobs.query_one(JobTable).coordinate_to_cell_key((0, 0)).row_key.value) == job.id
        assert not jobs.check_action("new", ())  # an archive launches nothing: no launch form offered

        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, JobScreen) and app.screen.follower
                       and app.screen.follower.checkpoints)
        screen = app.screen
        log = screen.query_one("#job-events", EventLog)
        await wait_for(pilot, lambda: len(log._ids) == len(live_events))
        assert not screen.check_action("pause_job", ()) and not screen.check_action("cancel_job", ())
        await pilot.press("escape")

        await pilot.press("alt+5")
        await wait_for(pilot, lambda: any(t.row_count for t in app.screen.query(DataTable)))
        assert job.fine_tuned_model[:30] in text_of(app)

        # What would write is refused in place with the archive's reason.
        await pilot.press("alt+4")
        await wait_for(pilot, lambda: getattr(app.screen, "files", None))
        await pilot.press("d")
        await pilot.pause(0.2)
        await pilot.press("y")
        await wait_for(pilot, lambda: "read-only): cannot delete files" in text_of(app))
        assert app.screen.files  # nothing was removed


def text_of(app) -> str:
    return app.export_screenshot().replace("&#160;", " ")


async def test_a_folder_that_is_not_an_archive_says_so(tmp_path):
    (tmp_path / "empty").mkdir()
    app = FtuiApp(SessionRequest(archive=tmp_path / "empty"))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: not app.session.connecting)
        assert app.provider is None and "not an ftui archive" in (app.session.problem or "")
        await pilot.pause(0.2)
        assert "not an ftui archive" in text_of(app)
