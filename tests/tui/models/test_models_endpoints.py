"""Models on a provider that deploys before a tuned model answers (the sandbox speaking Together):
deploy on picked hardware, the endpoints pane with price and cost so far, compare against the
endpoint, stop it after a confirmation; quitting with one running asks first. A provider without
deployments shows none of it."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from textual.widgets import DataTable

from ftui.core.server.together.catalog import FINE_TUNABLE
from ftui.core.types import ChatRequest, JobSpec
from ftui.tui.screens.dialogs.confirm import ConfirmScreen
from ftui.tui.screens.models.hardware import HardwareScreen
from ftui.tui.screens.models.models import ModelsScreen
from ftui.tui.screens.models.quit_endpoints import QuitEndpointsScreen
from ftui.tui.shell.app import FtuiApp
from tests.tui.waiting import wait_for

DATA = Path(__file__).resolve().parents[3] / "examples" / "marv.jsonl"


async def tuned_on_together(provider) -> str:
    uploaded = await provider.upload_file(DATA)
    job = await provider.create_job(JobSpec(model=FINE_TUNABLE[0], training_file=uploaded.id, suffix="marv"))
    deadline = time.monotonic() + 30
    while not (job := await provider.retrieve_job(job.id)).finished:
        assert time.monotonic() < deadline
        await asyncio.sleep(0.05)
    assert job.status == "succeeded"
    return job.fine_tuned_model


async def open_models(app, pilot, model: str) -> ModelsScreen:
    app.action_goto("models")
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, ModelsScreen)
    await wait_for(pilot, lambda: model in screen.models)
    return screen


def message(screen) -> str:
    return str(screen.query_one("#models-message").render())


async def test_deploy_compare_and_stop_an_endpoint(together_session, shoot):
    provider = together_session.provider
    model = await tuned_on_together(provider)
    app = FtuiApp(together_session)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_models(app, pilot, model)
        assert screen.query_one("#endpoints-table").display
        assert "No running endpoints" in str(screen.query_one("#endpoints-state").render())
        await pilot.press("c")  # not deployed: says how to
        assert app.current_mode == "models" and "press p to deploy" in message(screen)

        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, HardwareScreen))
        picker = app.screen
        cheapest = picker.choices[0]
        assert "/min" in str(picker.query_one("#hardware-list").get_option_at_index(0).prompt)
        shoot(app, "models-deploy-hardware")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is screen and screen.deployments)
        [deployment] = screen.deployments.values()
        assert deployment.model == model and deployment.price_per_minute == cheapest.price_per_minute
        table = screen.query_one("#endpoints-table", DataTable)
        await wait_for(pilot, lambda: (screen.load_deployments() or True) and
                       table.row_count and table.get_row(deployment.id)[5] == "ready", timeout=20)
        row = table.get_row(deployment.id)
        assert row[2] == cheapest.name and row[3] == f"${cheapest.price_per_minute:.4f}" and row[4].startswith("$")
        # the picture of this pane comes from test_models_endpoints_snapshots.py (fixed contents)

        screen.query_one("#models-table").focus()
        await pilot.press("c")  # compare goes to the endpoint, which answers
        await wait_for(pilot, lambda: app.current_mode == "compare")
        assert app.screen_stack[0].models == {"left": FINE_TUNABLE[0], "right": deployment.chat_model}
        answer = await provider.chat(ChatRequest(model=deployment.chat_model,
                                                 messages=[{"role": "user", "content": "Hello?"}]))
        assert answer.choices[0]  # what Compare will send it answers

        app.action_goto("models")
        await pilot.pause()
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")  # kept
        await wait_for(pilot, lambda: "keeps running" in message(screen))
        assert [d.id for d in await provider.list_deployments()] == [deployment.id]
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: "Stopped" in message(screen))
        assert await provider.list_deployments() == []
        await wait_for(pilot, lambda: table.row_count == 0)


async def test_quitting_with_a_running_endpoint_asks_first(together_session):
    provider = together_session.provider
    model = await tuned_on_together(provider)
    machine = (await provider.list_hardware())[0]
    made = await provider.create_deployment(model, machine.id)
    app = FtuiApp(together_session)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.action_quit()
        await wait_for(pilot, lambda: isinstance(app.screen, QuitEndpointsScreen))
        text = str(app.screen.query_one("#confirm-message").render())
        assert made.chat_model in text and f"${machine.price_per_minute:.4f}/min" in text
        await pilot.press("c")  # cancel: still open, still running
        await wait_for(pilot, lambda: not isinstance(app.screen, QuitEndpointsScreen))
        assert app.is_running and [d.id for d in await provider.list_deployments()] == [made.id]
        await app.action_quit()
        await wait_for(pilot, lambda: isinstance(app.screen, QuitEndpointsScreen))
        await pilot.press("s")  # stop them, then quit
        await wait_for(pilot, lambda: not app.is_running)
    assert await provider.list_deployments() == []


async def test_keep_quits_and_leaves_it_running(together_session):
    provider = together_session.provider
    model = await tuned_on_together(provider)
    made = await provider.create_deployment(model, (await provider.list_hardware())[0].id)
    app = FtuiApp(together_session)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.action_quit()
        await wait_for(pilot, lambda: isinstance(app.screen, QuitEndpointsScreen))
        await pilot.press("k")
        await wait_for(pilot, lambda: not app.is_running)
    assert [d.id for d in await provider.list_deployments()] == [made.id]


async def test_no_deployments_no_endpoint_pane(sandbox_session):
    app = FtuiApp(sandbox_session)
    async with app.run_test(size=(80, 24)) as pilot:
        app.action_goto("models")
        await pilot.pause()
        screen = app.screen
        await wait_for(pilot, lambda: "No fine-tuned" in str(screen.query_one("#models-state").render()))
        assert not screen.query_one("#endpoints-table").display
        assert screen.check_action("deploy", ()) is False and screen.check_action("stop_endpoint", ()) is False
        await app.action_quit()  # nothing to ask about
        await wait_for(pilot, lambda: not app.is_running)
