"""Pick the profile (account) one compare pane asks: the old fine-tune on one, the new on another."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ftui.tui.screens.base import FtuiModal


class ProfilePicker(FtuiModal[str | None]):
    CSS_PATH = "modals.tcss"
    BINDINGS = [
        Binding("escape", "dismiss_none", "Cancel", id="compare.profile_picker.cancel",
                tooltip="Keep the pane's profile"),
    ]

    def __init__(self, side: str, names: list[str], current: str) -> None:
        super().__init__()
        self.side, self.names, self.current = side, names, current

    def compose(self) -> ComposeResult:
        with Vertical(id="picker-box", classes="compare-modal"):
            yield Static(f"Profile for the {self.side} pane", classes="modal-title")
            yield OptionList(*[Option(("● " if n == self.current else "  ") + n, id=n) for n in self.names],
                             id="profile-list")
            yield Static("enter picks; then choose a model on that account", id="picker-status")

    def on_mount(self) -> None:
        options = self.query_one("#profile-list", OptionList)
        options.highlighted = self.names.index(self.current) if self.current in self.names else 0
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
