"""Upload the open dataset from the Data screen: hands the file to Files (4), which checks it
first and shows the transfer, so there is one upload path in the app."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ftui.tui.shell.no_account import no_account


def upload_open_file(screen: Any, path: Path | None) -> None:
    if path is None or getattr(screen, "read_only", False):
        screen.notify("Open a local dataset first: files on the account are already uploaded.",
                      severity="warning")
        return
    files = screen.app._section("files")

    def start() -> None:
        if getattr(files, "provider", None) is None:
            files.notify(no_account(files.app), severity="warning")
            return
        files.check_then_upload(path)

    files.call_after_refresh(start)  # once Files is on screen, its progress bar is there to move
