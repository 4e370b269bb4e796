"""Temporary copies for the editor and for account files: private, read back, removed, and
nothing else ever removed."""

from __future__ import annotations

import stat
import tempfile
from pathlib import Path

import pytest

from ftui.core.errors import CoreError
from ftui.core.scratch import EditorCopy, download_path, remove_copies


def test_an_editor_copy_holds_the_text_reads_back_changes_and_goes_away():
    with EditorCopy('{"messages": []}') as copy:
        assert copy.path.read_text() == '{"messages": []}'
        assert stat.S_IMODE(copy.path.stat().st_mode) == 0o600  # only this user can read it
        copy.path.write_text('{"messages": [1]}', encoding="utf-8")  # what an editor does
        assert copy.read() == '{"messages": [1]}'
    assert not copy.path.exists()


def test_text_that_is_not_utf8_is_explained():
    with EditorCopy("x") as copy:
        copy.path.write_bytes(b"\xff\xfe oops")
        with pytest.raises(CoreError) as info:
            copy.read()
    assert "not UTF-8" in info.value.summary()


def test_only_folders_made_for_account_files_are_removed(tmp_path):
    made = download_path("file-abc", "../../etc/passwd")  # outside-ok: the escape it must refuse
    assert made.name == "file-abc-passwd" and made.parent.name.startswith("ftui-remote-")
    made.write_text("copy")
    stranger = Path(tempfile.mkdtemp(prefix="someone-else-"))
    lookalike = tmp_path / "ftui-remote-x"  # right name, wrong place
    lookalike.mkdir()
    remove_copies([made.parent, stranger, lookalike])
    assert not made.parent.exists()
    assert stranger.exists() and lookalike.exists()
    stranger.rmdir()


def test_no_room_for_a_temporary_file_is_explained(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "missing"))
    with pytest.raises(CoreError) as info:
        EditorCopy("text")
    assert "temporary file" in info.value.summary() and "TMPDIR" in info.value.summary()
    with pytest.raises(CoreError):
        download_path("file-abc", "a.jsonl")
