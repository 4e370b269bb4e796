"""The Data screen's changes to the file: edit, append, delete, undo — all through core's writer.

A mixin of DataScreen; after every write the file is reopened at the same line and validated again.
"""

from __future__ import annotations

from pathlib import Path

from textual import work

from ftui.core.errors import CoreError
from ftui.tui.screens.dialogs.confirm import confirm


def _size_of(path: Path) -> str:
    """" (1,024 MB)" for a file big enough that its rewrite takes a while, else ""."""
    try:
        size = path.stat().st_size
    except OSError:
        return ""
    return f" ({size / 2**20:,.0f} MB)" if size >= 1 << 20 else ""


class DataWrites:
    # -- changing the file ----------------------------------------------------------------------
    def _writable(self) -> bool:
        if self.reader is None or self.path is None:
            return False
        if self.read_only:
            self.notify("This is a file on the account: it is read-only here.", severity="warning")
            return False
        return True

    def action_edit(self) -> None:
        if not self._writable() or not self.line:
            return
        if self.current_cut:
            self.notify("This line is too long to edit here; fix it with another tool or delete it (d).",
                        severity="warning")
            return
        from ftui.tui.screens.data.edit import EditExampleScreen

        self.app.push_screen(EditExampleScreen(self.path, self.line, self.current_example, self.current_text,
                                               self.reader.stamp),
                             self._written)

    def action_append(self) -> None:
        if not self._writable():
            return
        from ftui.tui.screens.data.edit import AppendExampleScreen

        # Most files share one system prompt: start the form with the shown example's.
        system = ""
        messages = self.current_example.get("messages") if isinstance(self.current_example, dict) else None
        for msg in messages if isinstance(messages, list) else []:
            if isinstance(msg, dict) and msg.get("role") == "system" and isinstance(msg.get("content"), str):
                system = msg["content"]
                break
        self.app.push_screen(AppendExampleScreen(self.path, self.reader.stamp, system=system), self._written)

    def action_delete(self) -> None:
        if self._writable() and self.line:
            self._ask_delete(self.path, self.line)

    @work(exclusive=True, group="data-ask", exit_on_error=False, description="asking before the delete")
    async def _ask_delete(self, path: Path, line: int) -> None:
        preview = self.current_text[:200] + ("…" if len(self.current_text) > 200 else "")
        if await confirm(self, f"Delete line {line} of {path.name}?", preview):
            self._set_info(f"Deleting line {line}: rewriting {path.name}{_size_of(path)}…")
            self._delete(path, line)

    @work(thread=True, exclusive=True, group="data-write", exit_on_error=False, description="deleting the example")
    def _delete(self, path: Path, line: int) -> None:
        from ftui.tui.screens.data.checks import delete_line

        try:
            message = delete_line(path, line, self.reader.stamp)
        except CoreError as err:
            self.app.call_from_thread(self.notify, err.summary(), title="Not deleted", severity="error")
            return
        self.app.call_from_thread(self._written, (message, line))

    def action_undo(self) -> None:
        if self._writable():
            self._set_info(f"Undoing the last change to {self.path.name}{_size_of(self.path)}…")
            self._undo(self.path)

    @work(thread=True, exclusive=True, group="data-write", exit_on_error=False, description="undoing the last change")
    def _undo(self, path: Path) -> None:
        from ftui.tui.screens.data.checks import undo_last

        try:
            message = undo_last(path)
        except CoreError as err:
            self.app.call_from_thread(self.notify, err.summary(), title="Nothing undone", severity="warning")
            return
        self.app.call_from_thread(self._written, (message, self.line))

    def _written(self, result: tuple[str, int] | None) -> None:
        """After any write: say what happened, reopen the file at the line, validate again."""
        if result is None:
            return
        message, line = result
        self.notify(message, timeout=4)
        self._open(self.path, max(1, line))
