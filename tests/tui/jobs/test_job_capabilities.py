"""The job view offers only what the provider can do: no pause/resume keys on Together (it says
so instead), both on OpenAI's API while a job runs."""

from __future__ import annotations

from ftui.core.types import JobSpec
from ftui.tui.screens.jobs.job import NO_PAUSE, JobScreen
from ftui.tui.shell.app import FtuiApp
from ftui.widgets.key_footer import KeyFooter
from tests.tui.waiting import wait_for


async def open_job_view(pilot, app, job_id: str) -> JobScreen:
    app.action_goto("jobs")
    await pilot.pause()
    app.open_job(job_id)
    await wait_for(pilot, lambda: isinstance(app.screen, JobScreen) and app.screen.job is not None)
    return app.screen


def footer_text(screen) -> str:
    return str(screen.query_one(KeyFooter).render())


async def test_together_job_view_says_it_cannot_pause(sandbox_factory, marv_path):
    from ftui.core.backends.together_backend import make_sandbox_provider
    from ftui.core.session import Session

    slow = sandbox_factory(dialect="together", speed=0.05)  # the job stays unfinished meanwhile
    provider = make_sandbox_provider(slow.base_url)
    upload = await provider.upload_file(marv_path)
    model = (await provider.fine_tunable_models())[0]
    job = await provider.create_job(JobSpec(model=model, training_file=upload.id))
    app = FtuiApp(Session(provider, "sandbox", simulated=True))
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            view = await open_job_view(pilot, app, job.id)
            await wait_for(pilot, lambda: NO_PAUSE in str(view.query_one("#job-summary").render()))
            assert view.check_action("pause_job", ()) is False
            assert view.check_action("resume_job", ()) is False
            assert "Pause" not in footer_text(view) and "Resume" not in footer_text(view)
            assert "Cancel" in footer_text(view)
            await pilot.press("p")  # the key does nothing but say why
            await pilot.pause()
            assert view.job.status != "paused"
    finally:
        await provider.aclose()


async def test_openai_job_view_offers_pause_while_running(sandbox_factory, marv_path):
    from ftui.core.connect import make_provider
    from ftui.core.session import Session
    from ftui.core.settings import load_settings

    slow = sandbox_factory(speed=0.05)
    provider = make_provider(load_settings("sandbox", env={}), sandbox_base_url=slow.base_url)
    upload = await provider.upload_file(marv_path)
    job = await provider.create_job(JobSpec(model="gpt-4o-mini-2024-07-18", training_file=upload.id))
    app = FtuiApp(Session(provider, "sandbox", simulated=True))
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            view = await open_job_view(pilot, app, job.id)
            assert NO_PAUSE not in str(view.query_one("#job-summary").render())
            assert view.check_action("pause_job", ()) == (view.job.status == "running")
    finally:
        await provider.aclose()
