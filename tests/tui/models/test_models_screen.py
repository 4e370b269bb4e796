"""Models: fine-tuned models with the job that made each; compare; delete by typing the name."""

from __future__ import annotations

import asyncio

from textual.widgets import DataTable, Input

from ftui.core.types import JobSpec
from ftui.tui.screens.dialogs.confirm import TypedConfirmScreen
from ftui.tui.screens.models.models import ModelsScreen
from ftui.tui.shell.app import FtuiApp
from tests.tui.waiting import wait_for


async def trained_model(provider, path) -> tuple[str, str]:
    """Train a job on the sandbox to success; (job id, fine-tuned model)."""
    uploaded = await provider.upload_file(path)
    job = await provider.create_job(JobSpec(model="gpt-4o-mini-2024-07-18", training_file=uploaded.id,
                                            suffix="marv"))
    for _ in range(400):
        job = await provider.retrieve_job(job.id)
        if job.finished:
            break
        await asyncio.sleep(0.05)
    assert job.status == "succeeded"
    return job.id, job.fine_tuned_model


async def test_models_list_compare_and_typed_delete(sandbox_session, marv_path, shoot):
    provider = sandbox_session.provider
    job_id, model = await trained_model(provider, marv_path)
    app = FtuiApp(sandbox_session)
    async with app.run_test(size=(80, 24)) as pilot:
        app.action_goto("models")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ModelsScreen)
        await wait_for(pilot, lambda: model in screen.models)
        table = screen.query_one("#models-table", DataTable)
        # the job that made it: at 80 columns its column gives way; the detail line names it
        assert f"job {job_id}" in table.detail(table.items[model])
        shoot(app, "models")
        # delete needs the exact name typed
        await pilot.press("d")
        confirm = app.screen
        assert isinstance(confirm, TypedConfirmScreen)
        field = confirm.query_one(Input)
        field.value = model[:-1]
        await pilot.press("enter")
        assert app.screen is confirm
        assert "not the exact name" in str(confirm.query_one("#confirm-hint").render())
        shoot(app, "models-delete-confirm")
        field.value = model
        await pilot.press("enter")
        await wait_for(pilot, lambda: model not in screen.models)
        assert model not in [m.id for m in await provider.list_models()]


async def test_escape_keeps_the_model_and_enter_compares(sandbox_session, marv_path):
    provider = sandbox_session.provider
    _, model = await trained_model(provider, marv_path)
    app = FtuiApp(sandbox_session)
    async with app.run_test(size=(80, 24)) as pilot:
        app.action_goto("models")
        await pilot.pause()
        screen = app.screen
        await wait_for(pilot, lambda: model in screen.models)
        await pilot.press("d")
        await pilot.press("escape")
        assert app.screen is screen
        assert "Nothing was deleted" in str(screen.query_one("#models-message").render())
        assert model in [m.id for m in await provider.list_models()]
        screen.query_one("#models-table").focus()
        await pilot.press("enter")
        assert app.current_mode == "compare"
