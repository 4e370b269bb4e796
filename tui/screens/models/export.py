"""Asking how and where to export a local model: its adapter folder, or a merged standalone
model folder; the destination must be a folder that does not exist yet."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Select, Static

from ftui.tui.screens.base import FtuiModal
from ftui.widgets.path_input import PathSuggester

KINDS = [("adapter (PEFT folder)", "adapter"), ("merged (standalone model folder)", "merged")]


@dataclass(frozen=True)
class ExportChoice:
    dest: Path
    merged: bool


class ExportScreen(FtuiModal[ExportChoice | None]):
    """Dismisses with the choice, or None on escape."""

    CSS_PATH = "../dialogs/confirm.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="models.export.cancel", tooltip="Do not export")]

    def __init__(self, model: str, default: Path, *, base: bool) -> None:
        super().__init__()
        self.model, self.default, self.base = model, default, base

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(f"Export {self.model}", id="confirm-title")
            yield Static("Into a new folder; Enter exports, → completes a folder, escape cancels.",
                         id="confirm-message")
            kinds = KINDS[1:] if self.base else KINDS  # a base model has no adapter
            yield Select(kinds, value=kinds[0][1], allow_blank=False, id="export-kind", compact=True)
            yield Input(str(self.default), id="export-dest", suggester=PathSuggester(()))
            yield Static("", id="confirm-hint")

    def on_mount(self) -> None:
        box = self.query_one("#export-dest", Input)
        box.focus()
        box.cursor_position = len(box.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        hint = self.query_one("#confirm-hint", Static)
        raw = event.value.strip().strip("'\"")
        if not raw:
            hint.update("Type a folder name.")
            return
        path = Path(os.path.expanduser(raw))
        if not path.is_absolute():
            path = Path.cwd() / path
        if path.exists():
            hint.update(f"{path.name} already exists there: type a new folder name (ftui never "
                        "overwrites an export).")
            return
        self.dismiss(ExportChoice(path, self.query_one("#export-kind", Select).value == "merged"))

    def action_cancel(self) -> None:
        self.dismiss(None)
