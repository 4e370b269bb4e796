"""The session keeps reader, report and writes consistent, and refuses to overwrite outside changes."""

from __future__ import annotations

import asyncio
import json

import pytest

from ftui.core.dataset.errors import FileChangedError
from ftui.core.dataset.session import DatasetSession
from ftui.core.dataset.validate import Problem, Report
from tests.dataset.helpers import chat, write


def test_browse_validate_edit_undo(tmp_path):
    path = write(tmp_path / "t.jsonl", [b"{"], filler=12)
    s = DatasetSession(path, model="gpt-4o-mini")
    events = list(s.validate())
    assert isinstance(events[-1], Report) and s.report is events[-1] and not s.report_stale
    assert [e.line for e in events if isinstance(e, Problem)][0] == 1
    s.edit(1, chat("fixed?", "Yes."))
    assert s.report_stale and s.example(1) == chat("fixed?", "Yes.")
    list(s.validate())
    assert s.report.valid and s.can_undo()
    s.delete(13)
    s.append(chat("last?", "Here."))
    assert s.example(13) == chat("last?", "Here.")
    s.undo()
    s.undo()
    s.undo()
    assert s.line(1).text == "{" and not s.can_undo()
    s.close()


def test_outside_changes_are_never_overwritten(tmp_path):
    path = write(tmp_path / "t.jsonl", [], filler=12)
    s = DatasetSession(path)
    with open(path, "ab") as fh:
        fh.write(json.dumps(chat("theirs")).encode() + b"\n")
    assert "size changed" in s.changed()
    with pytest.raises(FileChangedError):
        s.edit(1, chat("mine"))
    s.reload()
    assert s.changed() is None and s.reader.line_count == 13
    s.edit(1, chat("mine"))
    assert s.example(13) == chat("theirs")


def test_async_methods(tmp_path):
    path = write(tmp_path / "t.jsonl", [], filler=12)

    async def go():
        s = await DatasetSession.aopen(path)
        await s.aedit(2, chat("a"))
        await s.aappend(chat("b"))
        await s.adelete(1)
        await s.aundo()
        return s

    s = asyncio.run(go())
    assert s.example(2) == chat("a") and s.example(13) == chat("b") and s.reader.line_count == 13
