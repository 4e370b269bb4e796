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
from ftui.widgets.keyed_table import Column, KeyedTable, RowDetail

# The title says which session a row is: it keeps the room; the counts go first at 80 columns
# and the detail line under the table has the highlighted session whole.
SESSION_COLUMNS = (Column("when", 16, priority=7), Column("kind", priority=6), Column("rounds", priority=5),
                   Column("judged", priority=4), Column("title", 30, priority=9))


class SessionTable(KeyedTable[SessionInfo]):
    """One row per saved session, keyed by its id, newest first."""

    COLUMNS = SESSION_COLUMNS

    @staticmethod
    def key_of(item: SessionInfo) -> str:
        return str(item.id)

    def row_of(self, s: SessionInfo) -> tuple:
        return formats.when(s.created), s.kind, str(s.rounds), str(s.judged), s.title

    def detail(self, s: SessionInfo) -> str:
        rounds = f"{s.rounds} round" + ("" if s.rounds == 1 else "s")
        return f"{s.title} · {s.kind}, {rounds}, {s.judged} judged · {formats.when(s.created)}"


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
        yield SessionTable(id="sessions-table", detail_id="sessions-detail")
        yield RowDetail(id="sessions-detail")  # the highlighted session's title whole
        yield Static("", id="batch-score")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(SessionTable).focus()
        self._load()

    @work(exclusive=True, group="compare-sessions", exit_on_error=False, description="loading the saved sessions")
    async def _load(self) -> None:
        status = self.query_one("#batch-score", Static)
        try:
            self.sessions = await self.store.list_sessions()
        except CoreError as exc:
            status.update(f"⚠ {exc.summary()}")
            return
        self.query_one(SessionTable).set_items(self.sessions)
        many = len(self.sessions)
        if not many:
            status.update("no sessions yet: answers are saved here as you compare")
        else:
            status.update(f"{many} session{'' if many == 1 else 's'}")

    def _current(self) -> SessionInfo | None:
        return self.query_one(SessionTable).current

    def action_cursor(self, step: int) -> None:
        table = self.query_one(SessionTable)
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
