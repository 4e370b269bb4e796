"""`?` help and the command palette offer Models' deploy (p) and stop endpoint (s) where the provider
deploys before a tuned model answers, and a model or endpoint is there to act on; not elsewhere."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from textual.widgets import Static

from ftui.core.backends.together_backend import make_sandbox_provider
from ftui.core.session import Session
from ftui.tui.screens.models.models import ModelsScreen
from ftui.tui.shell.app import FtuiApp
from ftui.tui.shell.help import HelpScreen
from tests.tui.models.fixed_together import TUNED, seed_finished_job
from tests.tui.palette import palette_offers
from tests.tui.waiting import wait_for

DEPLOY = "Deploy (p)"
STOP = "Stop endpoint (s)"


@pytest.fixture
async def deployed_session(sandbox_factory, tmp_path):
    """The fixed Together account with its model on a running endpoint."""
    seed_finished_job(tmp_path / "sandbox")
    thread = sandbox_factory(dialect="together", data_dir=tmp_path / "sandbox")
    provider = make_sandbox_provider(thread.base_url)
    await provider.create_deployment(TUNED, (await provider.list_hardware(TUNED))[0].id)
    yield Session(provider, "sandbox", simulated=True)
    await provider.aclose()


def screen_text(app) -> str:
    console = Console(width=200, record=True, file=io.StringIO())
    for static in app.screen.query(Static):
        console.print(static.content)
    return console.export_text()


async def open_models(app, pilot, ready) -> ModelsScreen:
    app.action_goto("models")
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, ModelsScreen)
    await wait_for(pilot, lambda: ready(screen))
    return screen


async def test_help_and_palette_list_deploy_and_stop(deployed_session):
    app = FtuiApp(deployed_session)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_models(app, pilot, lambda s: TUNED in s.models and s.deployments)
        screen.query_one("#models-table").focus()
        await pilot.pause()
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        text = screen_text(app)
        for key, does, why in (("p", "Deploy", "dedicated endpoint"), ("s", "Stop endpoint", "bills no more")):
            line = next((row for row in text.splitlines() if row.strip().startswith(f"{key} ")
                         and does in row), "")
            assert line and why in line, f"help has no line for {does} ({key}):\n{text}"
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)

        assert any(DEPLOY in hit for hit in await palette_offers(app, pilot, "deploy"))
        assert any(STOP in hit for hit in await palette_offers(app, pilot, "stop endpoint"))


async def test_neither_is_offered_without_deployments(sandbox_session):
    app = FtuiApp(sandbox_session)
    async with app.run_test(size=(100, 40)) as pilot:
        await open_models(app, pilot, lambda s: "No fine-tuned" in str(s.query_one("#models-state").render()))
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        text = screen_text(app)
        assert "Refresh" in text  # the help is Models' own
        assert "Deploy" not in text and "Stop endpoint" not in text
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, HelpScreen))
        assert any("Refresh (r)" in hit for hit in await palette_offers(app, pilot, "refresh"))  # it lists
        assert not [h for h in await palette_offers(app, pilot, "deploy") if DEPLOY in h]
        assert not [h for h in await palette_offers(app, pilot, "stop endpoint") if STOP in h]
