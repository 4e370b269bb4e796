"""`?` / F1: the keys that work right now, nearest the focused widget first, with what they do."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from ftui.tui.screens.base import FtuiModal


def describe_active_bindings(screen) -> Table:
    """A table of key, action description and tooltip for the focused area of `screen`."""
    table = Table(box=None, expand=True, show_header=True, header_style="bold")
    table.add_column("key", no_wrap=True)
    table.add_column("does")
    table.add_column("where", style="dim", no_wrap=True)
    seen: set[tuple[str, str]] = set()
    app = screen.app
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if binding.system or not binding.description:
            continue
        ident = (binding.description, type(active.node).__name__)
        if ident in seen:
            continue
        seen.add(ident)
        display = app.get_key_display(binding)
        text = Text(binding.description)
        if binding.tooltip:
            text.append(f" · {binding.tooltip}", style="dim")
        table.add_row(display, text, type(active.node).__name__)
    return table


class HelpScreen(FtuiModal[None]):
    """Keys of the focused area, then of the screen, then of the app."""

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 76; max-height: 20; border: round $accent; background: $surface; padding: 0 1;
    }
    """
    BINDINGS = [
        Binding("escape,question_mark,f1,q", "dismiss", "Close", id="help.close", tooltip="Close this help"),
    ]

    def __init__(self, underneath) -> None:
        super().__init__()
        self._underneath = underneath

    def compose(self) -> ComposeResult:
        focused = self._underneath.focused
        where = type(focused).__name__ if focused else type(self._underneath).__name__
        with VerticalScroll():
            yield Static(Text.assemble(("Keys here", "bold"), f"  (focus: {where}; escape closes)"))
            yield Static(describe_active_bindings(self._underneath))

    def action_dismiss(self, result=None) -> None:
        self.dismiss(None)
