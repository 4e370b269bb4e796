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
