"""The model picked with `m` for a dataset is the one it opens with after a restart."""

from __future__ import annotations

import shutil

from textual.widgets import OptionList

from ftui.core.chosen_models import remembered_model
from ftui.core.session import Session
from ftui.tui.screens.data.forms import ModelScreen
from ftui.tui.shell.app import FtuiApp
from tests.tui.waiting import wait_for


async def test_the_model_chosen_for_a_dataset_survives_a_restart(tmp_path, marv_path):
    copy = tmp_path / "marv.jsonl"
    other = tmp_path / "other.jsonl"
    shutil.copy(marv_path, copy)
    shutil.copy(marv_path, other)
    app = FtuiApp(Session(None, "openai"), open_path=copy)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.screen.reader is not None)
        data = app.screen
        first = data.model
        await pilot.press("m")
        await wait_for(pilot, lambda: isinstance(app.screen, ModelScreen))
        options = app.screen.query_one(OptionList)
        index = next(i for i in range(options.option_count) if options.get_option_at_index(i).id != first)
        chosen = options.get_option_at_index(index).id
        options.highlighted = index
        await pilot.press("enter")
        await wait_for(pilot, lambda: data.model == chosen and remembered_model(copy) == chosen)
    assert chosen != first

    again = FtuiApp(Session(None, "openai"), open_path=copy)  # a restart
    async with again.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: again.screen.reader is not None)
        assert again.screen.model == chosen
    elsewhere = FtuiApp(Session(None, "openai"), open_path=other)  # another dataset keeps the default
    async with elsewhere.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: elsewhere.screen.reader is not None)
        assert elsewhere.screen.model == first
