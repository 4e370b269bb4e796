"""The Data section: open a training file, read it example by example, validate it, fix it.

Everything that touches the file runs in thread workers through core (`DatasetReader`, the
validator, the writer); this screen only draws what they hand back. Only the visible example is
read, so a 1 GB file opens as fast as a small one.
"""

from __future__ import annotations

import bisect
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.reactive import var
from textual.widgets import Label, ProgressBar, Static
from textual.worker import get_current_worker

from ftui.core.errors import CoreError
from ftui.core.scratch import remove_copies
from ftui.tui.screens.base import SectionScreen
from ftui.tui.screens.data.forms import DEFAULT_MODEL, AskScreen
from ftui.tui.screens.data.picker import DataPickerScreen, Picked
from ftui.tui.screens.data.validation import DataValidation
from ftui.tui.screens.data.writes import DataWrites
from ftui.tui.shell.messages import DatasetOpened
from ftui.tui.shell.no_account import no_account
from ftui.widgets.conversation_view import ConversationView
from ftui.widgets.formats import count, human_bytes
from ftui.widgets.token_stats import TokenStatsPanel

if TYPE_CHECKING:
    from ftui.widgets.problem_list import ProblemList

PREVIEW_BYTES = 64 * 1024  # bytes of a line read for drawing
PARSE_LIMIT = 8 * 1024 * 1024  # longer lines are shown cut, not parsed for the conversation view
PAGE = 10


