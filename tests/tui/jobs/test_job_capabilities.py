"""The job view offers only what the provider can do: no pause/resume keys on Together (it says
so instead), both on OpenAI's API while a job runs; on Together, whose tuned models answer only
once deployed, b and c compare against a ready endpoint and are not offered while there is none."""

from __future__ import annotations

import asyncio
import time

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


async def _succeeded(provider, job_id: str):
    deadline = time.monotonic() + 30
    while not (job := await provider.retrieve_job(job_id)).finished:
        assert time.monotonic() < deadline, f"job stuck in {job.status}"
        await asyncio.sleep(0.05)
    assert job.status == "succeeded" and job.fine_tuned_model
    return job


async def _deployed(provider, model: str):
    made = await provider.create_deployment(model, (await provider.list_hardware())[0].id)
    deadline = time.monotonic() + 10
    while not (made := await provider.retrieve_deployment(made.id)).ready:
        assert time.monotonic() < deadline, "endpoint never became ready"
        await asyncio.sleep(0.05)
    return made


def summary(view) -> str:
    return " ".join(str(view.query_one("#job-summary").render()).split())


async def test_together_compares_only_against_a_ready_endpoint(sandbox_factory, marv_path):
    from ftui.core.backends.together_backend import make_sandbox_provider
    from ftui.core.session import Session

    thread = sandbox_factory(dialect="together")
    provider = make_sandbox_provider(thread.base_url)
    upload = await provider.upload_file(marv_path)
    model = (await provider.fine_tunable_models())[0]
    job = await _succeeded(provider, (await provider.create_job(JobSpec(
        model=model, training_file=upload.id, hyperparameters={"n_checkpoints": 2}))).id)
    thread.handle.ctx.speed = 1e6  # endpoints are ready at once
    app = FtuiApp(Session(provider, "sandbox", simulated=True))
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            view = await open_job_view(pilot, app, job.id)
            await wait_for(pilot, lambda: view.follower.checkpoints and "Models (5, then p)" in summary(view))
            assert "answers only on a dedicated endpoint" in summary(view)
            for action in ("compare_final", "compare_checkpoint"):  # Together would refuse the chat
                assert view.check_action(action, ()) is False, action
            assert "Base vs tuned" not in footer_text(view) and "Compare ckpt" not in footer_text(view)
            await pilot.press("b")
            await pilot.pause()
            assert app.current_mode == "jobs"

            # deployed elsewhere (Models, p): r reloads the endpoints, b compares against it
            endpoint = await _deployed(provider, job.fine_tuned_model)
            await pilot.press("r")
            await wait_for(pilot, lambda: view.check_action("compare_final", ()))
            assert "dedicated endpoint" not in summary(view) and "Base vs tuned" in footer_text(view)
            assert view.check_action("compare_checkpoint", ()) is False  # its checkpoints are not deployed
            await pilot.press("b")
            await wait_for(pilot, lambda: app.current_mode == "compare")
            assert app.screen.models == {"left": job.model, "right": endpoint.chat_model}

            # a deployed checkpoint: c compares against its endpoint
            checkpoint = view.follower.checkpoints[-1]
            served = await _deployed(provider, checkpoint.model)
            app.action_goto("jobs")
            await wait_for(pilot, lambda: app.screen is view and view.check_action("compare_checkpoint", ()))
            await pilot.press("c")  # to the Checkpoints tab
            await pilot.pause()
            view.query_one("#job-checkpoints").move_cursor(row=view.follower.checkpoints.index(checkpoint))
            await pilot.press("c")
            await wait_for(pilot, lambda: app.current_mode == "compare")
            assert app.screen.models == {"left": job.model, "right": served.chat_model}
    finally:
        await provider.aclose()


async def test_a_finished_job_without_its_model_name_says_why(sandbox_factory, marv_path):
    from ftui.core.backends.together_backend import make_sandbox_provider
    from ftui.core.session import Session
    from ftui.tui.screens.jobs.job import NO_OUTPUT_NAME

    thread = sandbox_factory(dialect="together")
    thread.handle.ctx.unnamed_outputs = True  # Together may not name a completed job's model at once
    provider = make_sandbox_provider(thread.base_url)
    upload = await provider.upload_file(marv_path)
    model = (await provider.fine_tunable_models())[0]
    job = await provider.create_job(JobSpec(model=model, training_file=upload.id))
    while not (await provider.retrieve_job(job.id)).finished:
        await asyncio.sleep(0.05)
    app = FtuiApp(Session(provider, "sandbox", simulated=True))
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            view = await open_job_view(pilot, app, job.id)
            await wait_for(pilot, lambda: NO_OUTPUT_NAME in summary(view))
            assert view.job.status == "succeeded" and view.check_action("compare_final", ()) is False
            assert "(provider: completed)" in summary(view)  # Together's own word beside ours
            thread.handle.ctx.unnamed_outputs = False  # named later: r asks again and it shows
            await pilot.press("r")
            await wait_for(pilot, lambda: view.job.fine_tuned_model and NO_OUTPUT_NAME not in summary(view))
            assert view.job.fine_tuned_model in summary(view)
    finally:
        await provider.aclose()
