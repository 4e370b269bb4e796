"""`?` names the parts of the screen as a user sees them, not by widget class names."""

from __future__ import annotations

import io
import re
from pathlib import Path

from rich.console import Console
from textual.widgets import Static

from ftui.core.session import Session
from ftui.tui.shell.app import FtuiApp
from ftui.tui.shell.help import HelpScreen
from tests.tui.waiting import wait_for

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
CLASS_NAME = re.compile(r"\b[A-Z][a-z]+(?:[A-Z][a-z]+)+\b")  # ConversationView, DataScreen, FtuiApp


def help_text(app) -> str:
    console = Console(width=76, record=True, file=io.StringIO())
    for static in app.screen.query(Static):
        console.print(static.content)
    return console.export_text()


async def test_help_on_the_data_screen_names_areas_not_classes(tmp_path, monkeypatch):
    monkeypatch.setenv("FTUI_DATA_DIR", str(tmp_path))
    app = FtuiApp(Session(None, "openai"), open_path=EXAMPLES / "marv.jsonl")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.screen.reader is not None)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = help_text(app)
        assert "in: the example" in text
        assert "Data" in text and "everywhere" in text
        assert not CLASS_NAME.findall(text), CLASS_NAME.findall(text)


async def test_help_in_a_text_box_names_the_box_by_its_title():
    app = FtuiApp(Session(None, "openai"))
    async with app.run_test(size=(80, 24)) as pilot:
        app.screen.set_focus(None)
        await pilot.press("3")
        await pilot.pause()
        await pilot.press("f1")  # ? would type into the prompt
        await pilot.pause()
        text = help_text(app)
        assert "in: User text box" in text
        assert not CLASS_NAME.findall(text), CLASS_NAME.findall(text)
