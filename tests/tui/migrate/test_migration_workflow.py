"""The whole way out through the real app, against two sandboxes at once: the radar shows the days
left (today frozen by FTUI_TODAY), `m` on the fine-tune opens the migration, which finds the
recorded local file, refuses a file that is not the one the job used, launches on the target with
the mapped hyperparameters, and ends on a comparison across the two profiles whose batch verdict is
saved with the migration record."""

from __future__ import annotations

from textual.widgets import DataTable, Input

from ftui.core.migrate.records import list_migrations
from ftui.core.session import SessionRequest
from ftui.tui.screens.compare.batch import BatchScreen
from ftui.tui.screens.compare.compare import CompareScreen
from ftui.tui.screens.migrate.form import MigrationScreen
from ftui.tui.screens.sunset.radar import RadarScreen
from ftui.tui.shell.app import FtuiApp
from ftui.widgets.status_header import StatusHeader
from tests.migrate.conftest import OLD_KEY, sdk_provider
from tests.tui.migrate.conftest import NEW_KEY
from tests.tui.waiting import wait_for


def model_row(screen: RadarScreen, model: str) -> int:
    table = screen.query_one("#sunset-table", DataTable)
    keys = [k for k, (r, m) in screen.rows.items() if m is not None and m.model == model]
    return table.get_row_index(keys[0])


async def open_form(pilot, app, model: str) -> MigrationScreen:
    radar = app.screen
    assert isinstance(radar, RadarScreen)
    radar.query_one("#sunset-table", DataTable).move_cursor(row=model_row(radar, model))
    await pilot.press("m")
    await wait_for(pilot, lambda: isinstance(app.screen, MigrationScreen) and app.screen.plan is not None)
    return app.screen


