""""Fix answer" offers the dataset's system prompt when the round had none, and every text box has
select-all and clear as named keys (footer, `?`)."""

from __future__ import annotations

import shutil

import pytest

from ftui.core.compare.correction import dataset_system_prompt
from ftui.tui.screens.compare.correction import CorrectionScreen
from ftui.tui.shell.app import FtuiApp
from ftui.tui.shell.help import HelpScreen
from ftui.widgets.key_footer import KeyFooter
from tests.tui.compare.test_compare import open_compare, settle, type_prompt, until
from tests.tui.shell.test_help_names import help_text

MARV_SYSTEM = "Marv is a factual chatbot that is also sarcastic."


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("FTUI_DATA_DIR", str(tmp_path / "ftui-data"))
    return tmp_path / "ftui-data"


def test_the_dataset_system_prompt_is_read_from_its_head(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_text('not json\n{"messages": [{"role": "user", "content": "hi"}]}\n'
                    '{"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "x"}]}\n')
    assert dataset_system_prompt(path) == ("Be brief.", 3)
    assert dataset_system_prompt(tmp_path / "missing.jsonl") is None
    assert dataset_system_prompt("") is None


async def test_fix_answer_prefills_the_dataset_system_prompt(sandbox_session, tmp_path, marv_path):
    copy = tmp_path / "marv.jsonl"
    shutil.copy(marv_path, copy)
    app = FtuiApp(sandbox_session)
    async with app.run_test(size=(80, 24)) as pilot:
        app.current_dataset = copy
        screen = await open_compare(app, pilot)
        await type_prompt(pilot, screen, "Capital of Peru?")  # no system prompt typed
        await pilot.press("ctrl+r")
        await settle(pilot)
        screen.query_one("#pane-right").focus()
        await pilot.press("e")
        fix = app.screen
        assert isinstance(fix, CorrectionScreen)
        system = fix.query_one("#fix-system")
        await until(pilot, lambda: system.text == MARV_SYSTEM)
        assert "from line 1 of marv.jsonl" in str(system.border_title)
        assert fix.current_messages()[0] == {"role": "system", "content": MARV_SYSTEM}


async def test_text_boxes_select_all_and_clear_by_named_keys(sandbox_session):
    app = FtuiApp(sandbox_session)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_compare(app, pilot)
        await type_prompt(pilot, screen, "first line\nsecond line")
        user = screen.query_one("#compare-user")
        user.focus()
        await pilot.pause()
        footer = str(screen.query_one(KeyFooter).render())
        assert "Select all" in footer and "Clear" in footer
        await pilot.press("alt+a")
        assert user.selected_text == "first line\nsecond line"
        await pilot.press("alt+x")
        assert user.text == ""
        await pilot.press("ctrl+z")  # one edit: undo brings it back
        assert user.text == "first line\nsecond line"
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = help_text(app)
        assert "Select all" in text and "Clear" in text and "User text box" in text
