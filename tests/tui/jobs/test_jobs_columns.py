"""At 80x24 the Jobs list and the job view's Checkpoints tab show the columns that matter and
leave the rest out (no sideways scrolling); at 160x45 everything shows. The detail line under
each table has the highlighted row whole, and it follows the cursor."""

from __future__ import annotations

import types

import pytest
from textual.widgets import TabbedContent

from ftui.core.session import Session
from ftui.tui.shell.app import FtuiApp
from ftui.widgets import job_table
from tests.tui.jobs import fixed_job
from tests.tui.jobs.test_job_tables_snapshots import fixed_sandbox, job_app  # noqa: F401 - fixture
from tests.tui.jobs.test_jobs_table_snapshots import NOW, fixed_jobs
from tests.tui.list_pages import show_rows
from tests.tui.waiting import until

ALL_JOB_COLUMNS = ("Status", "Base model", "Suffix", "Created", "Elapsed", "Tokens", "Fine-tuned model")


def no_sideways_scrolling(table) -> bool:
    return table.virtual_size.width <= table.size.width


@pytest.mark.parametrize(("size", "columns"), [
    ((80, 24), ("Status", "Base model", "Suffix", "Created", "Fine-tuned model")),
    ((160, 45), ALL_JOB_COLUMNS),
], ids=["80x24", "160x45"])
async def test_jobs_table_chooses_its_columns(monkeypatch, size, columns):
    monkeypatch.setattr(job_table, "time", types.SimpleNamespace(time=lambda: NOW))
    app = FtuiApp(Session(None, "sandbox", simulated=True))
    async with app.run_test(size=size) as pilot:
        await show_rows(pilot, "jobs", fixed_jobs())
        table = app.screen.query_one("#jobs-table")
        assert table.columns_shown == columns
        assert no_sideways_scrolling(table)
        detail = app.screen.query_one("#jobs-detail")
        for _ in range(4):  # down to the succeeded job: its tuned model is cut in the table at 80
            await pilot.press("down")
        await pilot.pause()
        assert table.current.id == "ftjob-ok000005"
        shown = str(detail.render())
        assert "ftjob-ok000005" in shown and "ft:gpt-4o-mini-2024-07-18:acme:marv:AbC123xy" in shown
        assert "48,213 tokens" in shown  # a column 80 columns leave out
        await pilot.press("down")
        await pilot.pause()
        assert "ftjob-bad0006" in str(detail.render())


@pytest.mark.parametrize(("size", "columns"), [
    ((80, 24), ("Step", "Train loss", "Valid loss", "Train acc", "Checkpoint model")),
    ((40, 24), ("Step", "Train loss", "Checkpoint model")),
], ids=["80x24", "40x24"])
async def test_checkpoints_differ_where_their_names_do(fixed_sandbox, monkeypatch, size, columns):  # noqa: F811
    app = job_app(fixed_sandbox, False, monkeypatch)
    async with app.run_test(size=size) as pilot:
        app.action_goto("jobs")
        await until(pilot, lambda: fixed_job.JOB_ID in app.screen.items)
        app.screen.open_job(fixed_job.JOB_ID)
        await until(pilot, lambda: app.screen.query_one("#job-checkpoints").row_count == 3)
        app.screen.query_one(TabbedContent).active = "tab-checkpoints"
        table = app.screen.query_one("#job-checkpoints")
        table.focus()
        await until(pilot, lambda: table.columns_shown == columns)
        assert no_sideways_scrolling(table)
        names = [str(table.get_cell_at((row, len(columns) - 1))) for row in range(3)]
        assert len(set(names)) == 3, names  # each cut name keeps its distinguishing end
        assert names[0].endswith("ckpt-step-10") and names[1].endswith("ckpt-step-20")
        await pilot.press("down")
        await pilot.pause()
        detail = str(app.screen.query_one("#job-checkpoint-detail").render())
        assert f"step 20 · {fixed_job.TUNED}:ckpt-step-20" in detail
