"""The Jobs section (placeholder until its screen lands)."""

from __future__ import annotations

from textual.widgets import Static

from tui.screens.base import SectionScreen


class JobsScreen(SectionScreen):
    SECTION = "Jobs"

    def compose_body(self):
        yield Static("Jobs: coming soon", id="placeholder")
