"""The Files section: the account's files; upload (validated first), download, delete."""

from __future__ import annotations

import asyncio
import os
import threading
from pathlib import Path

from textual import on, work
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.widgets import DataTable, Input, Static

from ftui.core.errors import CoreError
from ftui.core.types import Page, RemoteFile
from ftui.tui.screens.dialogs.confirm import confirm
from ftui.tui.screens.list_section import ListSection
from ftui.tui.shell.no_account import no_account
from ftui.widgets.formats import count, human_bytes, when
from ftui.widgets.keyed_table import KeyedTable
from ftui.widgets.path_input import PathSuggester
from ftui.widgets.transfer_progress import TransferProgressBar


def default_download_dir() -> Path:
    downloads = Path.home() / "Downloads"
    return downloads if downloads.is_dir() else Path.cwd()


def progress_callback(app, bar: TransferProgressBar):
    """A provider progress callback that updates `bar` from any thread."""
    loop_thread = threading.get_ident()

    def report(progress) -> None:
        if threading.get_ident() == loop_thread:
            bar.update_progress(progress.done, progress.total)
        else:
            app.call_from_thread(bar.update_progress, progress.done, progress.total)

    return report


def validation_summary(report) -> str:
    """'3 problems — line 4: ...' for a report that failed validation."""
    errors = list(report.errors)
    # a problem on a line is the most useful to show first
    first = next((e for e in errors if e.line), errors[0] if errors else None)
    where = (f"line {first.line}: " if first and first.line else "") + (first.message if first else "")
    count = len(errors)
    return f"{count} problem{'s' if count != 1 else ''} — {where}"


def file_row(f: RemoteFile) -> tuple:
    return f.filename, f.purpose, human_bytes(f.bytes), when(f.created_at), f.id


class FileTable(KeyedTable[RemoteFile]):
    """The account's files, keyed by file id, newest first."""

    COLUMNS = ("Name", "Purpose", "Size", "Created", "ID")

    def row_of(self, item: RemoteFile) -> tuple:
        return file_row(item)


