"""One open training file as a screen uses it: browse lines, validate, edit safely, undo.

A thin layer over reader, validate and writer that keeps them consistent: every write passes the
stamp of the version being shown (so a file changed elsewhere is never overwritten), then reopens
the reader on the new version and marks the last Report stale. Sync methods are for worker
threads; the a* methods run them via asyncio.to_thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ftui.core.dataset import writer
from ftui.core.dataset.reader import DatasetReader, LineView
from ftui.core.dataset.validate import Event, Report, iter_validate


class DatasetSession:
    def __init__(self, path: Path | str, *, model: str | None = None) -> None:
        self.path = str(path)
        self.model = model
        self.reader = DatasetReader(path)
        self.report: Report | None = None  # the last full validation, if any
        self.report_stale = False  # a write happened after it

    @classmethod
    async def aopen(cls, path: Path | str, *, model: str | None = None) -> DatasetSession:
        return await asyncio.to_thread(cls, path, model=model)

    def close(self) -> None:
        self.reader.close()

    # -- browsing ------------------------------------------------------------------------------
    def line(self, number: int, **kw: Any) -> LineView:
        return self.reader.line(number, **kw)

    def example(self, number: int) -> Any:
        return self.reader.example(number)

    def changed(self) -> str | None:
        """None while the file on disk is the version shown, else what changed. A version ftui
        itself wrote (elsewhere in the app) is not a change to warn about: the reader moves on to it."""
        why = self.reader.changed()
        if why and writer.written_by_ftui(self.path):
            self.reload()
            return None
        return why

    def reload(self) -> None:
        """Show the file as it is on disk now (after an outside change)."""
        self.reader.close()
        self.reader = DatasetReader(self.path)
        self.report_stale = True

    # -- validation ----------------------------------------------------------------------------
    def validate(self, **kw: Any) -> Iterator[Event]:
        """iter_validate's events; the final Report is also kept as self.report."""
        for ev in iter_validate(self.path, model=self.model, **kw):
            if isinstance(ev, Report):
                self.report, self.report_stale = ev, False
            yield ev

    # -- writes --------------------------------------------------------------------------------
    def _after_write(self, result: writer.WriteResult) -> writer.WriteResult:
        self.reader.close()
        self.reader = DatasetReader(self.path)
        self.report_stale = True
        return result

    def edit(self, number: int, example: Any, **kw: Any) -> writer.WriteResult:
        return self._after_write(writer.edit_line(self.path, number, example, expected=self.reader.stamp, **kw))

    def delete(self, number: int) -> writer.WriteResult:
        return self._after_write(writer.delete_line(self.path, number, expected=self.reader.stamp))

    def append(self, example: Any, **kw: Any) -> writer.WriteResult:
        return self._after_write(writer.append_example(self.path, example, expected=self.reader.stamp, **kw))

    def undo(self) -> writer.WriteResult:
        return self._after_write(writer.undo_last(self.path, expected=self.reader.stamp))

    def can_undo(self) -> bool:
        return bool(writer.list_backups(self.path))

    async def aedit(self, number: int, example: Any, **kw: Any) -> writer.WriteResult:
        return await asyncio.to_thread(self.edit, number, example, **kw)

    async def adelete(self, number: int) -> writer.WriteResult:
        return await asyncio.to_thread(self.delete, number)

    async def aappend(self, example: Any, **kw: Any) -> writer.WriteResult:
        return await asyncio.to_thread(self.append, example, **kw)

    async def aundo(self) -> writer.WriteResult:
        return await asyncio.to_thread(self.undo)
