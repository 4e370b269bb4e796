"""The top line: app name, the active profile, a loud badge when training is simulated, and the
nearest sunset deadline when it is close."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

# The app keeps the deadline text here, so headers built later show it too.
DEADLINE_ATTRIBUTE = "sunset_deadline"


class StatusHeader(Static):
    """Shows `ftui · <section> · profile <name>`, `SANDBOX - simulated training` in sandbox mode,
    and the nearest deadline (set by the app when one is under 30 days away)."""

    DEFAULT_CSS = """
    StatusHeader {
        dock: top;
        height: 1;
        background: $panel;
        color: $text;
    }
    """

    section: reactive[str] = reactive("")
    profile: reactive[str] = reactive("")
    simulated: reactive[bool] = reactive(False)
    deadline: reactive[str] = reactive("")

    def __init__(self, section: str = "", profile: str = "", simulated: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        self.set_reactive(StatusHeader.section, section)
        self.set_reactive(StatusHeader.profile, profile)
        self.set_reactive(StatusHeader.simulated, simulated)

    def on_mount(self) -> None:
        self.deadline = getattr(self.app, DEADLINE_ATTRIBUTE, "") or ""

    def render(self) -> Text:
        text = Text.assemble((" ftui ", "bold reverse"), " ", no_wrap=True, overflow="ellipsis")
        if self.section:
            text.append(self.section, style="bold")
        if self.profile:
            text.append("  profile: ", style="dim")
            text.append(self.profile)
        if self.simulated:
            text.append("  ")
            text.append(" SANDBOX - simulated training ", style="bold black on yellow")
        if self.deadline:
            text.append("  ")
            text.append(f" ⚠ {self.deadline} ", style="bold white on dark_red")
        return text