class FilesScreen(ListSection[RemoteFile]):
    SECTION = "Files"
    LIST_NAME = "files"
    CSS_PATH = "files.tcss"
    PAGE_SIZE = 100

    BINDINGS = [
        Binding("u", "upload", "Upload", id="files.upload", tooltip="Upload a local dataset (validated first)"),
        Binding("exclamation_mark", "upload_anyway", "Upload anyway", id="files.upload_anyway",
                tooltip="Upload the file that failed validation as it is"),
        Binding("x", "cancel_transfer", "Cancel", id="files.cancel",
                tooltip="Cancel the upload or download in progress"),
        Binding("s", "download", "Save", id="files.download", tooltip="Download the file's content"),
        Binding("d,delete", "delete", "Delete", id="files.delete", tooltip="Delete the file on the account"),
        Binding("m", "more", "More", id="files.more", tooltip="Load the next page of files"),
        Binding("r", "refresh", "Refresh", id="files.refresh", tooltip="Reload the list of files"),
        Binding("escape", "close_prompt", "Close", id="files.close_prompt",
                tooltip="Close the path prompt"),
    ]

    # The footer follows these: each change refreshes the keys offered (check_action).
    _prompt_mode: reactive[str | None] = reactive(None, bindings=True)  # upload | download
    _risky_path: reactive[Path | None] = reactive(None, bindings=True)  # failed validation; `!` uploads it anyway
    _cancel: reactive[asyncio.Event | None] = reactive(None, bindings=True)  # set by x during a transfer
    _stop_check: reactive[threading.Event | None] = reactive(None, bindings=True)  # set by x (or !) during a check

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.last_uploaded: RemoteFile | None = None

    def compose_body(self):
        yield Static("", id="files-state")
        yield FileTable(id="files-table")
        # The table cuts long names and ids at 80 columns; this line has the selected row whole.
        yield Static("", id="files-detail")
        with Vertical(id="files-panel"):
            with Horizontal(id="files-prompt"):
                yield Static("", id="files-prompt-label")
                yield Input(id="files-path", suggester=PathSuggester(suffixes=None))
            yield TransferProgressBar(id="files-transfer")
            yield Static("", id="files-message")

    def on_mount(self) -> None:
        # ListSection.on_mount runs next: the no-account message, or the first load.
        self.query_one("#files-prompt").display = False
        self.query_one("#files-transfer").display = False
        self.query_one("#files-detail").display = False

    @property
    def files(self) -> dict[str, RemoteFile]:
        return self.items

    @property
    def ESCAPE_CLOSES(self) -> bool:  # noqa: N802 - read by the app's Escape rule (widgets/text_entry.py)
        """Escape in the path prompt closes the prompt (which leaves the box) in one press."""
        return self._prompt_mode is not None

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "upload_anyway":
            return self._risky_path is not None
        if action == "cancel_transfer":
            return self._cancel is not None or self._stop_check is not None
        if action == "close_prompt":
            return self._prompt_mode is not None
        if action in ("download", "delete"):
            return bool(self.files)
        return super().check_action(action, parameters)

    def say(self, text: str) -> None:
        self.query_one("#files-message", Static).update(text)

    # list -------------------------------------------------------------------------------------
    async def fetch_page(self, after: str | None, limit: int) -> Page[RemoteFile]:
        return await self.provider.list_files(after=after, limit=limit)

    def show_list_error(self, error: CoreError, *, more: bool) -> None:
        self.query_one("#files-state", Static).update(f"Could not load files: {error.summary()}")

    def show_no_account(self) -> None:
        self.query_one("#files-state", Static).update(no_account(self.app))

    def show_list_state(self) -> None:
        self.show_detail()
        shown = len(self.files)
        text = f"{count(shown)} file{'s' if shown != 1 else ''}" if shown else "No files yet: press u to upload one."
        if self.has_more:
            text += " · more on the account: press m"
        self.query_one("#files-state", Static).update(text)

    @on(DataTable.RowHighlighted, "#files-table")
    def _row_highlighted(self, _event) -> None:
        self.show_detail()

    def show_detail(self) -> None:
        """The selected file in full: name, id, size in bytes, purpose and when it was made."""
        f = self.current_file
        box = self.query_one("#files-detail", Static)
        box.display = f is not None
        if f is not None:
            box.update(f"{f.filename} · {f.id} · {count(f.bytes)} bytes · {f.purpose} · {when(f.created_at)}")

    @property
    def current_file(self) -> RemoteFile | None:
        return self.current_item

    # prompt -----------------------------------------------------------------------------------
    def _open_prompt(self, mode: str, label: str, value: str) -> None:
        self._prompt_mode = mode
        self.query_one("#files-prompt").display = True
        self.query_one("#files-prompt-label", Static).update(label)
        field = self.query_one("#files-path", Input)
        field.value = value
        field.cursor_position = len(value)
        field.focus()

    def action_close_prompt(self) -> None:
        self._prompt_mode = None
        self.query_one("#files-prompt").display = False
        self.query_one("#files-table").focus()

    @on(Input.Submitted, "#files-path")
    def _path_submitted(self, event: Input.Submitted) -> None:
        mode = self._prompt_mode
        path = Path(os.path.expanduser(event.value.strip()))
        if not event.value.strip():
            self.say("Type a path first.")
            return
        self.action_close_prompt()
        if mode == "upload":
            self.check_then_upload(path)
        elif mode == "download" and self._download_target is not None:
            self.download(self._download_target, path)

    # upload -----------------------------------------------------------------------------------
    def action_upload(self) -> None:
        if self.provider is None:
            self.say(no_account(self.app))
            return
        current = self.current_dataset
        default = str(current) if current else str(Path.cwd()) + os.sep
        self._open_prompt("upload", "Upload:", default)

    def action_upload_anyway(self) -> None:
        path, self._risky_path = self._risky_path, None
        if self._stop_check is not None:  # no need to wait for the check (e.g. of a big file)
            self._stop_check.set()
        if path is not None:
            self.upload(path)

    @work(exclusive=True, group="files-check", exit_on_error=False, description="checking the file before upload")
    async def check_then_upload(self, path: Path) -> None:
        """Validate with the dataset core (in a thread); upload only a clean file."""
        from ftui.core.dataset.validate import validate_path

        if not path.is_file():
            self.say(f"[red]{path} is not a file.[/] Check the path and press u again.")
            return
        # A big file takes a while: the bar moves, x stops the check, ! uploads without it.
        bar = self.query_one(TransferProgressBar)
        bar.display = True
        bar.start(f"Checking {path.name}", max(1, path.stat().st_size))
        self._risky_path = path
        self._stop_check = stop = threading.Event()
        self.say(f"Checking {path.name} before upload… x stops, ! uploads it without waiting.")

        def progress(done: int, total: int) -> None:
            self.app.call_from_thread(bar.update_progress, done, total)

        try:
            report = await asyncio.to_thread(validate_path, path, progress=progress, cancel=stop)
        except Exception as exc:  # noqa: BLE001 - any failure is said here, with ! still offered
            if stop.is_set():
                if self._risky_path is not None:  # x, not !: say how to go on
                    bar.finish("check stopped")
                    self.say(f"Check of {path.name} stopped. Press u to check again, or ! to upload it "
                             "without checking.")
                return
            bar.finish("not checked")
            why = exc.summary() if isinstance(exc, CoreError) else f"{type(exc).__name__}: {exc}"
            self.say(f"[red]Could not check {path.name}: {why}[/] Press ! to upload anyway.")
            return
        finally:
            if self._stop_check is stop:
                self._stop_check = None
        if stop.is_set():
            return  # ! was pressed as the check ended: that upload is under way
        self._risky_path = None
        bar.display = False
        if not report.valid:
            self._risky_path = path
            self.say(f"[red]{path.name} failed validation: {validation_summary(report)}[/]\n"
                     "Fix it on Data (1), or press ! to upload it anyway.")
            return
        self.upload(path)

    @work(exclusive=True, group="files-transfer", exit_on_error=False, description="uploading the file")
    async def upload(self, path: Path) -> None:
        provider = self.provider
        bar = self.query_one(TransferProgressBar)
        bar.display = True
        try:
            size = path.stat().st_size
        except OSError as exc:
            self.say(f"[red]Cannot read {path}: {exc.strerror}[/]")
            return
        bar.start(f"Uploading {path.name}", size)
        self._cancel = asyncio.Event()
        self.say("Uploading… press x to cancel.")
        try:
            made = await provider.upload_file(path, purpose="fine-tune",
                                              progress=progress_callback(self.app, bar),
                                              cancel=self._cancel)
        except CoreError as exc:
            bar.finish("stopped")
            self.say(f"[red]Upload of {path.name} did not finish: {exc.summary()}[/]")
            return
        finally:
            self._cancel = None
        self.last_uploaded = made
        bar.update_progress(size, size)
        bar.finish(f"done · {made.id}")
        self.say(f"Uploaded {made.filename} as [b]{made.id}[/]. Launch a job with it from Jobs (2, then n).")
        bar.display = False  # the line above says it is done; a bar left at 100% would read as still busy
        self.load_list()

    def action_cancel_transfer(self) -> None:
        if self._stop_check is not None:
            self._stop_check.set()
            self.say("Stopping the check…")
        if self._cancel is not None:
            self._cancel.set()
            self.say("Cancelling…")

    # download ---------------------------------------------------------------------------------
    _download_target: str | None = None

    def action_download(self) -> None:
        f = self.current_file
        if f is None:
            self.say("No file selected.")
            return
        self._download_target = f.id
        self._open_prompt("download", "Save to:", str(default_download_dir() / f.filename))

    @work(exclusive=True, group="files-transfer", exit_on_error=False, description="downloading the file")
    async def download(self, file_id: str, dest: Path) -> None:
        if dest.is_dir():
            dest = dest / self.files[file_id].filename if file_id in self.files else dest / file_id
        if not dest.parent.is_dir():
            self.say(f"[red]Folder {dest.parent} does not exist.[/]")
            return
        bar = self.query_one(TransferProgressBar)
        bar.display = True
        bar.start(f"Downloading {dest.name}", self.files[file_id].bytes if file_id in self.files else 0)
        try:
            await self.provider.download_file(file_id, dest, progress=progress_callback(self.app, bar))
        except CoreError as exc:
            bar.finish("stopped")
            self.say(f"[red]Download failed: {exc.summary()}[/]")
            return
        bar.finish("done")
        self.say(f"Saved to {dest}")

    # delete -----------------------------------------------------------------------------------
    def action_delete(self) -> None:
        f = self.current_file
        if f is None:
            self.say("No file selected.")
            return
        self._ask_delete(f)

    @work(exclusive=True, group="files-ask", exit_on_error=False, description="asking before the delete")
    async def _ask_delete(self, f: RemoteFile) -> None:
        if await confirm(self, "Delete file?", f"Delete {f.filename} ({f.id}) from the account? Jobs "
                         "already trained on it are not affected.", yes="Delete"):
            self.delete(f)

    @work(exclusive=True, group="files-delete", exit_on_error=False, description="deleting the file")
    async def delete(self, f: RemoteFile) -> None:
        try:
            await self.provider.delete_file(f.id)
        except CoreError as exc:
            self.say(f"[red]Could not delete {f.filename}: {exc.summary()}[/]")
            return
        self.say(f"Deleted {f.filename} ({f.id}).")
        if f.id in self.files:
            self.list_table.remove_item(f.id)
            self._list_changed()
