"""The problems a validation found: line, code, message; choosing one asks to jump to its line."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.message import Message
from textual.widgets import DataTable


class ProblemList(DataTable):
    """Rows fill in as problems are found (`add_problems`); Enter or a click posts `ProblemList.Chosen`."""
    AREA = "problem list"  # how `?` names it

    DEFAULT_CSS = """
    ProblemList { height: 1fr; overflow-x: hidden; }
    """

    @dataclass
    class Chosen(Message):
        problem: Any  # a core Problem (line, code, message, severity)

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, **kwargs)
        self.problems: list[Any] = []

    def on_mount(self) -> None:
        # The mark says the severity without colour: ✗ error, ! warning.
        self.add_column("", key="mark", width=1)
        self.add_column("line", key="line", width=7)
        self.add_column("code", key="code", width=16)
        # Fixed width: auto widths change with the order rows arrive in (snapshots must not).
        # Cut at the panel's edge: `detail()` (the line under the list) has the whole message.
        self.add_column("message", key="message", width=160)

    def clear_problems(self) -> None:
        self.problems = []
        self.clear()

    def add_problems(self, problems: Iterable[Any]) -> None:
        for p in problems:
            self.problems.append(p)
            error = p.severity == "error"
            style = "bold red" if error else "yellow"
            line = str(p.line) if p.line else "file"
            self.add_row(Text("✗" if error else "!", style=style), Text(line, style=style, justify="right"),
                         Text(p.code, style=style), p.message, key=str(len(self.problems) - 1))

    def detail(self, index: int | None = None) -> Text:
        """The whole of one problem (the highlighted one by default), for the line under the list."""
        index = self.cursor_row if index is None else index
        if not self.problems or not 0 <= index < len(self.problems):
            return Text("")
        p = self.problems[index]
        error = p.severity == "error"
        where = f"line {p.line:,}" if p.line else "file"
        text = Text("✗ " if error else "! ", style="bold red" if error else "yellow")
        text.append(f"{where} · {p.code}: ", style="bold")
        text.append(p.message)
        return text

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        index = int(event.row_key.value)
        self.post_message(self.Chosen(self.problems[index]))

    def select_line(self, line: int) -> None:
        """Move the cursor to the first problem of `line` (without posting Chosen)."""
        for i, p in enumerate(self.problems):
            if p.line == line:
                self.move_cursor(row=i, animate=False)
                return
