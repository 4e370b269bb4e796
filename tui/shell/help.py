"""`?` / F1: the keys that work right now, nearest the focused widget first, with what they do.

Areas are named as a user sees them ("the example", "User text box", "Data"), never by widget
class names."""

from __future__ import annotations

import re

from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Input, OptionList, Static, TextArea, Tree

from ftui.tui.screens.base import FtuiModal

# What a user calls a part of the screen by what it is, nearest kind first.
_KINDS = ((Input, "text box"), (TextArea, "text box"), (DataTable, "table"), (OptionList, "list"),
          (Tree, "tree"))


def _words(class_name: str) -> str:
    """'DataPickerScreen' -> 'Data picker'."""
    words = re.findall(r"[A-Z][a-z]*|[a-z]+", class_name.removesuffix("Screen")) or [class_name]
    return " ".join([words[0]] + [w.lower() for w in words[1:]])


def area_name(node) -> str:
    """The name of the focused part, the screen or the app, as the user sees it."""
    if node is None:
        return "this screen"
    if isinstance(node, App):
        return "everywhere"
    if isinstance(node, Screen):
        where = getattr(node, "where", "") or ""
        return _words(where) if where and " " not in where else (where or _words(type(node).__name__))
    own = getattr(node, "AREA", "")
    if own:
        return own
    kind = next((name for cls, name in _KINDS if isinstance(node, cls)), "")
    title = Text.from_markup(str(node.border_title)).plain if node.border_title else ""
    if not title and isinstance(node, Input) and node.placeholder:
        title = node.placeholder.split("(")[0].strip()
        title = title if len(title) <= 30 else title[:29] + "…"
        return f"{kind} ({title})"
    if title or kind:
        return f"{title} {kind}".strip()
    return _words(type(node).__name__).lower()


def describe_active_bindings(screen) -> Table:
    """A table of key, action description and tooltip for the focused area of `screen`."""
    table = Table(box=None, expand=True, show_header=True, header_style="bold")
    table.add_column("key", no_wrap=True)
    table.add_column("does")
    table.add_column("where", style="dim", no_wrap=True)
    rows: dict[tuple[str, int], tuple[list[str], object, object]] = {}
    app = screen.app
    for active in screen.active_bindings.values():
        binding = active.binding
        if binding.system or not binding.description:
            continue
        keys, _, _ = rows.setdefault((binding.description, id(active.node)), ([], binding, active.node))
        display = app.get_key_display(binding)
        if display not in keys:
            keys.append(display)  # every key of the action: "1 alt+1", "n ]"
    for keys, binding, node in rows.values():
        text = Text(binding.description)
        if binding.tooltip:
            text.append(f" · {binding.tooltip}", style="dim")
        table.add_row(" ".join(keys), text, area_name(node))
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
        where = area_name(focused) if focused else area_name(self._underneath)
        with VerticalScroll():
            yield Static(Text.assemble(("Keys here", "bold"), f"  (in: {where}; escape closes)"))
            yield Static(describe_active_bindings(self._underneath))

    def action_dismiss(self, result=None) -> None:
        self.dismiss(None)
