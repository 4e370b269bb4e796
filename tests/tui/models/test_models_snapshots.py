"""Snapshot at 80x24 of Models on an empty sandbox account, and the typed delete confirmation."""

from __future__ import annotations

from ftui.tui.screens.dialogs.confirm import TypedConfirmScreen
from tests.tui.waiting import until


def test_models_empty(snap_compare, sandbox_app):
    async def run_before(pilot):
        pilot.app.action_goto("models")
        await until(pilot, lambda: "No fine-tuned" in str(pilot.app.screen.query_one("#models-state").render()))

    assert snap_compare(sandbox_app, terminal_size=(80, 24), run_before=run_before)


def test_models_typed_delete_confirmation(snap_compare, sandbox_app, shoot):
    async def run_before(pilot):
        pilot.app.action_goto("models")
        await until(pilot, lambda: "No fine-tuned" in str(pilot.app.screen.query_one("#models-state").render()))
        pilot.app.push_screen(TypedConfirmScreen(
            "Delete fine-tuned model?",
            "This cannot be undone: apps using it will stop working. Type the model's full name:",
            "ft:gpt-4o-mini-2024-07-18:sandbox:marv:AbC123xy"))
        await pilot.pause()
        pilot.app.screen.query_one("#confirm-input").value = "ft:gpt-4o-mini"
        await pilot.press("enter")
        await pilot.pause()
        shoot(pilot.app, "models-delete-typed")

    assert snap_compare(sandbox_app, terminal_size=(80, 24), run_before=run_before)