async def test_leaving_a_closed_account_end_to_end(two_accounts, tmp_path):
    old_job = two_accounts["job"]
    app = FtuiApp(SessionRequest(profile="old"))
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: app.provider is not None)
        await pilot.press("alt+6")  # a digit would type into the Data picker's filter
        await wait_for(pilot, lambda: isinstance(app.screen, RadarScreen) and app.screen.radars)
        radar = app.screen
        old = next(r for r in radar.radars if r.profile == "old")
        (model,) = old.models
        assert model.model == old_job.fine_tuned_model and model.job_id == old_job.id
        assert (model.shutdown_date, model.days_left) == ("2027-01-14", 25)
        assert model.base_model == "gpt-4o-mini-2024-07-18"
        header = radar.query_one(StatusHeader)
        assert header.deadline.startswith("25 days left: old ") and "2027-01-14" in header.deadline
        no_key = next(r for r in radar.radars if r.profile == "openai")
        assert not no_key.checked and "No OpenAI API key" in no_key.problem

        # The recorded local copy is found.
        form = await open_form(pilot, app, model.model)
        plan = form.plan
        assert plan.target_profile == "new" and plan.target_model == "gpt-4o-mini-2024-07-18"
        assert "upload record" in plan.training.how
        assert plan.training.path == str(two_accounts["training"].resolve())
        rows = {r.label: (r.source_value, r.target_name, r.target_value) for r in plan.rows}
        assert rows["Learning rate"] == (2.0, "learning_rate_multiplier", 2.0)
        assert rows["Epochs"] == (2, "n_epochs", 2) and rows["Seed"] == (42, "seed", 42)
        assert not form.query_one("#mig-training-path", Input).display
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, RadarScreen))

        # The copy moves away and the provider cannot hand the file back: ftui asks for a path.
        moved = tmp_path / "moved.jsonl"
        two_accounts["training"].rename(moved)
        source = sdk_provider(two_accounts["old"].base_url, "old")
        await source.delete_file(old_job.training_file)
        await source.aclose()
        form = await open_form(pilot, app, model.model)
        path = form.query_one("#mig-training-path", Input)
        assert path.display and not form.plan.ready
        assert "is gone" in form.plan.training.needs_user
        shorter = tmp_path / "shorter.jsonl"
        shorter.write_bytes(b"".join(moved.read_bytes().splitlines(keepends=True)[:-1]))
        path.focus()
        path.value = str(shorter)
        await pilot.press("enter")
        await wait_for(pilot, lambda: "training" in form.errors)
        error = form.query_one("#mig-training-error")
        assert error.display and "is not the training file" in str(error.render())
        assert "lines, not" in form.errors["training"]
        path.value = str(moved)
        await pilot.press("enter")
        await wait_for(pilot, lambda: form.plan.ready and not form.errors)
        assert form.plan.training.how.startswith("your file")
        assert not form.query_one("#mig-training-error").display

        # Launch on the target; the trained model opens a comparison across the two profiles.
        form.query_one("#mig-hp").focus()
        await pilot.press("ctrl+r")
        await pilot.pause(0.2)
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, CompareScreen) and app.screen.is_mounted, timeout=40)
        compare = app.screen
        migration = form.plan.id
        assert compare.models["left"] == old_job.fine_tuned_model
        assert compare.profiles == {"left": "old", "right": "new"} and compare.migration_id == migration
        new_model = compare.models["right"]
        assert new_model and new_model.startswith("ft:gpt-4o-mini-2024-07-18")
        target = sdk_provider(two_accounts["new"].base_url, "new", key=NEW_KEY)
        launched = await target.retrieve_job(form.launched.id)
        await target.aclose()
        assert launched.hyperparameters["n_epochs"] == 2
        assert launched.hyperparameters["learning_rate_multiplier"] == 2.0
        assert launched.seed == 42 and launched.suffix == "marv"

        # Same prompt to both accounts, streaming side by side.
        compare.query_one("#compare-user").text = "What is the capital of country number 3?"
        compare.query_one("#compare-user").focus()
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: compare.round and compare.round.left.finished
                       and compare.round.right.finished and not compare.streaming)
        assert compare.round.left.status == "done" and compare.round.right.status == "done"
        assert compare.round.left.text and compare.round.right.text

        # Batch on the job's validation file, old on "old" against new on "new"; the verdict is kept.
        compare.query_one("#pane-left").focus()
        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: isinstance(app.screen, BatchScreen))
        batch = app.screen
        assert batch.query_one("#batch-file", Input).value == str(two_accounts["validation"].resolve())
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: batch.rounds and all(batch.rounds) and not batch.running, timeout=30)
        assert all(r.left.text and r.right.text for r in batch.rounds), [
            (r.left.error, r.right.error) for r in batch.rounds]
        for key in ["right_square_bracket"] * 7 + ["left_square_bracket"] * 2 + ["equals_sign"]:
            await pilot.press(key)
        await pilot.press("v")
        await wait_for(pilot, lambda: list_migrations() and list_migrations()[0].get("verdict"))
    (record,) = list_migrations()
    verdict = record["verdict"]
    assert record["id"] == migration and record["target"]["profile"] == "new"
    assert verdict["n"] == 10 and (verdict["wins"], verdict["losses"], verdict["ties"]) == (7, 2, 1)
    assert verdict["win_rate"] == 0.75 and verdict["ci"][0] < 0.75 < verdict["ci"][1] < 1
    assert verdict["old"] == f"{old_job.fine_tuned_model} @ old" and verdict["new"] == f"{new_model} @ new"


async def test_keys_never_leave_the_secret_in_the_screen(two_accounts):
    app = FtuiApp(SessionRequest(profile="old"))
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: app.provider is not None)
        await pilot.press("alt+6")  # a digit would type into the Data picker's filter
        await wait_for(pilot, lambda: isinstance(app.screen, RadarScreen) and app.screen.radars)
        shown = app.export_screenshot()
        # The radar is also in the command palette, from any section.
        from ftui.tui.shell.commands import ActiveBindingsCommands

        labels = [label for label, _, _ in ActiveBindingsCommands(app.screen, None)._commands()]
        assert any(label.startswith("Sunset") for label in labels)
    assert OLD_KEY not in shown and NEW_KEY not in shown
