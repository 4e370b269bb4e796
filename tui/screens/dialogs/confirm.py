"""The one family of confirmations: yes/no (ConfirmScreen, or `await confirm(...)` from a worker) for
reversible-ish actions, a typed name for deletions that cannot be undone."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Button, Input, Static

from ftui.tui.screens.base import FtuiModal


class ConfirmScreen(FtuiModal[bool]):
    """Ask once; dismisses with True (y / Enter on Yes) or False (n / Escape)."""

    CSS_PATH = "confirm.tcss"
    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes", tooltip="Do it"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no", tooltip="Leave things as they are"),
    ]

    def __init__(self, title: str, message: str, *, yes: str = "Yes", no: str = "No") -> None:
        super().__init__()
        self._title, self._message, self._yes, self._no = title, message, yes, no

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(self._title, id="confirm-title")
            yield Static(self._message, id="confirm-message")
            with Horizontal(id="confirm-buttons"):
                yield Button(f"{self._yes} (y)", variant="error", id="confirm-yes")
                yield Button(f"{self._no} (n)", id="confirm-no")

    def on_mount(self) -> None:
        self.query_one("#confirm-no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "confirm-yes")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


async def confirm(screen: Widget, title: str, message: str = "", *, yes: str = "Yes", no: str = "No") -> bool:
    """Ask and wait for the answer: True only for yes. Call it from a worker (Textual's
    push_screen_wait needs one), e.g. `if await confirm(self, "Delete file?"): ...`."""
    return bool(await screen.app.push_screen_wait(ConfirmScreen(title, message, yes=yes, no=no)))


class TypedConfirmScreen(FtuiModal[bool]):
    """Only the exact `expected` text, typed, confirms (e.g. a model's full name before deleting it)."""

    CSS_PATH = "confirm.tcss"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="confirm.cancel", tooltip="Keep it"),
    ]

    def __init__(self, title: str, message: str, expected: str) -> None:
        super().__init__()
        self._title, self._message, self.expected = title, message, expected

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(self._title, id="confirm-title")
            yield Static(self._message, id="confirm-message")
            yield Static(self.expected, id="confirm-expected")
            yield Input(placeholder="type the name above, then Enter", id="confirm-input")
            yield Static("", id="confirm-hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.value.strip() == self.expected:
            self.dismiss(True)
        else:
            self.query_one("#confirm-hint", Static).update(
                "That is not the exact name; nothing was deleted. Escape to keep it.")

    def action_cancel(self) -> None:
        self.dismiss(False)
