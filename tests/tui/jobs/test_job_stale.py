"""The job view never lies about a job: it keeps following behind a dialog, says when a run ends in
seconds rather than "0 min", and says so when the server no longer has the job."""

from __future__ import annotations

import re

from ftui.core.connect import make_provider
from ftui.core.session import Session
from ftui.core.settings import load_settings
from ftui.core.types import JobSpec
from ftui.tui.screens.dialogs.confirm import ConfirmScreen
from ftui.tui.screens.jobs.job import JobScreen, time_left
from ftui.tui.screens.jobs.jobs import JobsScreen
from ftui.tui.shell.app import FtuiApp
from ftui.widgets.job_table import JobTable
from tests.tui.waiting import wait_for

MODEL = "gpt-4o-mini-2024-07-18"


def summary(view) -> str:
    return str(view.query_one("#job-summary").render())


def shown_step(view) -> int:
    found = re.search(r"step (\d+)", summary(view))
    return int(found.group(1)) if found else -1


async def started(sandbox, path, **spec):
    provider = make_provider(load_settings("sandbox", env={}), sandbox_base_url=sandbox.base_url)
    upload = await provider.upload_file(path)
    job = await provider.create_job(JobSpec(model=MODEL, training_file=upload.id, **spec))
    return provider, job


def test_time_left_says_seconds_under_a_minute():
    assert time_left(45) == "in 45 s"
    assert time_left(0) == "any moment now"
    assert time_left(150) == "in 2 min 30 s"


async def test_the_view_keeps_following_behind_the_pause_dialog(sandbox_factory, marv_path, monkeypatch):
    monkeypatch.setattr(JobScreen, "POLL_SECONDS", 0.2)
    server = sandbox_factory(speed=0.6)  # a run of about 30-50 s: long enough to watch it move
    provider, job = await started(server, marv_path, hyperparameters={"n_epochs": 10})
    app = FtuiApp(Session(provider, "sandbox", simulated=True))
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            app.action_goto("jobs")
            await pilot.pause()
            app.open_job(job.id)
            await wait_for(pilot, lambda: isinstance(app.screen, JobScreen) and shown_step(app.screen) > 0,
                           timeout=40)
            view = app.screen
            assert "(in 0 min)" not in summary(view)
            await pilot.press("p")
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            dialog = str(app.screen.query_one("#confirm-message").render())
            assert "now" in dialog and "step" in dialog and "behind this dialog" in dialog
            before = shown_step(view)
            await wait_for(pilot, lambda: shown_step(view) > before + 1, timeout=10)  # hidden polls took 20 s
            await pilot.press("y")
            await wait_for(pilot, lambda: view.job.status == "paused", timeout=15)
            await wait_for(pilot, lambda: any("paused at step" in str(n.message) for n in app._notifications),
                           timeout=15)
    finally:
        await provider.aclose()


async def test_a_job_the_restarted_server_lost_is_said_gone(sandbox_factory, marv_path, monkeypatch):
    monkeypatch.setattr(JobScreen, "POLL_SECONDS", 0.2)
    first = sandbox_factory(speed=0.05)  # still validating or queued when the server goes
    port = int(first.base_url.rsplit(":", 1)[1].split("/")[0])
    provider, job = await started(first, marv_path)
    app = FtuiApp(Session(provider, "sandbox", simulated=True))
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            app.action_goto("jobs")
            jobs = app.screen
            assert isinstance(jobs, JobsScreen)
            await wait_for(pilot, lambda: job.id in jobs.query_one(JobTable).jobs)
            app.open_job(job.id)
            await wait_for(pilot, lambda: isinstance(app.screen, JobScreen) and app.screen.job is not None)
            view = app.screen
            first.stop()
            sandbox_factory(port=port)  # the same address, an empty account
            await wait_for(pilot, lambda: "no longer on the server" in summary(view), timeout=15)
            assert view.check_action("cancel_job", ()) is False and view.check_action("pause_job", ()) is False
            await pilot.press("escape")
            assert app.screen is jobs
            jobs.load_list()
            await wait_for(pilot, lambda: job.id not in jobs.query_one(JobTable).jobs, timeout=10)
    finally:
        await provider.aclose()
