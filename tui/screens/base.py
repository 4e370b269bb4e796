"""What every section screen shares: the status header on top, the footer of keys below."""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widget import Widget

from ftui.widgets.key_footer import KeyFooter
from ftui.widgets.status_header import StatusHeader


class SectionScreen(Screen):
    """A place of the loop (Data, Jobs, Compare, Files, Models). Subclasses fill `compose_body`."""

    SECTION = ""

    def compose(self) -> ComposeResult:
        app = self.app
        yield StatusHeader(
            self.SECTION,
            getattr(app, "profile_label", ""),
            getattr(app, "simulated", False),
        )
        yield from self.compose_body()
        yield KeyFooter()

    def compose_body(self) -> Iterable[Widget]:
        return ()

    @property
    def provider(self):
        """The account this app talks to (a core Provider), or None before one is set up."""
        return getattr(self.app, "provider", None)
