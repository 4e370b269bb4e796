"""Pick a prompt from a dataset (a held-out or validation file above all) with its expected answer.

The file is never read whole: the first page of prompts shows at once, the rest of the file is
indexed in the background (with progress), and further pages load as the highlight reaches the
end of the list, so a 1 GB dataset costs its line index, not its examples.
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from ftui.core.compare.prompts import PromptExample, PromptSource, sample_prompts
from ftui.core.errors import CoreError
from ftui.tui.screens.base import FtuiModal

PAGE = 200  # prompts parsed and listed at a time


async def read_sample(app: Any, path: Path, n: int | None, seed: int, status: Static,
                      bar: Any) -> tuple[list[PromptExample], list[str]]:
    """A batch's seeded sample of n prompts, drawn by offset (only those lines are parsed), with
    the indexing shown on `status` and `bar`; cancelling the awaiting worker stops the reading."""
    stop = threading.Event()
    shown = [-1]

    def show(done: int, total: int) -> None:
        status.update(f"indexing {path.name}: {done * 100 // max(1, total)}% of {total / 2**20:,.0f} MB"
                      + (f" · then reading the {n:,} lines drawn" if n else ""))
        bar.update(total=max(1, total), progress=done)

    def progress(done: int, total: int) -> None:  # from the reading thread, once a percent
        percent = done * 100 // max(1, total)
        if percent != shown[0]:
            shown[0] = percent
            app.call_from_thread(show, done, total)

    status.update(f"reading {path.name}…")
    try:
        return await sample_prompts(path, n, seed, progress=progress, cancel=stop)
    except asyncio.CancelledError:
        stop.set()
        raise


def _one_line(text: str, width: int = 70) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


class ExamplePicker(FtuiModal[PromptExample | None]):
    CSS_PATH = "modals.tcss"
    BINDINGS = [
        Binding("escape", "dismiss_none", "Cancel", id="compare.examples.cancel",
                tooltip="Keep the current prompt"),
    ]

    def __init__(self, path: Path | None, *, page: int = PAGE) -> None:
        super().__init__()
        self.path = path
        self.page_size = page
        self.examples: list[PromptExample] = []  # the prompts listed so far (pages, not the file)
        self.skipped: list[str] = []
        self.source: PromptSource | None = None
        self.next_line = 1  # where the next page starts; 0 once the file is exhausted
        self.indexed: int | None = None  # the file's line count once indexed
        self._stop = threading.Event()  # ends the background indexing of the file shown

    def compose(self) -> ComposeResult:
        with Vertical(id="examples-box", classes="compare-modal"):
            yield Static("Prompt from a dataset (enter loads the file / picks the example)",
                         classes="modal-title")
            yield Input(str(self.path or ""), placeholder="path to a .jsonl file", id="examples-path")
            yield OptionList(id="examples-list")
            yield Static("", id="examples-status")

    def on_mount(self) -> None:
        if self.path:
            self._load(self.path)
        else:
            self.query_one("#examples-path", Input).focus()

    def on_unmount(self) -> None:
        self._release()

    def _release(self) -> None:
        """Stop indexing and close the file (the index goes with it)."""
        self._stop.set()
        if self.source is not None:
            self.source.close()
            self.source = None

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self._load(Path(event.value.strip()))

    @work(thread=True, exclusive=True, group="compare-examples", exit_on_error=False,
          description="loading the dataset examples")
    def _load(self, path: Path) -> None:
        call = self.app.call_from_thread
        call(self._release)
        self._stop = stop = threading.Event()
        call(self._status, f"reading {path.name}…")
        try:
            source = PromptSource(path)
            found, skipped, after = source.page(1, self.page_size)
        except CoreError as exc:
            call(self._failed, exc.summary())
            return
        if get_current_worker().is_cancelled or stop.is_set():
            source.close()
            return
        call(self._first_page, source, found, skipped, after)
        shown = [-1]

        def progress(done: int, total: int) -> None:  # once a percent, not once a chunk
            percent = done * 100 // max(1, total)
            if percent != shown[0]:
                shown[0] = percent
                call(self._indexing, done, total)

        try:
            lines = source.index(progress, stop)
        except (CoreError, ValueError, OSError):  # closed or changed under us: the pages shown stay
            return
        if not stop.is_set():
            call(self._indexed, lines)

    def _status(self, text: str) -> None:
        self.query_one("#examples-status", Static).update(text)

    def _failed(self, summary: str) -> None:
        self.examples, self.skipped, self.next_line = [], [], 0
        self.query_one("#examples-list", OptionList).clear_options()
        self._status(f"⚠ {summary}")

    def _first_page(self, source: PromptSource, found: list[PromptExample], skipped: list[str], after: int) -> None:
        self.source, self.examples, self.skipped, self.indexed = source, [], [], None
        options = self.query_one("#examples-list", OptionList)
        options.clear_options()
        self._add_page(found, skipped, after)
        if self.examples:
            options.highlighted = 0
            options.focus()

    def _add_page(self, found: list[PromptExample], skipped: list[str], after: int) -> None:
        start = len(self.examples)
        self.examples.extend(found)
        self.skipped.extend(skipped)
        self.next_line = after if len(found) == self.page_size else 0
        self.query_one("#examples-list", OptionList).add_options(
            Option(f"{ex.line:>4}  {_one_line(ex.user)}", id=str(start + i)) for i, ex in enumerate(found))
        self._describe()

    def _indexing(self, done: int, total: int) -> None:
        if self.indexed is None and total:
            self._describe(f" · indexing the file {done * 100 // total}%")

    def _indexed(self, lines: int) -> None:
        self.indexed = lines
        self._describe()

    def _describe(self, extra: str = "") -> None:
        name = self.source.source if self.source else ""
        more = ""
        if self.next_line:
            of = f" of {self.indexed:,} lines" if self.indexed is not None else ""
            more = f" · down at the end loads more (read to line {self.next_line - 1:,}{of})"
        note = f" · {len(self.skipped)} lines skipped ({self.skipped[0]})" if self.skipped else ""
        self._status(f"{len(self.examples):,} prompts in {name}{more}{note}{extra}")

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if self.next_line and self.source is not None and event.option_index >= len(self.examples) - 1:
            self._more(self.source, self.next_line)

    @work(thread=True, exclusive=True, group="compare-examples-page", exit_on_error=False,
          description="loading more dataset examples")
    def _more(self, source: PromptSource, first: int) -> None:
        try:
            found, skipped, after = source.page(first, self.page_size)
        except (CoreError, ValueError, OSError) as exc:
            why = exc.summary() if isinstance(exc, CoreError) else str(exc)
            self.app.call_from_thread(self._status, f"⚠ {why}")
            return
        if source is self.source and first == self.next_line:
            self.app.call_from_thread(self._add_page, found, skipped, after)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.examples[int(event.option.id)])

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
