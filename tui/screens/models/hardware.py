"""Picking the hardware a dedicated endpoint runs on, each with what it bills per minute."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ftui.core.types import Hardware
from ftui.tui.screens.base import FtuiModal


def price_line(h: Hardware) -> str:
    return f"{h.description or h.name}  ${h.price_per_minute:.4f}/min  (${h.price_per_minute * 60:.2f}/h)"


class HardwareScreen(FtuiModal[Hardware | None]):
    """Dismisses with the chosen hardware, or None on escape."""

    CSS_PATH = ["../dialogs/confirm.tcss", "dialogs.tcss"]
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="models.hardware.cancel", tooltip="Do not deploy")]

    def __init__(self, model: str, choices: list[Hardware]) -> None:
        super().__init__()
        self.model, self.choices = model, choices

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(f"Deploy {self.model}", id="confirm-title")
            yield Static("A dedicated endpoint bills every minute it runs, idle or not. Enter deploys "
                         "on the highlighted hardware, escape cancels.", id="confirm-message")
            yield OptionList(*(Option(price_line(h), id=h.id) for h in self.choices), id="hardware-list")

    def on_mount(self) -> None:
        self.query_one("#hardware-list", OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(next(h for h in self.choices if h.id == event.option.id))

    def action_cancel(self) -> None:
        self.dismiss(None)
