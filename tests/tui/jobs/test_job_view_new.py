"""`2` brings Jobs back as it was left, often on a job's view; `n` there opens the launch form as it
does on the list (walking the loop in tmux, `2, n` after a fix did nothing on the job view)."""

from __future__ import annotations

from ftui.tui.screens.compare.compare import CompareScreen
from ftui.tui.screens.jobs.job import JobScreen
from ftui.tui.screens.jobs.launch import LaunchScreen
from ftui.tui.shell.app import FtuiApp
from tests.tui.jobs.test_job_capabilities import open_job_view
from tests.tui.jobs.test_jobs_list import finished_job
from tests.tui.waiting import wait_for


async def test_n_on_a_job_view_reached_with_2_opens_the_launch_form(sandbox_session, marv_path):
    job = await finished_job(sandbox_session.provider, marv_path)
    app = FtuiApp(sandbox_session)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_job_view(pilot, app, job.id)
        await pilot.press("3")
        await wait_for(pilot, lambda: isinstance(app.screen, CompareScreen))
        await pilot.press("alt+2")  # the prompt box has the focus there: plain digits type
        await wait_for(pilot, lambda: isinstance(app.screen, JobScreen))
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, LaunchScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, JobScreen))  # back where n was pressed
