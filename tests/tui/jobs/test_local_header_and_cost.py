"""On the local engine (the tiny model trained for real, over loopback HTTP): every screen's header
names the provider's own label, as the launch form does, also when the account connects after the
first frame; and a finished job's cost is the time it took on this machine, not an unknown price."""

from __future__ import annotations

import asyncio

from textual.widgets import Static

from ftui.core.session import Session
from ftui.core.types import Job, JobSpec
from ftui.tui.screens.jobs.job import JobScreen
from ftui.tui.shell.app import FtuiApp
from ftui.widgets.status_header import StatusHeader
from tests.local.style_data import style_rows, write_jsonl
from tests.tui.jobs.provider_sessions import tiny_model_id
from tests.tui.waiting import wait_for

LOCAL_LABEL = "LOCAL - real training on this machine (cpu, 1 thread)"
SECTIONS = ("data", "jobs", "compare", "files", "models", "sunset")


def header_profile(app) -> str:
    return app.screen.query_one(StatusHeader).profile


async def test_every_section_header_names_the_local_engine(local_session):
    assert local_session.label == "local"  # what the headers used to show
    app = FtuiApp(local_session)
    async with app.run_test(size=(80, 24)) as pilot:
        for mode in SECTIONS:
            app.action_goto(mode)
            await pilot.pause()
            assert header_profile(app) == LOCAL_LABEL, mode
        app.action_goto("jobs")
        await pilot.pause()
        await pilot.press("n")  # the launch form, which already said it
        await wait_for(pilot, lambda: app.screen.BREADCRUMB == ("Jobs", "new job"))
        assert header_profile(app) == LOCAL_LABEL
        # 80 columns cannot hold "Jobs › new job" beside the label: the last step alone
        assert app.screen.query_one(StatusHeader).section == "New job"


async def test_a_header_built_before_the_account_connects_follows_it(local_session):
    app = FtuiApp(Session(None, "local", connecting=True))
    async with app.run_test(size=(80, 24)) as pilot:
        assert header_profile(app) == "local"
        app._session_ready(local_session)  # what the connecting worker hands over
        await pilot.pause()
        assert header_profile(app) == LOCAL_LABEL
        app.action_goto("files")
        await pilot.pause()
        assert header_profile(app) == LOCAL_LABEL


async def trained_job(provider, engine, path) -> Job:
    uploaded = await provider.upload_file(path)
    job = await provider.create_job(JobSpec(model=tiny_model_id(engine), training_file=uploaded.id,
                                            hyperparameters={"n_epochs": 1, "batch_size": 5}))
    for _ in range(600):
        job = await provider.retrieve_job(job.id)
        if job.finished:
            break
        await asyncio.sleep(0.1)
    assert job.status == "succeeded", job
    return job


async def test_a_finished_local_job_costs_time_on_this_machine(local_session, local_engine, tmp_path):
    path = write_jsonl(tmp_path / "style.jsonl", style_rows(10))
    job = await trained_job(local_session.provider, local_engine, path)
    app = FtuiApp(local_session)
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_job(job.id)
        await wait_for(pilot, lambda: isinstance(app.screen, JobScreen) and app.screen._billing, timeout=30)
        summary = str(app.screen.query_one("#job-summary", Static).render())
        seconds = job.finished_at - job.created_at
        took = f"{seconds} s" if seconds < 60 else f"{seconds // 60} min {seconds % 60:02d} s"
        assert f"Trained {job.trained_tokens:,} tokens on this machine in {took} · $0" in summary
        assert "Billed" not in summary and "unknown price" not in summary
