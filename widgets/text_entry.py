"""What counts as "the user is typing text" (a focused, editable text box), and leaving it: the
app uses these so that Escape always leaves a text box."""

from __future__ import annotations

from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Input, TextArea


def is_text_entry(widget: Widget | None) -> bool:
    """True for a focused widget that takes typed characters (an Input, an editable TextArea)."""
    if isinstance(widget, Input):
        return not getattr(widget, "disabled", False)
    if isinstance(widget, TextArea):
        return not widget.read_only
    return False


def leave_text_entry(screen) -> None:
    """Move focus out of a text box: to the next part of `screen` that is not one, else nowhere
    (keys then go to the screen)."""
    for widget in screen.focus_chain:
        if not is_text_entry(widget):
            screen.set_focus(widget)
            return
    screen.set_focus(None)


def escape_closes(screen) -> bool:
    """Whether Escape closes `screen` (a dialog, or a screen that says ESCAPE_CLOSES = True, like
    an editor): then its own Escape runs, which leaves the text box too. Elsewhere Escape first
    only leaves the box."""
    from textual.screen import ModalScreen

    return bool(getattr(screen, "ESCAPE_CLOSES", isinstance(screen, ModalScreen)))


class TextBox(TextArea):
    """A TextArea with select-all and clear as named keys: in the footer while the box has focus,
    found by `?` and the palette. Clearing is one edit, so ctrl+z brings the text back."""

    BINDINGS = [
        Binding("alt+a", "select_all", "Select all", id="text.select_all",
                tooltip="Select all the text in this box (then type to replace it)"),
        Binding("alt+x", "clear_text", "Clear", id="text.clear",
                tooltip="Empty this box (ctrl+z brings the text back)"),
    ]

    def action_clear_text(self) -> None:
        if not self.read_only and self.text:
            self.clear()
