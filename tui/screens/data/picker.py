"""Choosing a dataset by keyboard: folder tree, a path box that completes paths, recent files, and
the account's uploaded files."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from textual import work
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from ftui.core.recent import load_recent
from ftui.tui.screens.base import SectionScreen
from ftui.tui.shell.no_account import no_account
from ftui.widgets.path_input import DatasetTree, PathSuggester


@dataclass
class Picked:
    """What the picker answers: a local path, or a remote file fetched to a temporary path."""

    path: Path
    remote_id: str | None = None
    remote_name: str | None = None


class DataPickerScreen(SectionScreen):
    SECTION = "Data"
    # The path box has the cursor, so typing goes there (alt+1..5 switch sections from it).
    AUTO_FOCUS = "#picker-path"
    # Styles: picker.tcss, loaded with the app's (see FtuiApp.CSS_PATH).
    BINDINGS = [
        Binding("ctrl+l", "focus_path", "Type path", id="data.picker.path",
                tooltip="Type or paste a path; → accepts the completion, Enter opens"),
        Binding("ctrl+t", "focus_tree", "Folders", id="data.picker.tree",
                tooltip="Browse folders (Enter opens a .jsonl file)"),
        Binding("ctrl+r", "focus_recent", "Recent", id="data.picker.recent",
                tooltip="Files opened before"),
        Binding("backspace", "parent", "Up a folder", id="data.picker.parent", show=False,
                tooltip="Show the folder above in the tree"),
        Binding("f,ctrl+f", "remote", "Account files", id="data.picker.remote",
                tooltip="Open a file already uploaded to the account (read-only)"),
        Binding("escape", "close", "Back", id="data.picker.close",
                tooltip="Back to the open dataset"),
    ]

    def __init__(self, start: Path | None = None, *, can_close: bool = False, message: str = "") -> None:
        super().__init__()
        self._message = message
        self._start = (start or Path.cwd()).resolve()
        self._can_close = can_close
        self._recent: list[Path] = []

    def compose_body(self):
        with Vertical(id="picker"):
            yield Label("Open a dataset (.jsonl) · Tab: next part · alt+1..5: sections", id="picker-title")
            # Relative to where ftui was started (empty there); → accepts a completion, Enter opens.
            here = "" if self._start == Path.cwd().resolve() else str(self._start) + os.sep
            yield Input(here, placeholder="type or paste a path (→ completes, Enter opens)",
                        suggester=PathSuggester(), id="picker-path")
            yield Static(self._message, id="picker-message")
            with Horizontal(id="picker-lists"):
                with Vertical(id="picker-tree-box"):
                    yield Label("Folders", classes="picker-heading")
                    # the tree is mounted after the first paint (see on_mount)
                with Vertical(id="picker-recent-box"):
                    yield Label("Recent files", classes="picker-heading")
                    yield OptionList(id="picker-recent")

    def on_mount(self) -> None:
        # Listing the folder and reading the recent files wait for the first frame: they would
        # otherwise hold it up by about 20 ms.
        self.app.after_first_frame(self._fill_lists)

    async def _fill_lists(self) -> None:
        tree = DatasetTree(self._start, id="picker-tree")
        await self.query_one("#picker-tree-box").mount(tree)
        self._load_recent()

    @work(thread=True, exclusive=True, group="data-recent", exit_on_error=False,
          description="loading the recent datasets")
    def _load_recent(self) -> None:
        items = load_recent()
        self.app.call_from_thread(self._show_recent, items)

    def _show_recent(self, items: list[Path]) -> None:
        self._recent = items
        ol = self.query_one("#picker-recent", OptionList)
        ol.clear_options()
        if not items:
            ol.add_option(Option("(none yet)", id="none", disabled=True))
            return
        home = str(Path.home())
        for i, p in enumerate(items):
            text = str(p)
            if text.startswith(home + os.sep):
                text = "~" + text[len(home):]
            ol.add_option(Option(text, id=str(i)))
        ol.highlighted = 0

    # -- choosing ---------------------------------------------------------------------------
    def _say(self, text: str) -> None:
        self.query_one("#picker-message", Static).update(text)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        raw = event.value.strip().strip("'\"")  # pasted paths often come quoted
        if not raw:
            self._say("Type a path first.")
            return
        path = Path(os.path.expanduser(raw))
        if not path.is_absolute():
            path = self._start / path
        if path.is_dir():
            # A folder: show it in the tree rather than failing to open it as a file.
            self._say(f"{path} is a folder: its .jsonl files are in the tree below.")
            tree = self._tree()
            if tree is None:
                self._start = path  # the tree, about to be mounted, starts there
            else:
                tree.path = path
                tree.focus()
            return
        self.dismiss(Picked(path))

    def on_directory_tree_file_selected(self, event: DatasetTree.FileSelected) -> None:
        event.stop()
        self.dismiss(Picked(Path(event.path)))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id and event.option.id.isdigit():
            self.dismiss(Picked(self._recent[int(event.option.id)]))

    # -- actions ----------------------------------------------------------------------------
    def action_focus_path(self) -> None:
        box = self.query_one("#picker-path", Input)
        box.focus()
        box.cursor_position = len(box.value)

    def _tree(self) -> DatasetTree | None:
        """The folder tree, or None in the moment before it is mounted."""
        trees = self.query(DatasetTree)
        return trees.first() if trees else None

    def action_focus_tree(self) -> None:
        if tree := self._tree():
            tree.focus()

    def action_focus_recent(self) -> None:
        self.query_one("#picker-recent").focus()

    def action_parent(self) -> None:
        tree = self._tree()
        if tree is None:
            return
        here = Path(tree.path)
        if here.parent != here:
            tree.path = here.parent
            self.query_one("#picker-path", Input).value = str(here.parent) + os.sep

    def action_remote(self) -> None:
        from ftui.tui.screens.data.remote import RemoteFilesScreen

        if self.provider is None:
            self._say(no_account(self.app))
            return

        def fetched(result: Picked | None) -> None:
            if result is not None:
                self.dismiss(result)

        self.app.push_screen(RemoteFilesScreen(), fetched)

    def action_close(self) -> None:
        if self._can_close:
            self.dismiss(None)

    @property
    def ESCAPE_CLOSES(self) -> bool:  # noqa: N802 - read by the app's Escape rule (widgets/text_entry.py)
        """Escape in the path box goes back when there is a dataset to go back to."""
        return self._can_close

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "close":
            return self._can_close
        return True
