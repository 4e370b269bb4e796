"""Snapshots at 80x24 of the job view's Checkpoints and Result tables, on a sandbox account with
one finished job of fixed ids and times (tests/tui/jobs/fixed_job.py), in colour and with
NO_COLOR (set before the app is built): the row under the cursor must read without colour."""

from __future__ import annotations

import time

import pytest
from textual.widgets import DataTable, TabbedContent

from ftui.core.connect import make_provider
from ftui.core.session import Session
from ftui.core.settings import load_settings
from ftui.tui.shell.app import FtuiApp
from tests.tui.jobs import fixed_job
from tests.tui.waiting import until


@pytest.fixture
def fixed_sandbox(sandbox_factory, tmp_path, monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    monkeypatch.setenv("FTUI_DATA_DIR", str(tmp_path / "ftui-data"))  # no launch estimate is found
    fixed_job.seed_finished_job(tmp_path / "sandbox")
    return sandbox_factory(data_dir=tmp_path / "sandbox")


def job_app(sandbox, no_color: bool, monkeypatch) -> FtuiApp:
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    provider = make_provider(load_settings("sandbox", env={}), sandbox_base_url=sandbox.base_url)
    return FtuiApp(Session(provider, "sandbox", simulated=True))


def showing_tab(tab: str, table_id: str, rows: int):
    async def run_before(pilot):
        pilot.app.action_goto("jobs")
        await until(pilot, lambda: fixed_job.JOB_ID in pilot.app.screen.items)
        pilot.app.screen.open_job(fixed_job.JOB_ID)
        await until(pilot, lambda: pilot.app.screen.query_one(f"#{table_id}", DataTable).row_count == rows)
        screen = pilot.app.screen
        screen.query_one(TabbedContent).active = tab
        await pilot.pause()
        screen.query_one(f"#{table_id}", DataTable).focus()
        await pilot.press("down")
        await until(pilot, lambda: "step 30/30" in str(screen.query_one("#job-summary").render()))

    return run_before


@pytest.mark.parametrize("no_color", [False, True], ids=["colour", "no_color"])
def test_job_checkpoints(snap_compare, fixed_sandbox, monkeypatch, no_color):
    run_before = showing_tab("tab-checkpoints", "job-checkpoints", 3)
    assert snap_compare(job_app(fixed_sandbox, no_color, monkeypatch), terminal_size=(80, 24),
                        run_before=run_before)


@pytest.mark.parametrize("no_color", [False, True], ids=["colour", "no_color"])
def test_job_result(snap_compare, fixed_sandbox, monkeypatch, no_color):
    run_before = showing_tab("tab-result", "job-result", fixed_job.STEPS)
    assert snap_compare(job_app(fixed_sandbox, no_color, monkeypatch), terminal_size=(80, 24),
                        run_before=run_before)
