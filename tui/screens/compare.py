"""The Compare section (placeholder until its screen lands)."""

from __future__ import annotations

from textual.widgets import Static

from tui.screens.base import SectionScreen


class CompareScreen(SectionScreen):
    SECTION = "Compare"

    def compose_body(self):
        yield Static("Compare: coming soon", id="placeholder")
