"""Snapshots at 80x24 of the Jobs list with fixed jobs of every status, in colour and with
NO_COLOR (set before the app is built): each status must read without colour, as must the row
under the cursor. Ids and times are fixed, and so is the clock the Elapsed column reads."""

from __future__ import annotations

import types

import pytest

from ftui.core.types import Job, JobError
from ftui.widgets import job_table
from tests.tui.list_pages import offline_app, show_rows

NOW = 1_764_000_000
BASE = "gpt-4o-mini-2024-07-18"


def fixed_jobs() -> list[Job]:
    done = dict(created_at=NOW - 30 * 3600, finished_at=NOW - 29 * 3600 + 754)
    return [
        Job("ftjob-run0001", BASE, "running", NOW - 1_930, suffix="marv"),
        Job("ftjob-que0002", BASE, "queued", NOW - 300, suffix="support-bot"),
        Job("ftjob-val0003", "gpt-4.1-2025-04-14", "validating_files", NOW - 60),
        Job("ftjob-pau0004", BASE, "paused", NOW - 7_400, suffix="marv-long"),
        Job("ftjob-ok000005", BASE, "succeeded", suffix="marv", trained_tokens=48_213,
            fine_tuned_model=f"ft:{BASE}:acme:marv:AbC123xy", **done),
        Job("ftjob-bad0006", BASE, "failed", suffix="marv",
            error=JobError("invalid_training_file", "line 17: messages must be a list"), **done),
        Job("ftjob-can0007", BASE, "cancelled", suffix="draft", **done),
    ]


def jobs_app(no_color: bool, monkeypatch):
    monkeypatch.setattr(job_table, "time", types.SimpleNamespace(time=lambda: NOW))
    app = offline_app(monkeypatch, no_color=no_color)

    async def run_before(pilot):
        await show_rows(pilot, "jobs", fixed_jobs(), has_more=True, down=1)  # the cursor on a coloured status

    return app, run_before


@pytest.mark.parametrize("no_color", [False, True], ids=["colour", "no_color"])
def test_jobs_table_at_80_columns(snap_compare, monkeypatch, no_color):
    app, run_before = jobs_app(no_color, monkeypatch)
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
