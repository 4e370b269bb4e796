"""Snapshots at 80x24 of the Jobs section: empty list, launch form, snippet, confirmation,
and the job view's chart and event log drawn from fixed data (ids and times would vary)."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest
from textual.app import App, ComposeResult

from ftui.core.connect import make_provider
from ftui.core.session import Session
from ftui.core.settings import load_settings
from ftui.core.types import JobEvent
from ftui.core.watch import MetricPoint
from ftui.tui.screens.dialogs.confirm import ConfirmScreen
from ftui.tui.screens.jobs.launch import LaunchScreen
from ftui.tui.shell.app import FtuiApp
from ftui.widgets.event_log import EventLog
from ftui.widgets.loss_chart import LossChart


@pytest.fixture
def sandbox_app(sandbox, monkeypatch):
    """An app on an empty sandbox account (its own loop runs inside snap_compare)."""
    monkeypatch.setattr(LaunchScreen, "TODAY", dt.date(2026, 11, 24))
    provider = make_provider(load_settings("sandbox", env={}), sandbox_base_url=sandbox.base_url)
    app = FtuiApp(Session(provider, "sandbox", simulated=True))
    app.current_dataset = Path("examples/marv.jsonl")
    return app


async def settle(pilot, timeout: float = 10.0) -> None:
    """Wait for this section's workers (the Data picker's directory loader never ends)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while any(not w.is_finished and w.group != "_loader" for w in pilot.app.workers):
        if loop.time() > end:
            raise AssertionError("workers still running")
        await pilot.pause(0.05)
    await pilot.pause()


def test_jobs_list_empty(snap_compare, sandbox_app, shoot):
    async def run_before(pilot):
        pilot.app.action_goto("jobs")
        await pilot.pause(0.3)
        await settle(pilot)
        shoot(pilot.app, "jobs-empty")

    assert snap_compare(sandbox_app, terminal_size=(80, 24), run_before=run_before)


def test_launch_form(snap_compare, sandbox_app, shoot):
    async def run_before(pilot):
        pilot.app.action_goto("jobs")
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause(0.3)
        await settle(pilot)
        pilot.app.screen.query_one("#launch-suffix").value = "marv"
        await pilot.pause()
        shoot(pilot.app, "jobs-launch-form")

    assert snap_compare(sandbox_app, terminal_size=(80, 24), run_before=run_before)


def test_launch_python_snippet(snap_compare, sandbox_app, shoot):
    async def run_before(pilot):
        pilot.app.action_goto("jobs")
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause(0.3)
        await settle(pilot)
        screen = pilot.app.screen
        screen.query_one("#launch-training").value = "file-abc123"
        screen.query_one("#launch-suffix").value = "marv"
        screen.query_one("#launch-epochs").value = "3"
        await pilot.press("f2")
        await pilot.pause()
        # the sandbox's port changes from run to run; the picture shows it as PORT
        area = pilot.app.screen.query_one("#snippet-code")
        port = str(pilot.app.provider.base_url).split(":")[2].split("/")[0]
        area.text = area.text.replace(f":{port}/", ":PORT/")
        await pilot.pause()
        shoot(pilot.app, "jobs-launch-python")

    assert snap_compare(sandbox_app, terminal_size=(80, 24), run_before=run_before)


def test_cancel_confirmation(snap_compare, sandbox_app, shoot):
    async def run_before(pilot):
        pilot.app.action_goto("jobs")
        await settle(pilot)
        pilot.app.push_screen(ConfirmScreen("Cancel job?", "Cancel ftjob-example (gpt-4o-mini-2024-07-18, "
                                                           "running)?"))
        await pilot.pause()
        shoot(pilot.app, "jobs-cancel-confirm")

    assert snap_compare(sandbox_app, terminal_size=(80, 24), run_before=run_before)


def synthetic_points(n: int = 60) -> list[MetricPoint]:
    points = []
    for step in range(1, n + 1):
        train = 2.0 * 0.96 ** step + 0.05 * ((step * 7919) % 13) / 13
        valid = 2.0 * 0.97 ** step + 0.3 if step % 5 == 0 else None
        points.append(MetricPoint(step=step, total_steps=n, train_loss=train, valid_loss=valid,
                                  train_accuracy=1 - train / 2.5, valid_accuracy=None))
    return points


class JobPartsApp(App):
    """The job view's chart and event log on fixed data."""

    CSS = "LossChart { height: 12; } EventLog { height: 1fr; }"

    def compose(self) -> ComposeResult:
        yield LossChart()
        yield EventLog(show_time=False)

    def on_mount(self) -> None:
        self.query_one(LossChart).set_metrics(synthetic_points())
        levels = ["info", "info", "warn", "info", "error"]
        self.query_one(EventLog).append(
            JobEvent(id=f"ev-{i}", created_at=0, level=levels[i % 5],
                     message=f"Step {i}/60: training loss={2.0 * 0.96 ** i:.4f}",
                     type="metrics" if i % 5 != 2 else "message",
                     data={"step": i, "total_steps": 60, "train_loss": 2.0 * 0.96 ** i,
                           "train_mean_token_accuracy": 1 - 0.96 ** i} if i % 3 == 0 else None)
            for i in range(1, 61))


def test_job_chart_and_events(snap_compare, shoot):
    async def run_before(pilot):
        await pilot.pause()
        shoot(pilot.app, "jobs-chart-and-events")

    assert snap_compare(JobPartsApp(), terminal_size=(80, 24), run_before=run_before)
