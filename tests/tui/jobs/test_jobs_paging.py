"""The Jobs list after jobs are created behind it: a refresh shows what a fresh start shows (a first
page plus More), pages loaded with More stay without gaps, and the cursor stays on its job."""

from __future__ import annotations

from ftui.core.types import JobSpec
from ftui.tui.screens.jobs.jobs import JobsScreen
from ftui.tui.shell.app import FtuiApp
from ftui.widgets.job_table import JobTable
from tests.tui.waiting import wait_for

MODEL = "gpt-4o-mini-2024-07-18"


async def create_jobs(provider, file_id: str, count: int) -> list:
    return [await provider.create_job(JobSpec(model=MODEL, training_file=file_id, suffix=f"run-{i}"))
            for i in range(count)]


def state(screen) -> str:
    return str(screen.query_one("#jobs-state").render())


def more_line(screen) -> str:
    return str(screen.query_one("#jobs-more").render())


async def open_jobs(pilot, app) -> JobsScreen:
    app.action_goto("jobs")
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, JobsScreen)
    return screen


async def test_jobs_created_after_opening_show_a_page_and_more(sandbox_session, marv_path, monkeypatch):
    monkeypatch.setattr(JobsScreen, "PAGE_SIZE", 5)
    provider = sandbox_session.provider
    uploaded = await provider.upload_file(marv_path)
    first = await create_jobs(provider, uploaded.id, 1)
    app = FtuiApp(sandbox_session)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_jobs(pilot, app)
        table = screen.query_one(JobTable)
        await wait_for(pilot, lambda: list(table.jobs) == [first[0].id] and state(screen) == "1 job")
        assert not screen.has_more
        later = await create_jobs(provider, uploaded.id, 8)
        await pilot.press("r")
        newest = [j.id for j in reversed(later)][:5]
        await wait_for(pilot, lambda: list(table.jobs) == newest)  # not the 5 newest plus the old one
        assert state(screen) == "5 jobs" and screen.has_more and "press m" in more_line(screen)
        await pilot.press("m")
        await wait_for(pilot, lambda: len(table.jobs) == 9 and not screen.has_more)
        assert list(table.jobs) == [j.id for j in reversed(first + later)]


async def test_pages_loaded_with_more_stay_through_a_refresh_without_gaps(sandbox_session, marv_path,
                                                                         monkeypatch):
    monkeypatch.setattr(JobsScreen, "PAGE_SIZE", 3)
    provider = sandbox_session.provider
    uploaded = await provider.upload_file(marv_path)
    made = await create_jobs(provider, uploaded.id, 8)
    app = FtuiApp(sandbox_session)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_jobs(pilot, app)
        table = screen.query_one(JobTable)
        await wait_for(pilot, lambda: len(table.jobs) == 3)
        await pilot.press("m")
        await wait_for(pilot, lambda: len(table.jobs) == 6)
        table.move_cursor(row=4)
        kept = table.current.id
        newer = await create_jobs(provider, uploaded.id, 1)
        await pilot.press("r")
        await wait_for(pilot, lambda: newer[0].id in table.jobs)
        assert len(table.jobs) == 7 and screen.has_more  # the pages loaded with m stay
        assert table.current.id == kept  # the cursor stays on its job, one row lower
        await pilot.press("m")
        await wait_for(pilot, lambda: not screen.has_more)
        assert list(table.jobs) == [j.id for j in reversed(made + newer)]  # no gap, no repeat
