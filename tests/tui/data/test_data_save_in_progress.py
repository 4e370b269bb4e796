"""Escape while a save is under way: the form never says "Nothing has been written" about a write
that will happen; it stays open, says the save is finishing, and closes once the line is on disk."""

from __future__ import annotations

import json

from textual.widgets import TextArea

from ftui.core.dataset.writer import file_lock
from ftui.tui.screens.data.edit import EditExampleScreen
from ftui.tui.screens.dialogs.confirm import ConfirmScreen
from tests.tui.data.test_data_support import copy_example, data_dir, make_app, settle  # noqa: F401
from tests.tui.waiting import wait_for


async def test_escape_during_a_save_lets_it_finish_visibly(tmp_path):
    path = copy_example("marv.jsonl", tmp_path)
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, EditExampleScreen))
        form = app.screen
        area = form.query_one("#edit-json", TextArea)
        example = json.loads(area.text)
        example["messages"][-1]["content"] = "Saved while the user pressed Escape."
        area.load_text(json.dumps(example, indent=2))
        with file_lock(path):  # another writer holds the file: this save waits its turn, as a slow one does
            await pilot.press("f2")
            await wait_for(pilot, lambda: form.saving)
            await pilot.press("escape")
            await pilot.pause(0.2)
            assert not isinstance(app.screen, ConfirmScreen), "offered to discard a save under way"
            assert app.screen is form
            assert "writing line 1 of marv.jsonl" in str(form.query_one("#write-problems").render())
            assert any("will finish" in n.message for n in app._notifications)
        await wait_for(pilot, lambda: app.screen is not form)
        assert "Saved while the user pressed Escape." in path.read_text(encoding="utf-8").splitlines()[0]
