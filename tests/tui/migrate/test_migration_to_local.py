"""The way out with the local engine's tiny test model as the target: the radar's `m` opens the
migration onto a `kind = "local"` profile, which launches a real (tiny) LoRA training on this
machine, and the comparison across the two profiles runs, its batch verdict saved."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Input, Select

from ftui.core.local.server import LocalThread
from ftui.core.migrate.records import list_migrations
from ftui.core.session import SessionRequest
from ftui.tui.screens.compare.batch import BatchScreen
from ftui.tui.screens.compare.compare import CompareScreen
from ftui.tui.screens.migrate.form import MigrationScreen
from ftui.tui.screens.sunset.radar import RadarScreen
from ftui.tui.shell.app import FtuiApp
from tests.local.conftest import tiny_model_dir  # noqa: F401  (a fixture)
from tests.migrate.conftest import home, sdk_provider, train  # noqa: F401  (home is a fixture)
from tests.tui.waiting import wait_for

LOCAL_KEY = "sk-local-SECRET-0123456789"


@pytest.fixture
async def old_and_local(home, sandbox_factory, marv_path, tiny_model_dir, tmp_path, monkeypatch):  # noqa: F811
    folder = tmp_path / "sandbox-old"
    first = sandbox_factory(data_dir=folder)
    work = tmp_path / "work"
    work.mkdir()
    lines = marv_path.read_bytes().splitlines(keepends=True)
    training, validation = work / "train.jsonl", work / "valid.jsonl"
    training.write_bytes(b"".join(lines[:10]))  # small: the local engine really trains on it
    validation.write_bytes(b"".join(lines[-10:]))
    provider = sdk_provider(first.base_url, "old")
    job = await train(provider, training, validation=validation, suffix="marv", seed=42,
                      hyperparameters={"n_epochs": 1, "batch_size": 4, "learning_rate_multiplier": 2.0})
    await provider.aclose()
    first.stop()
    closed = sandbox_factory(data_dir=folder, new_jobs_closed=True)
    engine = LocalThread(data_dir=tmp_path / "local-data", model_folders=[tiny_model_dir], device="cpu",
                         threads=1, api_key=LOCAL_KEY)
    base_url = engine.start()
    monkeypatch.setenv("LOCAL_KEY", LOCAL_KEY)
    monkeypatch.setenv("FTUI_TODAY", "2026-12-20")
    home["config"].write_text(
        f'default_profile = "old"\n'
        f'[profiles.old]\nkind = "compatible"\nbase_url = "{closed.base_url}"\napi_key_env = "OLD_KEY"\n'
        f'[profiles.mine]\nkind = "local"\nbase_url = "{base_url}"\napi_key_env = "LOCAL_KEY"\n')
    yield {"job": job, "validation": validation}
    engine.stop()


@pytest.mark.slow
async def test_leaving_for_the_local_engine_end_to_end(old_and_local):
    old_job = old_and_local["job"]
    app = FtuiApp(SessionRequest(profile="old"))
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: app.provider is not None)
        await pilot.press("alt+6")
        await wait_for(pilot, lambda: isinstance(app.screen, RadarScreen) and app.screen.radars)
        radar = app.screen
        (key,) = [k for k, (r, m) in radar.rows.items() if m is not None and m.model == old_job.fine_tuned_model]
        table = radar.query_one("#sunset-table", DataTable)
        table.move_cursor(row=table.get_row_index(key))
        await pilot.press("m")
        await wait_for(pilot, lambda: isinstance(app.screen, MigrationScreen) and app.screen.plan is not None)
        form = app.screen
        plan = form.plan
        assert plan.target_profile == "mine", plan
        assert plan.ready, plan.training
        # The tiny test model, not whatever else the engine finds on this machine: it trains in seconds.
        (tiny,) = [c for c in plan.candidates if "tiny" in c]
        form.query_one("#mig-model", Select).value = tiny
        await wait_for(pilot, lambda: form.plan.target_model == tiny and form.plan.ready)

        form.query_one("#mig-hp").focus()
        await pilot.press("ctrl+r")
        await pilot.pause(0.2)
        await pilot.press("y")
        try:
            # a section's screen is on top before it is composed: wait for it to be mounted too
            await wait_for(pilot, lambda: isinstance(app.screen, CompareScreen) and app.screen.is_mounted, timeout=50)
        except AssertionError:
            raise AssertionError((app.screen, getattr(form, "launched", None),
                                  [n.message for n in app._notifications])) from None
        compare = app.screen
        assert compare.profiles == {"left": "old", "right": "mine"}
        assert compare.models["left"] == old_job.fine_tuned_model and compare.models["right"]

        compare.query_one("#pane-left").focus()
        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: isinstance(app.screen, BatchScreen))
        batch = app.screen
        assert batch.query_one("#batch-file", Input).value == str(old_and_local["validation"].resolve())
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: batch.rounds and all(batch.rounds) and not batch.running, timeout=40)
        assert all(r.left.text and r.right.text for r in batch.rounds), [
            (r.left.error, r.right.error) for r in batch.rounds]
        for key_name in ["right_square_bracket"] * 6 + ["left_square_bracket"] * 4:
            await pilot.press(key_name)
        await pilot.press("v")
        await wait_for(pilot, lambda: list_migrations() and list_migrations()[0].get("verdict"))
    (record,) = list_migrations()
    assert record["target"]["profile"] == "mine"
    verdict = record["verdict"]
    assert verdict["n"] == 10 and (verdict["wins"], verdict["losses"]) == (6, 4)
