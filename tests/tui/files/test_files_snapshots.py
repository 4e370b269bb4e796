"""Snapshots at 80x24 of Files on an empty sandbox account, its upload prompt and a failed check."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tui.waiting import until


@pytest.fixture
def sandbox_app(sandbox_app):
    sandbox_app.current_dataset = Path("examples/marv.jsonl")
    return sandbox_app


def state(app) -> str:
    return str(app.screen.query_one("#files-state").render())


def test_files_empty_with_upload_prompt(snap_compare, sandbox_app, shoot):
    async def run_before(pilot):
        pilot.app.action_goto("files")
        await until(pilot, lambda: "No files yet" in state(pilot.app))
        await pilot.press("u")
        await pilot.pause()
        shoot(pilot.app, "files-upload-prompt")

    assert snap_compare(sandbox_app, terminal_size=(80, 24), run_before=run_before)


def test_files_failed_validation(snap_compare, sandbox_app, shoot, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("bad.jsonl").write_text('{"messages": [}\n')

    async def run_before(pilot):
        pilot.app.action_goto("files")
        await until(pilot, lambda: "No files yet" in state(pilot.app))
        await pilot.press("u")
        pilot.app.screen.query_one("#files-path").value = "bad.jsonl"
        await pilot.press("enter")
        await until(pilot, lambda: "failed validation" in
                    str(pilot.app.screen.query_one("#files-message").render()))
        shoot(pilot.app, "files-failed-validation")

    assert snap_compare(sandbox_app, terminal_size=(80, 24), run_before=run_before)


FIXED_FILES = [
    ("file-7f3a9c2e41b8d05e6a1c", "customer-support-conversations-2025-q3-cleaned-final.jsonl", 48_213_911),
    ("file-2b81e0d4c6f94a7713aa", "marv.jsonl", 21_504),
    ("file-c09d5e1a7b3f62e48d10", "marv_holdout.jsonl", 5_880),
]


def _fixed_table(no_color: bool, monkeypatch):
    """Files drawn from fixed rows (ids and times would vary), cursor on the long name."""
    from ftui.core.types import RemoteFile
    from tests.tui.list_pages import offline_app, show_rows

    app = offline_app(monkeypatch, no_color=no_color)
    rows = [RemoteFile(id=i, filename=name, purpose="fine-tune", bytes=size, created_at=1_764_000_000 - n * 3600)
            for n, (i, name, size) in enumerate(FIXED_FILES)]

    async def run_before(pilot):
        await show_rows(pilot, "files", rows)

    return app, run_before


def test_files_table_at_80_columns(snap_compare, monkeypatch, shoot):
    app, run_before = _fixed_table(False, monkeypatch)
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_files_table_without_colour(snap_compare, monkeypatch):
    app, run_before = _fixed_table(True, monkeypatch)
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
