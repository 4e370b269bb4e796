"""The top line: app name, the active profile, and a loud badge when training is simulated."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static


class StatusHeader(Static):
    """Shows `ftui · <section> · profile <name>` and `SANDBOX - simulated training` in sandbox mode."""

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

    def __init__(self, section: str = "", profile: str = "", simulated: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        self.set_reactive(StatusHeader.section, section)
        self.set_reactive(StatusHeader.profile, profile)
        self.set_reactive(StatusHeader.simulated, simulated)

    def render(self) -> Text:
        text = Text.assemble((" ftui ", "bold reverse"), " ")
        if self.section:
            text.append(self.section, style="bold")
        if self.profile:
            text.append("  profile: ", style="dim")
            text.append(self.profile)
        if self.simulated:
            text.append("  ")
            text.append(" SANDBOX - simulated training ", style="bold black on yellow")
        return text
