"""The Models section (placeholder until its screen lands)."""

from __future__ import annotations

from textual.widgets import Static

from tui.screens.base import SectionScreen


class ModelsScreen(SectionScreen):
    SECTION = "Models"

    def compose_body(self):
        yield Static("Models: coming soon", id="placeholder")
