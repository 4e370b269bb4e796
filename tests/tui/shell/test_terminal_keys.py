"""Alt keys as a real terminal sends them, through Textual's own parser and the app's event queue (Pilot's
`press("alt+x")` builds keys without a character, which is why its tests never saw these):
ESC + digit must be alt+digit, and an alt key must run its binding inside a text box, not type its letter."""

from __future__ import annotations

from textual import events
from textual._xterm_parser import XTermParser
from textual.widgets import Input

from ftui.core.session import Session
from ftui.tui.shell.app import FtuiApp
from ftui.tui.shell.terminal_keys import as_command, read_alt_digits_as_keys
from ftui.widgets.text_entry import TextBox
from tests.tui.waiting import wait_for


def parsed(data: str) -> list[events.Key]:
    parser = XTermParser()
    out = [*parser.feed(data), *parser.feed("")]  # the empty feed ends a lone ESC's wait, as the driver's flush
    return [k for k in out if isinstance(k, events.Key)]


def test_esc_and_a_digit_is_alt_and_the_digit():
    read_alt_digits_as_keys()
    for digit in "12345":
        (key,) = parsed("\x1b" + digit)
        assert key.key == f"alt+{digit}" and not key.is_printable
    assert read_alt_digits_as_keys() == 0  # once is enough; the app calls it at start


def test_an_alt_letter_arrives_with_its_letter_and_leaves_as_a_command():
    (key,) = parsed("\x1bx")
    assert key.key == "alt+x" and key.character == "x"  # what a text box would type
    command = as_command(key)
    assert command is not None and command.key == "alt+x" and command.character is None
    assert as_command(events.Key("x", "x")) is None and as_command(events.Key("alt+x", None)) is None


def terminal_key(app: FtuiApp, data: str) -> None:
    """Send `data` the way the driver does: parsed, then posted to the app."""
    for key in parsed(data):
        app.post_message(key)


async def test_alt_x_clears_a_text_box_and_types_nothing():
    app = FtuiApp(Session(None, "openai"))
    async with app.run_test(size=(80, 24)) as pilot:
        from ftui.tui.screens.base import SectionScreen

        class Boxed(SectionScreen):
            def compose_body(self):
                yield TextBox("draft answer", id="box")

        screen = Boxed()
        await app.push_screen(screen)
        box = screen.query_one("#box", TextBox)
        box.focus()
        terminal_key(app, "\x1bx")
        await wait_for(pilot, lambda: box.text != "draft answer")
        assert box.text == ""


async def test_alt_2_leaves_a_text_input_for_jobs_without_typing():
    app = FtuiApp(Session(None, "openai"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        boxes = app.screen.query(Input)
        if boxes:
            boxes.first().focus()
        terminal_key(app, "\x1b2")
        await wait_for(pilot, lambda: app.current_mode == "jobs")
        assert all("™" not in b.value for b in boxes)
