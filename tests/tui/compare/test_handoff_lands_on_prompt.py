"""`b` (base vs tuned) from a finished job lands on Compare's prompt even when a batch screen was
left open in Compare: the question typed next goes into the prompt box, and its letters (`s`)
never run the batch screen's keys (the checkpoint sweep)."""

from __future__ import annotations

from ftui.tui.screens.compare.batch import BatchScreen
from ftui.tui.screens.compare.sweep import SweepScreen
from ftui.tui.screens.jobs.job import JobScreen
from ftui.tui.shell.app import FtuiApp
from tests.compare.conftest import train
from tests.tui.compare.test_compare import BASE, OTHER, open_compare
from tests.tui.waiting import wait_for


async def test_base_vs_tuned_from_a_job_lands_on_the_prompt_over_a_batch(sandbox_session, marv_path):
    job_id, tuned = await train(sandbox_session.provider, marv_path)
    app = FtuiApp(sandbox_session)
    async with app.run_test(size=(80, 24)) as pilot:
        compare = await open_compare(app, pilot, left=BASE, right=OTHER)
        await pilot.press("ctrl+l")
        assert isinstance(app.screen, BatchScreen)

        await pilot.press("2")  # to Jobs, the batch left open under it
        await wait_for(pilot, lambda: app.current_mode == "jobs")
        app.open_job(job_id)
        await wait_for(pilot, lambda: isinstance(app.screen, JobScreen) and app.screen.job is not None
                       and app.screen.job.status == "succeeded")
        await wait_for(pilot, lambda: app.screen.check_action("compare_final", ()))
        await pilot.press("b")
        await wait_for(pilot, lambda: app.current_mode == "compare")
        await pilot.pause()

        assert app.screen is compare, app.screen
        assert compare.models == {"left": BASE, "right": tuned}
        user = compare.query_one("#compare-user")
        assert app.focused is user, app.focused
        await pilot.press("s", "a", "y")
        await pilot.pause()
        assert app.screen is compare and not isinstance(app.screen, SweepScreen)
        assert user.text.endswith("say"), user.text
