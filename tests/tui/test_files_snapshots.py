"""Snapshots at 80x24 of Files on an empty sandbox account, its upload prompt and a failed check."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from textual.css.query import NoMatches

from core.connect import make_provider
from core.session import Session
from core.settings import load_settings
from tui.app import FtuiApp


@pytest.fixture
def sandbox_app(sandbox):
    provider = make_provider(load_settings("sandbox", env={}), sandbox_base_url=sandbox.base_url)
    app = FtuiApp(Session(provider, "sandbox", simulated=True))
    app.current_dataset = Path("examples/marv.jsonl")
    return app


async def until(pilot, condition, timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout

    def holds() -> bool:
        try:
            return condition()
        except NoMatches:  # the screen is not composed yet
            return False

    while not holds():
        if loop.time() > end:
            raise AssertionError("timed out waiting")
        await pilot.pause(0.05)
    await pilot.pause()


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
