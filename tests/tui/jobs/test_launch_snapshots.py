"""Snapshots at 80x24 of the launch form on the other providers: Together's fields (through the
sandbox speaking Together's API), and the local engine's LoRA fields under its LOCAL header."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from ftui.core.session import Session
from ftui.tui.shell.app import FtuiApp
from tests.tui.jobs.provider_sessions import tiny_model_id


async def settle(pilot, timeout: float = 15.0) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while any(not w.is_finished and w.group != "_loader" for w in pilot.app.workers):
        if loop.time() > end:
            raise AssertionError("workers still running")
        await pilot.pause(0.05)
    await pilot.pause()


async def open_form(pilot, model: str | None = None) -> None:
    pilot.app.action_goto("jobs")
    await pilot.pause()
    await pilot.press("n")
    await pilot.pause(0.3)
    await settle(pilot)
    if model is not None:
        pilot.app.screen.query_one("#launch-model").value = model
        await pilot.pause(0.2)
        await settle(pilot)
    pilot.app.screen.query_one("#launch-suffix").value = "marv"
    await pilot.pause()


@pytest.fixture
def together_app(sandbox_factory):
    from ftui.core.backends.together_backend import make_sandbox_provider

    thread = sandbox_factory(dialect="together")
    app = FtuiApp(Session(make_sandbox_provider(thread.base_url), "sandbox", simulated=True))
    app.current_dataset = Path("examples/marv.jsonl")
    return app


@pytest.fixture
def local_app(local_engine, tmp_path, monkeypatch):
    from pydantic import SecretStr

    from ftui.core.connect import make_provider
    from ftui.core.settings import load_local_settings
    from tests.tui.jobs.provider_sessions import Borrowed

    config = tmp_path / "config.toml"
    config.write_text("")
    monkeypatch.setenv("FTUI_CONFIG", str(config))
    settings = load_local_settings().model_copy(update={"api_key": SecretStr("local-test")})
    provider = make_provider(settings, sandbox_base_url=local_engine.base_url,
                             local_device=local_engine.device_label)
    app = FtuiApp(Session(provider, "local", _sandbox=Borrowed(local_engine)))
    app.current_dataset = Path("examples/marv.jsonl")
    return app


def test_together_launch_form(snap_compare, together_app, shoot):
    async def run_before(pilot):
        await open_form(pilot)
        shoot(pilot.app, "jobs-launch-form-together")

    assert snap_compare(together_app, terminal_size=(80, 24), run_before=run_before)


def test_together_launch_form_lora_rows(snap_compare, together_app, shoot):
    async def run_before(pilot):
        await open_form(pilot)
        screen = pilot.app.screen
        screen.query_one("#launch-hp-lora_r").focus()
        screen.query_one("#launch-form").scroll_to_widget(screen.query_one("#launch-hp-lora_r"))
        await pilot.pause(0.2)
        shoot(pilot.app, "jobs-launch-form-together-lora")

    assert snap_compare(together_app, terminal_size=(80, 24), run_before=run_before)


def test_local_launch_form_and_header(snap_compare, local_app, local_engine, shoot):
    async def run_before(pilot):
        await open_form(pilot, tiny_model_id(local_engine))
        screen = pilot.app.screen
        screen.query_one("#launch-form").scroll_to_widget(screen.query_one("#launch-hp-lora_target_modules"))
        await pilot.pause(0.2)
        shoot(pilot.app, "jobs-launch-form-local")

    assert snap_compare(local_app, terminal_size=(80, 24), run_before=run_before)
