"""Jobs list (newest first, filter, paging), job actions with confirmation, finish notices."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

import ftui.tui.shell.app
from ftui.core.connect import make_provider
from ftui.core.session import Session
from ftui.core.settings import load_settings
from ftui.core.types import JobSpec
from ftui.tui.screens.dialogs.confirm import ConfirmScreen
from ftui.tui.screens.jobs.job import JobScreen
from ftui.tui.screens.jobs.jobs import JobsScreen
from ftui.tui.shell.app import FtuiApp
from ftui.tui.shell.notifier import JobNotifier
from ftui.widgets.job_table import JobTable
from tests.tui.waiting import wait_for

MODEL = "gpt-4o-mini-2024-07-18"


async def session_at(sandbox_factory, speed: float):
    sandbox = sandbox_factory(speed=speed)
    provider = make_provider(load_settings("sandbox", env={}), sandbox_base_url=sandbox.base_url)
    return Session(provider, "sandbox", simulated=True)


@pytest.fixture
async def slow_session(sandbox_factory):
    """A sandbox where a job trains for several seconds, long enough to pause and cancel it."""
    session = await session_at(sandbox_factory, 4)
    yield session
    await session.provider.aclose()


@pytest.fixture
async def brisk_session(sandbox_factory):
    """Jobs finish in a second or two: seen running first, then finished."""
    session = await session_at(sandbox_factory, 20)
    yield session
    await session.provider.aclose()


async def start_jobs(provider, path: Path, count: int) -> list:
    uploaded = await provider.upload_file(path)
    jobs = []
    for i in range(count):
        jobs.append(await provider.create_job(JobSpec(model=MODEL, training_file=uploaded.id,
                                                      suffix=f"run-{i}")))
    return jobs


async def test_list_newest_first_filter_and_paging(slow_session, marv_path, monkeypatch, shoot):
    provider = slow_session.provider
    jobs = await start_jobs(provider, marv_path, 3)
    await provider.cancel_job(jobs[0].id)
    monkeypatch.setattr(JobsScreen, "PAGE_SIZE", 2)
    app = FtuiApp(slow_session)
    async with app.run_test(size=(80, 24)) as pilot:
        app.action_goto("jobs")
        await pilot.pause()
        screen = app.screen
        table = screen.query_one(JobTable)
        await wait_for(pilot, lambda: table.row_count == 2)
        assert list(table.jobs) == [jobs[2].id, jobs[1].id]
        assert screen.has_more
        assert "press m" in str(screen.query_one("#jobs-more").render())
        await pilot.press("m")
        await wait_for(pilot, lambda: table.row_count == 3)
        assert list(table.jobs) == [j.id for j in reversed(jobs)]
        shoot(app, "jobs-list")
        # filter by status: cycle to "cancelled"
        while screen.status_filter != "cancelled":
            await pilot.press("f")
        await wait_for(pilot, lambda: list(table.jobs) == [jobs[0].id])
        assert "cancelled" in str(screen.query_one("#jobs-filter").render())
        # Enter opens the live view
        table.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, JobScreen))
        assert app.screen.job_id == jobs[0].id
        for other in jobs[1:]:
            await provider.cancel_job(other.id)


async def test_pause_resume_cancel_with_confirmation(slow_session, marv_path, shoot, monkeypatch):
    monkeypatch.setattr(JobScreen, "POLL_SECONDS", 0.3)
    provider = slow_session.provider
    (job,) = await start_jobs(provider, marv_path, 1)
    app = FtuiApp(slow_session)
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_job(job.id)  # the hand-off other sections use
        await wait_for(pilot, lambda: isinstance(app.screen, JobScreen))
        view = app.screen
        await wait_for(pilot, lambda: view.job is not None and view.job.status == "running", timeout=30)
        shoot(app, "jobs-job-running")

        async def act(key: str, answer: str, status: str) -> None:
            await pilot.press(key)
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            await pilot.press(answer)
            await wait_for(pilot, lambda: app.screen is view)
            if status:
                await wait_for(pilot, lambda: view.job.status == status)

        await act("x", "n", "")  # "no" leaves it running
        assert (await provider.retrieve_job(job.id)).status == "running"
        await act("p", "y", "paused")
        await act("u", "y", "running")
        app.action_goto("files")  # hidden: the view polls slowly
        await pilot.pause()
        assert view.follower.hidden
        app.action_goto("jobs")
        await pilot.pause()
        assert app.screen is view and not view.follower.hidden
        await act("x", "y", "cancelled")
        assert (await provider.retrieve_job(job.id)).status == "cancelled"
        await pilot.press("p")  # not possible any more: explained, nothing asked
        await pilot.pause()
        assert app.screen is view


class BellApp(FtuiApp):
    CSS_PATH = str(Path(ftui.tui.shell.app.__file__).parent / "app.tcss")
    rings = 0

    def bell(self) -> None:
        self.rings += 1


async def test_a_finished_job_is_announced_anywhere_in_the_app(brisk_session, marv_path):
    provider = brisk_session.provider
    uploaded = await provider.upload_file(marv_path)
    app = BellApp(brisk_session)
    async with app.run_test(size=(80, 24)) as pilot:
        notifier = JobNotifier.ensure(app, interval=0.1)
        job = await provider.create_job(JobSpec(model=MODEL, training_file=uploaded.id))
        await wait_for(pilot, lambda: job.id in notifier.statuses)
        app.action_goto("files")  # the user is elsewhere
        await wait_for(pilot, lambda: job.id in notifier.announced)
        assert app.rings == 1
        assert any(job.id in n.message and "succeeded" in n.message for n in app._notifications)
        assert JobNotifier.ensure(app) is notifier
        await pilot.pause(0.3)
        assert app.rings == 1  # once only


async def finished_job(provider, path: Path, **spec):
    uploaded = await provider.upload_file(path)
    job = await provider.create_job(JobSpec(model=MODEL, training_file=uploaded.id, **spec))
    for _ in range(400):
        job = await provider.retrieve_job(job.id)
        if job.finished:
            return job
        await asyncio.sleep(0.05)
    raise AssertionError("the job did not finish")


async def test_a_long_history_loads_on_demand(sandbox_session, marv_path):
    provider = sandbox_session.provider
    job = await finished_job(provider, marv_path)
    app = FtuiApp(sandbox_session)
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_job(job.id)
        await wait_for(pilot, lambda: isinstance(app.screen, JobScreen))
        view = app.screen
        log = view.query_one("#job-events")
        await wait_for(pilot, lambda: len(log.events) == 100)  # the newest page first
        note = view.query_one("#job-events-note")
        assert "h: load older events" in str(note.render())
        await pilot.press("h")
        await wait_for(pilot, lambda: view.follower.history_complete and len(log.events) > 100)
        ids = [e.id for e in log.events]
        assert len(ids) == len(set(ids))
        assert log.events[0].message.startswith("Created fine-tuning job")
        assert "h: load older" not in str(note.render())


async def test_a_failed_job_shows_its_error(sandbox_session, marv_path, tmp_path):
    provider = sandbox_session.provider
    few = tmp_path / "few.jsonl"
    few.write_text("".join(marv_path.read_text().splitlines(keepends=True)[:5]))
    valid = await provider.upload_file(few)
    job = await finished_job(provider, marv_path, validation_file=valid.id)
    assert job.status == "failed"
    app = FtuiApp(sandbox_session)
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_job(job.id)
        await wait_for(pilot, lambda: isinstance(app.screen, JobScreen))
        view = app.screen
        summary = view.query_one("#job-summary")
        await wait_for(pilot, lambda: "Failed" in str(summary.render()))
        text = str(summary.render())
        assert job.error.code in text and "at least 10" in text


async def test_alarms_show_on_the_job_view_and_notify(sandbox_session, marv_path):
    from ftui.core.types import JobEvent

    provider = sandbox_session.provider
    job = await finished_job(provider, marv_path)
    app = FtuiApp(sandbox_session)
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_job(job.id)
        await wait_for(pilot, lambda: isinstance(app.screen, JobScreen))
        view = app.screen
        await wait_for(pilot, lambda: view.job is not None and view.follower.events)
        alarms = view.query_one("#job-alarms")
        assert not alarms.display
        # a synthetic series: validation loss climbing while training loss falls
        train = [1.0, 0.9, 0.8, 0.7, 0.6]
        valid = [1.0, 1.05, 1.1, 1.2, 1.3]
        view.follower.events.extend(
            JobEvent(id=f"synthetic-{i}", created_at=job.created_at, level="info", message="", type="metrics",
                     data={"step": 1000 + i, "train_loss": t, "valid_loss": v})
            for i, (t, v) in enumerate(zip(train, valid)))
        view._check_alarms()
        await pilot.pause()
        assert alarms.display and "overfitting" in str(alarms.render())
        assert any("overfitting" in n.message for n in app._notifications)


async def test_open_job_replaces_the_job_view_and_keeps_one(sandbox_session, marv_path):
    provider = sandbox_session.provider
    first = await finished_job(provider, marv_path)
    second = await finished_job(provider, marv_path)
    app = FtuiApp(sandbox_session)
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_job(first.id)
        await wait_for(pilot, lambda: isinstance(app.screen, JobScreen))
        app.action_goto("models")
        await pilot.pause()
        app.open_job(second.id)
        await wait_for(pilot, lambda: isinstance(app.screen, JobScreen) and app.screen.job_id == second.id)
        assert [type(s).__name__ for s in app.screen_stack] == ["JobsScreen", "JobScreen"]
        # jobs that finished before they were opened are not announced again
        assert not any("finished" in (n.title or "") for n in app._notifications)
        app.open_job(second.id)  # the same job again: nothing changes
        await pilot.pause()
        assert len(app.screen_stack) == 2


async def test_an_unknown_job_is_explained_in_place(sandbox_session):
    app = FtuiApp(sandbox_session)
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_job("ftjob-doesnotexist")
        await wait_for(pilot, lambda: isinstance(app.screen, JobScreen))
        view = app.screen
        summary = view.query_one("#job-summary")
        await wait_for(pilot, lambda: "404" in str(summary.render()))
        assert "could not load" in str(summary.render())
        await pilot.press("escape")
        assert isinstance(app.screen, JobsScreen)


async def test_the_footer_offers_only_what_the_job_allows(sandbox_session, marv_path):
    provider = sandbox_session.provider
    job = await finished_job(provider, marv_path)
    app = FtuiApp(sandbox_session)
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_job(job.id)
        await wait_for(pilot, lambda: isinstance(app.screen, JobScreen))
        view = app.screen
        await wait_for(pilot, lambda: view.job is not None and view.follower.checkpoints)
        assert view.check_action("compare_final", ()) and view.check_action("compare_checkpoint", ())
        for action in ("cancel_job", "pause_job", "resume_job"):
            assert not view.check_action(action, ())
        shown = {b.binding.action for b in view.active_bindings.values() if b.enabled}
        assert "compare_final" in shown and "pause_job" not in shown


async def test_the_list_refreshes_itself_while_visible(sandbox_session, marv_path, monkeypatch):
    monkeypatch.setattr(JobsScreen, "REFRESH_SECONDS", 0.2)
    provider = sandbox_session.provider
    uploaded = await provider.upload_file(marv_path)
    app = FtuiApp(sandbox_session)
    async with app.run_test(size=(80, 24)) as pilot:
        app.action_goto("jobs")
        await pilot.pause()
        screen = app.screen
        table = screen.query_one(JobTable)
        await wait_for(pilot, lambda: "No jobs yet" in str(screen.query_one("#jobs-state").render()))
        job = await provider.create_job(JobSpec(model=MODEL, training_file=uploaded.id))
        await wait_for(pilot, lambda: job.id in table.jobs)  # no key pressed
        # hidden, the timer stops; back, it refreshes at once
        app.action_goto("files")
        await pilot.pause()
        assert not screen._timer._active.is_set()
        app.action_goto("jobs")
        await pilot.pause()
        assert screen._timer._active.is_set()
