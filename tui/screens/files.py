"""The Files section (placeholder until its screen lands)."""

from __future__ import annotations

from textual.widgets import Static

from tui.screens.base import SectionScreen


class FilesScreen(SectionScreen):
    SECTION = "Files"

    def compose_body(self):
        yield Static("Files: coming soon", id="placeholder")
