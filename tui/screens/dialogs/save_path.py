"""Asking where to save an export: a path box, pre-filled, that completes folders and never
overwrites a file that is already there."""

from __future__ import annotations

import os
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Static

from ftui.tui.screens.base import FtuiModal
from ftui.widgets.path_input import PathSuggester


class SavePathScreen(FtuiModal[Path | None]):
    """Dismisses with the chosen path (absolute), or None on escape."""

    CSS_PATH = "confirm.tcss"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="save_path.cancel", tooltip="Do not save"),
    ]

    def __init__(self, title: str, default: Path, *, suffixes: tuple[str, ...],
                 note: str = "") -> None:
        super().__init__()
        self._title, self.default, self.suffixes, self._note = title, default, suffixes, note

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(self._title, id="confirm-title")
            kinds = " or ".join(self.suffixes)
            yield Static(f"Save as ({kinds}); Enter saves, → completes a folder, escape cancels."
                         + (f"\n{self._note}" if self._note else ""), id="confirm-message")
            yield Input(str(self.default), id="save-path", suggester=PathSuggester(self.suffixes))
            yield Static("", id="confirm-hint")

    def on_mount(self) -> None:
        box = self.query_one("#save-path", Input)
        box.focus()
        box.cursor_position = len(box.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        hint = self.query_one("#confirm-hint", Static)
        raw = event.value.strip().strip("'\"")
        if not raw:
            hint.update("Type a file name.")
            return
        path = Path(os.path.expanduser(raw))
        if not path.is_absolute():
            path = Path.cwd() / path
        if path.suffix.lower() not in self.suffixes:
            hint.update(f"The name must end in {' or '.join(self.suffixes)}.")
            return
        if path.is_dir():
            hint.update(f"{path} is a folder: add a file name.")
            return
        if path.exists():
            hint.update(f"{path.name} already exists there: type another name (ftui never "
                        "overwrites an export).")
            return
        self.dismiss(path)

    def action_cancel(self) -> None:
        self.dismiss(None)
