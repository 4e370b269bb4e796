"""Asking where to archive a profile: the save-path box, completing folders, that takes only a new
or empty folder and says so in place otherwise."""

from __future__ import annotations

import os
from pathlib import Path

from textual.widgets import Input, Static

from ftui.tui.screens.dialogs import save_path
from ftui.tui.screens.dialogs.save_path import SavePathScreen

CONFIRM_CSS = str(Path(save_path.__file__).with_name("confirm.tcss"))


def folder_problem(path: Path) -> str | None:
    """Why `path` cannot take an archive, or None. The same rule as core's refuse_non_empty."""
    if path.exists() and not path.is_dir():
        return f"{path} is a file: name a new or empty folder."
    if path.is_dir() and any(path.iterdir()):
        return f"{path} is not empty: an archive goes into a new or empty folder (nothing was written)."
    return None


class ArchiveFolderScreen(SavePathScreen):
    """Dismisses with the chosen folder (absolute), or None on escape."""

    CSS_PATH = CONFIRM_CSS

    def __init__(self, profile: str, default: Path) -> None:
        super().__init__(f"Archive {profile}", default, suffixes=())

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#confirm-message", Static).update(
            "Jobs, events, checkpoints, result files, models and compare sessions go into this folder "
            "(new or empty). Enter archives, → completes a folder, escape cancels.")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        event.prevent_default()  # the file rule of SavePathScreen's own handler does not apply
        hint = self.query_one("#confirm-hint", Static)
        raw = event.value.strip().strip("'\"")
        if not raw:
            hint.update("Type a folder.")
            return
        path = Path(os.path.expanduser(raw))
        if not path.is_absolute():
            path = Path.cwd() / path
        problem = folder_problem(path)
        if problem:
            hint.update(problem)
            return
        self.dismiss(path)
