"""The launch request as Python code with the provider's official SDK (`openai` or `together`,
as Capabilities.sdk says), to copy into a script."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static, TextArea

from ftui.tui.screens.base import FtuiModal


class SnippetScreen(FtuiModal[None]):
    CSS_PATH = "snippet.tcss"
    BINDINGS = [
        Binding("escape", "close", "Close", id="launch.snippet.close", tooltip="Back to the form"),
        Binding("y", "copy", "Copy", id="launch.snippet.copy", tooltip="Copy the code to the clipboard"),
    ]

    def __init__(self, code: str, note: str = "") -> None:
        super().__init__()
        self.code = code
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical(id="snippet-box"):
            yield Static("The same request in Python · y copies · Escape closes", id="snippet-title")
            if self.note:
                yield Static(self.note, id="snippet-note")
            yield TextArea(self.code, language=None, read_only=True, show_line_numbers=False,
                           id="snippet-code")

    def action_copy(self) -> None:
        area = self.query_one(TextArea)
        self.app.copy_to_clipboard(area.selected_text or self.code)
        self.notify("Copied the code to the clipboard.", timeout=3)

    def action_close(self) -> None:
        self.dismiss(None)
