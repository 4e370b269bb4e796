"""Past compare sessions: reopen one, export it to JSONL/CSV, or delete it."""

from __future__ import annotations

from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from ftui.core.compare.export import export_rounds
from ftui.core.compare.records import Round, SessionInfo
from ftui.core.compare.store import CompareStore
from ftui.core.errors import CoreError
from ftui.core.paths import data_dir
from ftui.tui.screens.base import FtuiScreen
from ftui.widgets import formats
from ftui.widgets.key_footer import KeyFooter


class SessionsScreen(FtuiScreen[tuple[int, list[Round], str] | None]):
    CSS_PATH = "batch.tcss"
    BINDINGS = [
        Binding("enter", "open", "Reopen", id="compare.sessions.open",
                tooltip="Show the session's last prompt and answers in Compare"),
        Binding("x", "export('jsonl')", "Export JSONL", id="compare.sessions.jsonl",
                tooltip="Write every round of the session as JSON lines"),
        Binding("c", "export('csv')", "Export CSV", id="compare.sessions.csv",
                tooltip="Write one CSV row per round"),
        Binding("delete", "delete", "Delete", id="compare.sessions.delete", show=False,
                tooltip="Remove the session from the history"),
        Binding("escape", "back", "Back", id="compare.sessions.back", tooltip="Back to Compare"),
        Binding("j", "cursor(1)", "Down", id="compare.sessions.down", show=False, tooltip="Next"),
        Binding("k", "cursor(-1)", "Up", id="compare.sessions.up", show=False, tooltip="Previous"),
    ]

    def __init__(self, store: CompareStore) -> None:
        super().__init__()
        self.store = store
        self.sessions: list[SessionInfo] = []

    BREADCRUMB = ("Compare", "history")

    def compose(self) -> ComposeResult:
        yield self.status_header()
        yield Static(f"Sessions in {self.store.path}", id="batch-title")
        yield DataTable(id="sessions-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="batch-score")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#sessions-table", DataTable)
        for key, label in [("when", "when"), ("kind", "kind"), ("rounds", "rounds"),
                           ("judged", "judged"), ("title", "title")]:
            table.add_column(label, key=key)
        table.focus()
        self._load()

    @work(exclusive=True, group="compare-sessions", exit_on_error=False, description="loading the saved sessions")
    async def _load(self) -> None:
        status = self.query_one("#batch-score", Static)
        try:
            self.sessions = await self.store.list_sessions()
        except CoreError as exc:
            status.update(f"⚠ {exc.summary()}")
            return
        table = self.query_one("#sessions-table", DataTable)
        table.clear()
        for s in self.sessions:
            when = formats.when(s.created)
            table.add_row(when, s.kind, str(s.rounds), str(s.judged), s.title, key=str(s.id))
        status.update(f"{len(self.sessions)} sessions" if self.sessions
                      else "no sessions yet: answers are saved here as you compare")

    def _current(self) -> SessionInfo | None:
        table = self.query_one("#sessions-table", DataTable)
        if not self.sessions or not table.row_count:
            return None
        return self.sessions[table.cursor_row]

    def action_cursor(self, step: int) -> None:
        table = self.query_one("#sessions-table", DataTable)
        if table.row_count:
            table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + step)))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_open()

    def action_open(self) -> None:
        session = self._current()
        if session is not None:
            self._open(session.id, session.kind)

    @work(exclusive=True, group="compare-sessions", exit_on_error=False, description="opening the session")
    async def _open(self, session_id: int, kind: str) -> None:
        try:
            rounds = await self.store.load_session(session_id)
        except CoreError as exc:
            self.query_one("#batch-score", Static).update(f"⚠ {exc.summary()}")
            return
        self.dismiss((session_id, rounds, kind))

    def action_export(self, fmt: str) -> None:
        from ftui.tui.screens.dialogs.save_path import SavePathScreen

        session = self._current()
        if session is None:
            return

        def chosen(dest: Path | None) -> None:
            if dest is not None:
                self._export(session.id, dest)

        default = data_dir() / "exports" / f"compare-{session.id}.{fmt}"
        self.app.push_screen(SavePathScreen(f"Export session {session.id}", default,
                                            suffixes=(f".{fmt}",)), chosen)

    @work(group="compare-export", exit_on_error=False, description="exporting the session")
    async def _export(self, session_id: int, dest: Path) -> None:
        status = self.query_one("#batch-score", Static)
        try:
            rounds = await self.store.load_session(session_id)
            dest = await export_rounds(rounds, dest)
        except CoreError as exc:
            status.update(f"⚠ {exc.summary()}")
            return
        status.update(f"exported {len(rounds)} rounds to {dest}")
        self.notify(f"Exported to {dest}", timeout=5)

    def action_delete(self) -> None:
        session = self._current()
        if session is not None:
            self._delete(session.id)

    @work(exclusive=True, group="compare-sessions", exit_on_error=False, description="deleting the session")
    async def _delete(self, session_id: int) -> None:
        try:
            await self.store.delete_session(session_id)
        except CoreError as exc:
            self.query_one("#batch-score", Static).update(f"⚠ {exc.summary()}")
            return
        self._load()

    def action_back(self) -> None:
        self.dismiss(None)