class DataScreen(DataValidation, DataWrites, SectionScreen):
    SECTION = "Data"
    # Styles: data.tcss, loaded with the app's (see FtuiApp.CSS_PATH).
    BINDINGS = [
        Binding("down,j", "move(1)", "Next", id="data.next", tooltip="Next example", show=False),
        Binding("up,k", "move(-1)", "Prev", id="data.prev", tooltip="Previous example", show=False),
        Binding("pagedown", "move(10)", "+10", id="data.page_down", tooltip="10 examples on", show=False),
        Binding("pageup", "move(-10)", "-10", id="data.page_up", tooltip="10 examples back", show=False),
        Binding("home,g", "first", "First", id="data.first", tooltip="First example", show=False),
        Binding("end,G", "last", "Last", id="data.last", tooltip="Last example", show=False),
        Binding("colon", "goto_line", "Line", id="data.goto_line", tooltip="Jump to line N", show=False),
        Binding("n,right_square_bracket", "problem(1)", "Problem", id="data.next_problem",
                tooltip="Jump to the next line with a problem"),
        Binding("N,left_square_bracket", "problem(-1)", "Prev problem", id="data.prev_problem",
                tooltip="Jump to the previous line with a problem", show=False),
        Binding("slash", "search", "Search", id="data.search", tooltip="Find text in the file"),
        Binding("f3,full_stop", "find(1)", "Next match", id="data.find_next",
                tooltip="Next line containing the search text"),
        Binding("escape", "stop_search", "Stop search", id="data.stop_search",
                tooltip="Stop the search under way (the view stays where it is)"),
        Binding("shift+f3,comma", "find(-1)", "Prev match", id="data.find_prev", show=False,
                tooltip="Previous line containing the search text"),
        Binding("r", "raw", "Raw", id="data.raw", tooltip="Show the line as raw JSON / as a conversation"),
        Binding("e", "edit", "Edit", id="data.edit", tooltip="Edit this example as JSON"),
        Binding("a", "append", "Add", id="data.append", tooltip="Append a new example from a form"),
        Binding("d,delete", "delete", "Delete", id="data.delete", tooltip="Delete this example (asks first)"),
        Binding("u", "undo", "Undo", id="data.undo", tooltip="Undo the last write to the file"),
        Binding("v", "validate", "Validate", id="data.validate", show=False,
                tooltip="Validate the whole file again"),
        Binding("m", "model", "Model", id="data.model", tooltip="Model used for tokens and cost"),
        Binding("p", "panel", "Panel", id="data.panel", show=False,
                tooltip="Show or hide problems and statistics"),
        Binding("o", "open", "Open", id="data.open", tooltip="Open another file"),
        Binding("U", "upload", "Upload", id="data.upload", show=False,
                tooltip="Upload this dataset to the account (checked first; progress on Files)"),
        Binding("f", "remote", "Account files", id="data.remote", show=False,
                tooltip="Open a file already uploaded to the account (read-only)"),
        Binding("f5", "reload", "Reload", id="data.reload", show=False,
                tooltip="Open the file again (after it changed on disk)"),
    ]

    # What the footer's keys depend on: each change refreshes the bindings (check_action reads them).
    reader: var[Any] = var(None, bindings=True)  # the open file's DatasetReader
    search_text: var[str] = var("", bindings=True)
    search_note: var[str | None] = var(None, bindings=True)  # what a search under way has done so far

    def __init__(self) -> None:
        super().__init__()
        self.path: Path | None = None
        self.read_only = False
        self.remote_name: str | None = None
        self.line = 0  # current line (1-based); 0 when nothing is shown
        self.total_lines: int | None = None  # known once the index is built
        self.blank_lines: list[int] = []
        self.problems: list[Any] = []
        self.problem_lines: list[int] = []
        self.report = None
        self.model = DEFAULT_MODEL
        self.model_chosen = False  # picked with `m` (now or for this dataset before): never replaced
        self.offered_models: list[str] | None = None  # the account's fine-tunable models, once read
        self.models_note = ""  # why `m` offers the built-in list instead
        self._models_for: object = None  # the provider offered_models were asked of
        self.raw = False
        self.current_example: Any = None
        self.current_text = ""
        self.current_cut = False  # the shown line is only the start of a huge line
        self.validating = False
        self._pending_line: int | None = None
        self._temp_dirs: list[Path] = []  # folders holding downloaded copies of account files

    # -- layout ---------------------------------------------------------------------------------
    def compose_body(self):
        if getattr(self.app, "initial_path", None) is None:
            # The picker covers this screen at once: build the body when a file is picked,
            # so the first frame is the picker alone.
            yield Vertical(id="data-main")
            return
        yield Vertical(*self._body(), id="data-main")

    def _body(self) -> list:
        # Imported here: DataTable takes ~3 ms to import, not needed when the picker comes first.
        from ftui.widgets.problem_list import ProblemList

        return [
            Static("No file open · press o to open one", id="data-info"),
            ConversationView(id="data-preview"),
            Vertical(
                Horizontal(Label("", id="data-progress-label"),
                           ProgressBar(id="data-progress", show_eta=False), id="data-progress-row"),
                Horizontal(Vertical(ProblemList(id="data-problems"),
                                    Static("", id="data-problem-detail"), id="data-problems-box"),
                           TokenStatsPanel(id="data-stats"), id="data-panel-body"),
                id="data-panel"),
        ]

    async def _ensure_body(self) -> None:
        main = self.query_one("#data-main")
        if not main.children:
            await main.mount_all(self._body())
            self._body_ready()

    def _body_ready(self) -> None:
        self.query_one(ConversationView).show(note="Open a .jsonl training file: press o.")
        self.query_one("#data-progress-row").display = False
        self.query_one("#data-preview").focus()

    def on_mount(self) -> None:
        self._clean_stale_copies()
        self.watch(self.app, "sessions_opened", self.follow_provider)  # now, and each time one connects
        start = getattr(self.app, "initial_path", None)
        if start:
            self._body_ready()
            self.open_path(Path(start))
        else:
            self.action_open()

    @work(thread=True, group="data-clean", exit_on_error=False, description="removing copies an earlier ftui left")
    def _clean_stale_copies(self) -> None:
        from ftui.core.scratch import clean_stale_copies

        clean_stale_copies()

    # -- opening --------------------------------------------------------------------------------
    def action_open(self) -> None:
        start = self.path.parent if self.path and not self.read_only else None
        self.app.push_screen(DataPickerScreen(start, can_close=self.path is not None), self._picked)

    def action_remote(self) -> None:
        from ftui.tui.screens.data.remote import RemoteFilesScreen

        if self.provider is None:
            self.notify(no_account(self.app), severity="warning")
            return
        self.app.push_screen(RemoteFilesScreen(), self._picked)

    async def _picked(self, picked: Picked | None) -> None:
        if picked is None:
            return
        await self._ensure_body()
        if picked.remote_id:
            self._temp_dirs.append(picked.path.parent)
        self.open_path(picked.path, remote_name=picked.remote_name if picked.remote_id else None,
                       remote_id=picked.remote_id)

    def open_path(self, path: Path, *, remote_name: str | None = None, remote_id: str | None = None,
                  line: int = 1) -> None:
        """Open `path` (a remote file's local copy when remote_name is given) and show `line`."""
        self.read_only = remote_name is not None
        self.remote_name = f"{remote_name} ({remote_id})" if remote_name else None
        self._open(Path(path), line)

    def action_reload(self) -> None:
        if self.path is not None:
            self._open(self.path, self.line or 1)

    @work(thread=True, exclusive=True, group="data-open", exit_on_error=False, description="opening the dataset")
    def _open(self, path: Path, line: int) -> None:
        from ftui.core.dataset.reader import DatasetReader

        self.app.call_from_thread(self._set_info, f"Opening {path}…")
        try:
            if not self.read_only:
                from ftui.core.dataset.writer import recover_cut_append

                if recover_cut_append(path):
                    self.app.call_from_thread(self.notify, "An append was cut short (ftui was killed while "
                                              "writing); its half-written line was removed.", timeout=8)
            reader = DatasetReader(path)
        except CoreError as err:
            folder = path if path.is_dir() else None  # a folder: offer its files instead
            self.app.call_from_thread(self._open_failed, path, err, folder)
            return
        from ftui.core.chosen_models import remembered_model

        model = remembered_model(path)  # the model `m` picked for this dataset last time
        if model:
            self.app.call_from_thread(self.use_model, model)
        self.app.call_from_thread(self._opened, path, reader, line)
        if not self.read_only:
            from ftui.core.recent import add_recent

            add_recent(path)

    def _open_failed(self, path: Path, err: CoreError, folder: Path | None = None) -> None:
        if self.reader is None or Path(self.reader.path) != path:
            self._close_reader()
            self.path = path
        self._set_info(f"Cannot open {path.name or path}")
        self.query_one(ConversationView).show(note=f"✗ {err.summary()}\n\nPress o to pick another file.")
        if folder is not None:
            self.app.push_screen(DataPickerScreen(folder, can_close=True, message=err.summary()), self._picked)

    def _close_reader(self) -> None:
        if self.reader is not None:
            self.reader.close()
        self.reader = None

    def _opened(self, path: Path, reader, line: int) -> None:
        self._close_reader()
        if path != self.path:
            self._forget_remote_copies(keep=path.parent)
        self.path = path
        self.reader = reader
        if not self.read_only:
            self.post_message(DatasetOpened(path))  # the app keeps it for Files, Launch, Compare
        self.total_lines = reader.lines_known if reader.complete else None
        self.blank_lines = []
        self.problems, self.problem_lines = [], []
        self.problem_list().clear_problems()
        self.show_problem_detail()
        if reader.size == 0:
            self.line = 0
            self._set_info("")
            self.query_one(ConversationView).show(note="✗ The file is empty: a training file needs at least "
                                                       "10 examples, one JSON object per line.")
        else:
            self.show_line(max(1, line))
        self._index()
        self.action_validate()

    def _forget_remote_copies(self, keep: Path | None = None) -> None:
        """Delete the temporary copies of account files that are no longer shown."""
        old = [d for d in self._temp_dirs if d != keep]
        self._temp_dirs = [d for d in self._temp_dirs if d == keep]
        remove_copies(old)

    def on_unmount(self) -> None:
        self._close_reader()
        self._forget_remote_copies()

    # -- the index (line count, blank lines) ----------------------------------------------------
    @work(thread=True, exclusive=True, group="data-index", exit_on_error=False, description="indexing the dataset")
    def _index(self) -> None:
        reader = self.reader
        worker = get_current_worker()
        try:
            total = reader.build_index()
            # Blank lines are not examples; knowing them turns line numbers into example numbers.
            blanks = []
            for n in range(1, total + 1):
                if n % 50_000 == 0 and worker.is_cancelled:
                    return
                start, end = reader.line_span(n)
                if end - start <= 16 and not reader.read_line(n).strip():
                    blanks.append(n)
        except CoreError as err:
            self.app.call_from_thread(self._set_info, f"✗ {err.summary()}")
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self._indexed, reader, total, blanks)

    def _indexed(self, reader, total: int, blanks: list[int]) -> None:
        if reader is not self.reader:
            return
        self.total_lines = total
        self.blank_lines = blanks
        if self._pending_line is not None:
            target, self._pending_line = self._pending_line, None
            self.show_line(min(target, total) if target > 0 else total)
        else:
            self._update_info()

    # -- showing a line -------------------------------------------------------------------------
    def show_line(self, line: int) -> None:
        if self.reader is None:
            return
        if self.total_lines is not None:
            line = max(1, min(line, self.total_lines))
        self.line = max(1, line)
        self._update_info()
        self._load_line(self.reader, self.line)

    @work(thread=True, exclusive=True, group="data-line", exit_on_error=False, description="loading the example")
    def _load_line(self, reader, number: int) -> None:
        from ftui.core.dataset.writer import written_by_ftui

        example, problem, cut = None, None, None
        if reader.changed() and written_by_ftui(reader.path):
            # ftui's own write (an append from Compare): show the new version, say nothing.
            self.app.call_from_thread(self._reopen_own_write, reader, number)
            return
        try:
            view = reader.line(number, limit=PREVIEW_BYTES)
            text = view.text
            if view.length == 0 or not text.strip():
                problem = f"line {number} is blank: OpenAI rejects blank lines; delete it (d)"
            elif not view.utf8_ok:
                problem = f"line {number} is not valid UTF-8 (shown with � for the bad bytes)"
            elif view.truncated and view.length > PARSE_LIMIT:
                cut = (f"line {number} is {human_bytes(view.length)} long; showing its first "
                       f"{human_bytes(PREVIEW_BYTES)} as text")
            else:
                try:
                    example = reader.example(number) if view.truncated else json.loads(text)
                except CoreError as err:
                    problem = err.message
                except ValueError as err:
                    problem = f"line {number} is not valid JSON: {err}"
        except IndexError:
            self.app.call_from_thread(self._past_end, reader, number)
            return
        except CoreError as err:
            self.app.call_from_thread(self._line_failed, reader, err)
            return
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._draw, reader, number, text, example, problem, cut)

    def _reopen_own_write(self, reader, number: int) -> None:
        # A reopen already under way (this screen's own write: "reopen at the new line") shows the new
        # version; starting another here would replace it and lose the line it goes to.
        opening = any(w.group == "data-open" and w.is_running for w in self.workers)
        if reader is self.reader and self.path is not None and not opening:
            self._open(self.path, number)

    def on_screen_resume(self) -> None:
        # Back from another section that may have written to this file (Compare's append).
        if self.reader is not None and not self.read_only:
            self._check_own_write(self.reader)

    @work(thread=True, exclusive=True, group="data-fresh", exit_on_error=False,
          description="checking the dataset for ftui's own changes")
    def _check_own_write(self, reader) -> None:
        from ftui.core.dataset.writer import written_by_ftui

        if reader.changed() and written_by_ftui(reader.path):
            self.app.call_from_thread(self._reopen_own_write, reader, self.line or 1)

    def _past_end(self, reader, number: int) -> None:
        if reader is self.reader:
            self.total_lines = reader.lines_known
            if self.total_lines:
                self.show_line(self.total_lines)

    def _line_failed(self, reader, err: CoreError) -> None:
        if reader is not self.reader:
            return
        self.query_one(ConversationView).show(note=f"✗ {err.summary()}\n\nPress F5 to open the file again.")

    def _draw(self, reader, number: int, text: str, example: Any, problem: str | None,
              cut: str | None = None) -> None:
        if reader is not self.reader or number != self.line:
            return
        self.current_text, self.current_example = text, example
        self.current_cut = cut is not None
        own = [p for p in self.problems if p.line == number]
        marked: list[tuple[str, str]] = []
        if own:  # the validator's words are more precise than our quick parse; one line each
            problem = None
            marked = [(p.severity, f"{p.code}: {p.message}") for p in own[:4]]
            if len(own) > 4:
                marked.append(("warning", f"… and {len(own) - 4} more on this line (problem list below)"))
        if cut:
            marked.append(("warning", cut))
        self.query_one(ConversationView).show(example, raw_text=text, raw=self.raw, problem=problem,
                                              problems=marked)
        self.problem_list().select_line(number)

    # -- the info line --------------------------------------------------------------------------
    def _set_info(self, text: str) -> None:
        self.query_one("#data-info", Static).update(text)

    def example_number(self, line: int) -> int:
        return line - bisect.bisect_left(self.blank_lines, line)

    def _update_info(self) -> None:
        if self.path is None or self.reader is None:
            return
        name = self.remote_name or self.path.name
        info = Text(name, style="bold")
        if self.read_only:
            info.append(" [read-only]", style="yellow")
        if self.line:
            # Lines, as `:` and the validator count them; the panel counts parsed examples.
            of = count(self.total_lines) if self.total_lines is not None else "…"
            info.append(f" · {'blank ' if self.line in self.blank_lines else ''}line {count(self.line)} of {of}")
            if self.blank_lines:
                info.append(f" ({count(len(self.blank_lines))} blank)", style="dim")
        if self.raw:
            info.append(" · raw", style="cyan")
        if self.search_note:
            info.append(f" · {self.search_note}", style="magenta")
        elif self.search_text:
            info.append(f" · /{self.search_text}", style="magenta")
        self._set_info(info)

    # -- moving ---------------------------------------------------------------------------------
    def action_move(self, delta: int) -> None:
        if self.reader and self.line:
            self.show_line(max(1, self.line + delta))

    def action_first(self) -> None:
        if self.reader and self.line:
            self.show_line(1)

    def action_last(self) -> None:
        if self.reader is None or not self.line:
            return
        if self.total_lines is None:
            self._pending_line = -1  # go there once the index knows where the end is
            self._set_info("Finding the last line…")
        else:
            self.show_line(self.total_lines)

    def action_goto_line(self) -> None:
        if self.reader is None:
            return

        def answer(value: str | None) -> None:
            if value is None:
                return
            try:
                n = int(value)
            except ValueError:
                self.notify(f"{value!r} is not a line number", severity="warning")
                return
            if self.total_lines is not None and not 1 <= n <= self.total_lines:
                self.notify(f"line {n} is out of range: the file has {self.total_lines:,} lines",
                            severity="warning")
                return
            self.show_line(max(1, n))

        self.app.push_screen(AskScreen("Go to line:", number=True, input_id="goto-input"), answer)

    def action_problem(self, direction: int) -> None:
        lines = self.problem_lines
        if not lines:
            self.notify("No problems found" + (" yet" if self.validating else ""), timeout=2)
            return
        if direction > 0:
            i = bisect.bisect_right(lines, self.line)
            target = lines[i] if i < len(lines) else lines[0]
        else:
            i = bisect.bisect_left(lines, self.line) - 1
            target = lines[i] if i >= 0 else lines[-1]
        self.show_line(target)

    def on_data_table_row_highlighted(self, event) -> None:
        if event.data_table.id == "data-problems":
            self.show_problem_detail()

    def show_problem_detail(self) -> None:
        """The list cuts messages at its edge; the line under it shows the highlighted one whole."""
        detail = self.problem_list().detail()
        box = self.query_one("#data-problem-detail", Static)
        box.display = bool(detail.plain)
        box.update(detail)

    def on_problem_list_chosen(self, event: ProblemList.Chosen) -> None:
        if event.problem.line:
            self.show_line(event.problem.line)
            self.query_one("#data-preview").focus()

    def action_raw(self) -> None:
        self.raw = not self.raw
        self._update_info()
        if self.line:
            self.show_line(self.line)

    def action_upload(self) -> None:
        from ftui.tui.screens.data.upload import upload_open_file

        upload_open_file(self, self.path)

    def action_panel(self) -> None:
        panel = self.query_one("#data-panel")
        panel.display = not panel.display

    # -- search ---------------------------------------------------------------------------------
    def action_search(self) -> None:
        if self.reader is None:
            return

        def answer(value: str | None) -> None:
            if value:
                self.search_text = value
                self._find(self.reader, value, self.line, 1, True)

        self.app.push_screen(AskScreen("Search for:", value=self.search_text, input_id="search-input"), answer)

    def action_find(self, direction: int) -> None:
        if self.reader and self.search_text:
            self._find(self.reader, self.search_text, self.line, direction, False)

    @work(thread=True, exclusive=True, group="data-search", exit_on_error=False, description="searching the dataset")
    def _find(self, reader, needle: str, start: int, direction: int, include_start: bool) -> None:
        """Look for `needle` (Unicode case-insensitive) from `start`, wrapping around once, with
        progress on the info line; esc stops it. A match found after the user moved elsewhere is
        reported, not jumped to."""
        from ftui.core.dataset.search import find_line

        worker = get_current_worker()
        call = self.app.call_from_thread
        shown = [-1]

        def progress(done: int, total: int) -> None:
            percent = done * 100 // max(1, total)
            if percent != shown[0]:
                shown[0] = percent
                call(self._search_progress, f"searching for {needle!r}: {percent}% · esc stops")

        call(self._search_progress, f"searching for {needle!r}… · esc stops")
        try:
            found = find_line(reader, needle, start, direction, include_start=include_start, progress=progress,
                              cancelled=lambda: worker.is_cancelled)
        except CoreError as err:
            call(self.notify, err.summary(), severity="error")
            found = None
        else:
            if worker.is_cancelled:
                return
            if found is None:
                call(self.notify, f"{needle!r} is not in the file", severity="warning", timeout=3)
        call(self._search_done, found, start)

    def _search_progress(self, note: str | None) -> None:
        self.search_note = note
        self._update_info()

    def _search_done(self, found: int | None, start: int) -> None:
        self._search_progress(None)
        if found is None:
            return
        if self.line == start:
            self.show_line(found)
        else:  # the user moved on meanwhile: do not pull the view away from where they are
            self.notify(f"{self.search_text!r} found at line {count(found)}; you had moved, so the view stayed "
                        "(: goes to a line)", timeout=6)

    def action_stop_search(self) -> None:
        self.workers.cancel_group(self, "data-search")
        self._search_progress(None)
        self.notify("Search stopped", timeout=2)

    # Keys that need an open, readable file; with none (a binary file, nothing picked) they are
    # left out of the footer instead of offered and doing nothing.
    NEEDS_FILE = frozenset({"move", "first", "last", "goto_line", "problem", "search", "find", "raw", "upload",
                            "edit", "append", "delete", "undo", "validate", "panel"})

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action in self.NEEDS_FILE and self.reader is None:
            return False
        if action == "find":
            return bool(self.search_text)
        if action == "stop_search":
            return self.search_note is not None
        if action in ("edit", "append", "delete", "undo", "upload") and self.read_only:
            return None  # shown greyed out: a remote file is read-only
        return True
