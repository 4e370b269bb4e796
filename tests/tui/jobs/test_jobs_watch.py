"""Launch through the form and watch the job to success on the sandbox."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Input

import ftui.tui.shell.app
from ftui.core.launch.estimates import load_estimate
from ftui.tui.screens.dialogs.confirm import ConfirmScreen
from ftui.tui.screens.jobs.job import JobScreen
from ftui.tui.screens.jobs.jobs import JobsScreen
from ftui.tui.screens.jobs.launch import LaunchScreen
from ftui.tui.shell.app import FtuiApp
from ftui.widgets.event_log import EventLog
from ftui.widgets.job_table import JobTable
from ftui.widgets.loss_chart import LossChart
from tests.tui.waiting import wait_for


class RecordingApp(FtuiApp):
    """The real app, remembering the hand-offs it was asked for."""

    CSS_PATH = str(Path(ftui.tui.shell.app.__file__).parent / "app.tcss")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.compared: list[tuple[str, str]] = []

    def compare_models(self, left: str, right: str) -> None:
        self.compared.append((left, right))
        super().compare_models(left, right)


async def test_launch_from_the_form_and_watch_to_success(sandbox_session, marv_path, tmp_path,
                                                         monkeypatch, shoot):
    monkeypatch.setenv("FTUI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr(JobScreen, "POLL_SECONDS", 0.3)
    app = RecordingApp(sandbox_session)
    app.current_dataset = marv_path
    async with app.run_test(size=(80, 24)) as pilot:
        app.action_goto("jobs")
        await pilot.pause()
        await pilot.press("n")
        form = app.screen
        assert isinstance(form, LaunchScreen)
        await wait_for(pilot, lambda: form.models)
        assert form.query_one("#launch-training", Input).value == str(marv_path)
        note = str(form.query_one("#launch-model-note").render())
        assert "2027-01-14" in note and "shuts down" in note
        form.query_one("#launch-suffix", Input).value = "marv"
        form.query_one("#launch-seed", Input).value = "7"
        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "Estimate" in str(form.query_one("#launch-estimate").render())
        shoot(app, "jobs-launch-confirm")
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, JobScreen))
        view = app.screen
        await wait_for(pilot, lambda: view.job is not None and view.job.status == "succeeded"
                       and view.follower.checkpoints and "Billed" in str(view.query_one("#job-summary").render()))
        job = view.job
        assert job.suffix == "marv" and job.seed == 7
        # events: every event, in order, never twice
        provider = sandbox_session.provider
        truth, after = [], None
        while True:
            page = await provider.list_events(job.id, after=after, limit=100)
            truth.extend(page.items)
            if not page.has_more:
                break
            after = page.last_id
        if not view.follower.history_complete:
            # a first look loads only the newest page (a loaded machine opens the view late); `h` loads the rest
            await pilot.press("h")
            await wait_for(pilot, lambda: view.follower.history_complete)
        shown = [e.id for e in view.query_one(EventLog).events]
        assert shown == [e.id for e in reversed(truth)]
        assert view.query_one(LossChart).point_count > 10
        assert view.query_one("#job-checkpoints", DataTable).row_count == len(view.follower.checkpoints) > 0
        await wait_for(pilot, lambda: view.query_one("#job-result", DataTable).row_count > 0)
        assert load_estimate(job.id) is not None
        summary = str(view.query_one("#job-summary").render())
        assert "estimated before launch" in summary
        shoot(app, "jobs-job-succeeded")
        tabs = view.query_one("#job-tabs")
        for pane, picture in (("tab-chart", "jobs-job-chart"), ("tab-checkpoints", "jobs-job-checkpoints"),
                              ("tab-result", "jobs-job-result")):
            tabs.active = pane
            await pilot.pause()
            shoot(app, picture)
        tabs.active = "tab-events"
        await pilot.pause()
        # checkpoint -> Compare hand-off
        await pilot.press("c")
        await pilot.press("c")
        ckpt = view.follower.checkpoints[0]
        assert app.compared == [(job.model, ckpt.model)]
        assert app.current_mode == "compare"
        app.switch_mode("jobs")  # Compare's prompt has focus there, so not by key
        await pilot.pause()
        assert app.screen is view
        await pilot.press("b")
        assert app.compared[-1] == (job.model, job.fine_tuned_model)
        # back on the list, the job is there
        app.switch_mode("jobs")
        await pilot.pause()
        await pilot.press("escape")
        jobs = app.screen
        assert isinstance(jobs, JobsScreen)
        jobs.load_list()
        await wait_for(pilot, lambda: job.id in jobs.query_one(JobTable).jobs)
