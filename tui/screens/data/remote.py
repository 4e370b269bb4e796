"""The account's training files: pick one to preview and validate it read-only.

The chosen file is downloaded through core (`provider.download_file`) to a temporary folder, so the
same line reader and validator work on it as on a local file.
"""

from __future__ import annotations

import time

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label, OptionList, ProgressBar, Static
from textual.widgets.option_list import Option

from ftui.core.errors import CoreError
from ftui.core.scratch import download_path, remove_copies
from ftui.tui.screens.base import FtuiModal
from ftui.tui.screens.data.picker import Picked
from ftui.widgets.formats import human_bytes

MAX_PAGES = 10


class RemoteFilesScreen(FtuiModal[Picked | None]):
    CSS_PATH = "forms.tcss"
    DEFAULT_CSS = """
    RemoteFilesScreen { align: center middle; background: $background 60%; }
    #remote-list { height: auto; max-height: 12; }
    #remote-status { height: auto; color: $text-muted; }
    #remote-progress { display: none; }
    #remote-progress.active { display: block; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="data.remote.cancel", tooltip="Close the list")]

    def __init__(self) -> None:
        super().__init__()
        self._files = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="remote-dialog"):
            yield Label("Account files (fine-tune) · Enter opens read-only")
            yield OptionList(id="remote-list")
            yield ProgressBar(id="remote-progress", show_eta=False)
            yield Static("Loading the list…", id="remote-status")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        self._load_files()

    @work(exclusive=True, group="data-remote", exit_on_error=False, description="loading the account's files")
    async def _load_files(self) -> None:
        status = self.query_one("#remote-status", Static)
        files: list = []
        after = None
        try:
            for _ in range(MAX_PAGES):  # newest first; enough pages for any real account
                page = await self.app.provider.list_files(purpose="fine-tune", after=after)
                files.extend(page.items)
                if not page.has_more or not page.last_id:
                    break
                after = page.last_id
        except CoreError as err:
            status.update(f"Could not list files: {err.summary()}")
            if not files:
                return
        self._files = files
        ol = self.query_one(OptionList)
        ol.clear_options()
        for i, f in enumerate(self._files):
            ol.add_option(Option(f"{f.filename}  ·  {human_bytes(f.bytes)}  ·  {f.id}", id=str(i)))
        if self._files:
            ol.highlighted = 0  # Enter opens the newest at once, no arrow needed first
        status.update("No training files on this account yet." if not self._files
                      else f"{len(self._files)} file(s).")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._fetch_file(self._files[int(event.option.id)])

    @work(exclusive=True, group="data-remote", exit_on_error=False, description="fetching the file")
    async def _fetch_file(self, remote) -> None:
        status = self.query_one("#remote-status", Static)
        bar = self.query_one("#remote-progress", ProgressBar)
        bar.add_class("active")
        bar.update(total=remote.bytes or None, progress=0)
        status.update(f"Fetching {remote.filename}…")
        last = [0.0]

        def progress(p) -> None:
            now = time.monotonic()
            if now - last[0] > 0.1:  # at most ~10 updates a second
                last[0] = now
                bar.update(total=p.total or None, progress=p.done)

        dest = None
        try:
            dest = download_path(remote.id, remote.filename)
            await self.app.provider.download_file(remote.id, dest, progress=progress)
        except CoreError as err:
            if dest is not None:
                remove_copies([dest.parent])  # nothing half-fetched is left behind
            bar.remove_class("active")
            status.update(f"Could not fetch {remote.filename}: {err.summary()}")
            return
        self.dismiss(Picked(dest, remote_id=remote.id, remote_name=remote.filename))

    def action_cancel(self) -> None:
        self.dismiss(None)
