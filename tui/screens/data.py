"""The Data section (placeholder until its screen lands)."""

from __future__ import annotations

from textual.widgets import Static

from tui.screens.base import SectionScreen


class DataScreen(SectionScreen):
    SECTION = "Data"

    def compose_body(self):
        yield Static("Data: coming soon", id="placeholder")
