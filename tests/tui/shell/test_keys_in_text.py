"""Keys and text boxes, for every screen at once: letters typed go into the box (never to a
binding), Escape leaves the box, alt+1..5 switch sections from inside text, F8 works anywhere."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import Input, TextArea

from ftui.core.session import Session
from ftui.tui.screens.base import SectionScreen
from ftui.tui.shell.app import FtuiApp
from ftui.widgets.text_entry import is_text_entry


class _PriorityLetters(SectionScreen):
    """A screen with a priority single-letter binding next to a text box (the batch-screen case)."""

    BINDINGS = [Binding("s", "ran", "Sweep", priority=True)]

    def __init__(self) -> None:
        super().__init__()
        self.ran = 0

    def compose_body(self):
        yield Input(id="question")

    def action_ran(self) -> None:
        self.ran += 1


async def test_letters_typed_into_a_text_box_never_run_a_binding_even_a_priority_one():
    # Textual's own rule (keys a focused box consumes leave the binding chain); pinned here
    # because every screen relies on it.
    app = FtuiApp(Session(None, "openai"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = _PriorityLetters()
        await app.push_screen(screen)
        screen.query_one("#question").focus()
        await pilot.press(*"is 3 best?")
        assert screen.query_one("#question", Input).value == "is 3 best?"
        assert screen.ran == 0 and app.screen is screen
        app.screen.set_focus(None)  # out of the box the same key is a command again
        await pilot.press("s")
        assert screen.ran == 1


async def test_escape_leaves_a_text_box_and_alt_digits_switch_sections_from_inside_it():
    app = FtuiApp(Session(None, "openai"))
    async with app.run_test(size=(80, 24)) as pilot:
        app.screen.set_focus(None)
        await pilot.press("3")
        assert app.current_mode == "compare"
        await pilot.pause()
        prompt = app.screen.query_one("#compare-user", TextArea)
        assert app.focused is prompt
        await pilot.press("1", "2")  # digits type
        assert prompt.text == "12" and app.current_mode == "compare"
        await pilot.press("escape")
        assert not is_text_entry(app.focused)
        await pilot.press("1")
        assert app.current_mode == "data"
        await pilot.press("alt+3")
        await pilot.pause()
        assert app.current_mode == "compare"
        prompt.focus()
        await pilot.pause()
        await pilot.press("alt+4")  # straight out of the text box
        assert app.current_mode == "files"


async def test_f8_opens_the_history_from_any_section():
    from ftui.tui.screens.compare.sessions import SessionsScreen

    app = FtuiApp(Session(None, "openai"))
    async with app.run_test(size=(80, 24)) as pilot:
        app.screen.set_focus(None)
        await pilot.press("4")
        assert app.current_mode == "files"
        await pilot.press("f8")
        await pilot.pause()
        assert isinstance(app.screen, SessionsScreen)
