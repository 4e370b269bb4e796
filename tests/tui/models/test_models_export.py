"""Export on the Models screen: only with a local engine inside ftui; the adapter of a real
fine-tune of the tiny model is written to a new folder in a worker, progress said as it goes."""

from __future__ import annotations

import json

from textual.widgets import Input, Select

from ftui.core.types import JobSpec
from ftui.tui.screens.models.export import ExportScreen
from ftui.tui.screens.models.models import ModelsScreen
from ftui.tui.shell.app import FtuiApp
from tests.tui.jobs.provider_sessions import tiny_model_id
from tests.tui.waiting import wait_for


def rows(n: int) -> str:
    return "".join(json.dumps({"messages": [
        {"role": "user", "content": f"question {i}"},
        {"role": "assistant", "content": f"ARR answer {i}"}]}) + "\n" for i in range(n))


async def test_export_adapter_of_a_local_fine_tune(local_session, local_engine, tmp_path):
    provider = local_session.provider
    data = tmp_path / "style.jsonl"
    data.write_text(rows(10))
    upload = await provider.upload_file(data)
    job = await provider.create_job(JobSpec(model=tiny_model_id(local_engine), training_file=upload.id,
                                            hyperparameters={"n_epochs": 1, "batch_size": 5}))
    app = FtuiApp(local_session)
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(600):
            job = await provider.retrieve_job(job.id)
            if job.finished:
                break
            await pilot.pause(0.2)
        assert job.status == "succeeded", job.error
        app.action_goto("models")
        await wait_for(pilot, lambda: isinstance(app.screen, ModelsScreen) and app.screen.models)
        screen = app.screen
        assert screen.check_action("export", ())
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ExportScreen))
        dialog = app.screen
        assert dialog.query_one("#export-kind", Select).value == "adapter"
        dest = tmp_path / "exported"
        dialog.query_one("#export-dest", Input).value = str(tmp_path)  # exists: refused in place
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is dialog and "already exists" in str(dialog.query_one("#confirm-hint").render())
        dialog.query_one("#export-dest", Input).value = str(dest)
        await pilot.press("enter")
        await wait_for(pilot, lambda: "Exported" in str(screen.query_one("#models-message").render()))
    assert (dest / "adapter_config.json").is_file()
    assert any(dest.glob("adapter_model.*"))


async def test_no_export_key_without_a_local_engine(sandbox_session, marv_path):
    provider = sandbox_session.provider
    upload = await provider.upload_file(marv_path)
    job = await provider.create_job(JobSpec(model="gpt-4o-mini-2024-07-18", training_file=upload.id))
    app = FtuiApp(sandbox_session)
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(200):
            if (await provider.retrieve_job(job.id)).finished:
                break
            await pilot.pause(0.05)
        app.action_goto("models")
        await wait_for(pilot, lambda: isinstance(app.screen, ModelsScreen) and app.screen.models)
        assert app.screen.check_action("export", ()) is False
        await pilot.press("e")
        await pilot.pause()
        assert not isinstance(app.screen, ExportScreen)
