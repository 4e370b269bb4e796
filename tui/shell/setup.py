"""Shown when ftui has no account to talk to: what to set, and the sandbox one key away."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, VerticalScroll
from textual.widgets import Static

from ftui.tui.screens.base import FtuiScreen
from ftui.widgets.key_footer import KeyFooter
from ftui.widgets.status_header import StatusHeader


class SetupScreen(FtuiScreen):
    BINDINGS = [
        Binding("s", "app.start_sandbox", "Try the sandbox", id="setup.sandbox",
                tooltip="Start a local simulated OpenAI server: no key, no cost"),
        Binding("q", "app.quit", "Quit", id="setup.quit", tooltip="Leave ftui"),
    ]

    DEFAULT_CSS = """
    SetupScreen VerticalScroll { padding: 1 2; }
    SetupScreen #setup-text { width: 76; border: round $warning; padding: 1 2; }
    """

    def __init__(self, message: str) -> None:
        super().__init__()
        self._message = message

    def _text(self) -> Text:
        return Text.assemble(
            ("ftui has no account to talk to yet\n\n", "bold"),
            self._message, "\n\n",
            ("s   ", "bold"), "try the sandbox: simulated training, no key, no cost\n",
            ("1   ", "bold"), "work on a dataset (validation and token counts need no account)\n",
            ("q   ", "bold"), "quit, set the key, and start ftui again",
        )

    def compose(self) -> ComposeResult:
        yield StatusHeader("Setup")
        with VerticalScroll():
            with Center():
                yield Static(self._text(), id="setup-text")
        yield KeyFooter()
