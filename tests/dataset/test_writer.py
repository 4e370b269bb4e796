"""Atomic edits, backups, undo, refusal of invalid examples and of files changed meanwhile."""

from __future__ import annotations

import asyncio
import json
import os

import pytest

from ftui.core.dataset.errors import FileChangedError, NotAFileError, WriteRefusedError
from ftui.core.dataset.reader import DatasetReader, stamp_path
from ftui.core.dataset.writer import (
    aappend_example,
    adelete_line,
    aedit_line,
    append_example,
    aundo_last,
    backup_usage,
    cleanup_temp,
    delete_line,
    edit_line,
    file_sha256,
    list_backups,
    previous_version,
    undo_last,
)
from tests.dataset.helpers import chat, write


@pytest.fixture
def data(tmp_path):
    return write(tmp_path / "train.jsonl", [], filler=12)


def lines(path):
    return path.read_bytes().split(b"\n")


def test_edit_delete_append_and_undo_each_step(data):
    v0 = data.read_bytes()
    s0 = stamp_path(data)
    r1 = edit_line(data, 3, chat("Edited?", "Yes."), expected=s0)
    assert json.loads(lines(data)[2]) == chat("Edited?", "Yes.") and len(lines(data)) == 13
    assert r1.stamp == stamp_path(data) and previous_version(data) == v0
    v1 = data.read_bytes()
    r2 = delete_line(data, 1, expected=r1.stamp)
    assert lines(data)[0] == v1.split(b"\n")[1] and len(lines(data)) == 12
    v2 = data.read_bytes()
    r3 = append_example(data, chat("New?", "Appended."), expected=r2.stamp)
    assert r3.line == 12 and json.loads(lines(data)[11]) == chat("New?", "Appended.")
    assert data.read_bytes()[-1:] == b"\n"
    assert len(list_backups(data)) == 3
    undo_last(data)
    assert data.read_bytes() == v2
    undo_last(data)
    assert data.read_bytes() == v1
    undo_last(data)
    assert data.read_bytes() == v0
    with pytest.raises(WriteRefusedError, match="no earlier version"):
        undo_last(data)


def test_an_invalid_example_is_refused_with_its_problems(data):
    before = data.read_bytes()
    with pytest.raises(WriteRefusedError) as info:
        append_example(data, {"messages": [{"role": "user", "content": "No answer"}]})
    assert [p.code for p in info.value.problems] == ["example_missing_assistant_message"]
    assert info.value.problems[0].line == 13
    with pytest.raises(WriteRefusedError) as info:
        edit_line(data, 2, '{"messages": [')
    assert info.value.problems[0].code == "invalid_json"
    assert data.read_bytes() == before and list_backups(data) == []


def test_a_file_changed_since_it_was_opened_is_not_overwritten(data):
    stale = stamp_path(data)
    digest = file_sha256(data)
    with open(data, "ab") as fh:
        fh.write(json.dumps(chat("someone else")).encode() + b"\n")
    changed = data.read_bytes()
    with pytest.raises(FileChangedError, match="size changed"):
        edit_line(data, 1, chat("mine"), expected=stale)
    with pytest.raises(FileChangedError, match="content differs"):
        delete_line(data, 1, expected=digest)
    with pytest.raises(FileChangedError):
        append_example(data, chat("mine"), expected=stale)
    assert data.read_bytes() == changed
    assert delete_line(data, 1, expected=file_sha256(data)).line == 1


def test_crlf_lines_keep_their_ending_and_missing_final_newline_is_added(tmp_path):
    path = tmp_path / "w.jsonl"
    path.write_bytes(b'{"a": 1}\r\n{"b": 2}\r\n{"c": 3}')
    edit_line(path, 2, {"b": 3}, validate=False)
    assert path.read_bytes() == b'{"a": 1}\r\n{"b": 3}\r\n{"c": 3}'
    append_example(path, {"d": 4}, validate=False)
    assert path.read_bytes() == b'{"a": 1}\r\n{"b": 3}\r\n{"c": 3}\n{"d": 4}\n'
    delete_line(path, 3)
    assert path.read_bytes() == b'{"a": 1}\r\n{"b": 3}\r\n{"d": 4}\n'


def test_pretty_printed_json_becomes_one_line(data):
    edit_line(data, 1, json.dumps(chat("pretty"), indent=2))
    assert json.loads(lines(data)[0]) == chat("pretty") and len(lines(data)) == 13


def test_out_of_range_lines_folders_and_new_files(tmp_path, data):
    with pytest.raises(WriteRefusedError, match="out of range"):
        edit_line(data, 99, chat())
    with pytest.raises(WriteRefusedError, match="out of range"):
        delete_line(data, 0)
    with pytest.raises(NotAFileError):
        append_example(tmp_path, chat())
    new = tmp_path / "new.jsonl"
    r = append_example(new, chat())
    assert r.line == 1 and new.read_bytes() == json.dumps(chat()).encode() + b"\n" and r.backup is None
    with pytest.raises(NotAFileError):
        append_example(tmp_path / "no.jsonl", chat(), create=False)


def test_backups_are_bounded_and_permissions_kept(data):
    data.chmod(0o640)
    for i in range(5):
        append_example(data, chat(f"more {i}"), max_backups=3)
    assert len(list_backups(data)) == 3 and (data.stat().st_mode & 0o777) == 0o640


def test_readers_see_the_write_as_a_change(data):
    with DatasetReader(data) as r:
        append_example(data, chat("new"))
        with pytest.raises(FileChangedError):
            r.example(1)


def test_leftover_temp_files_are_cleaned(data):
    (data.parent / f".{data.name}.ftui-tmp-1-2").write_bytes(b"partial")
    assert cleanup_temp(data) == 1 and cleanup_temp(data) == 0


def test_async_wrappers(data):
    async def go():
        await aedit_line(data, 1, chat("a"))
        await adelete_line(data, 2)
        await aappend_example(data, chat("b"))
        await aundo_last(data)
    before = data.read_bytes()
    asyncio.run(go())
    assert len(lines(data)) == 12 and data.read_bytes() != before


def test_concurrent_appends_lose_nothing(data):
    import threading

    def worker(k):
        for i in range(10):
            append_example(data, chat(f"thread {k} item {i}"))

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rows = [json.loads(x) for x in data.read_bytes().split(b"\n") if x]
    assert len(rows) == 12 + 30
    assert {r["messages"][0]["content"] for r in rows[12:]} == {f"thread {k} item {i}" for k in range(3)
                                                                 for i in range(10)}


def test_an_append_is_made_in_place_and_its_undo_costs_one_line(data):
    before = data.read_bytes()
    inode = data.stat().st_ino
    r = append_example(data, chat("In place?", "Yes."))
    assert data.stat().st_ino == inode, "the file was rewritten"
    assert data.read_bytes().startswith(before) and r.line == 13
    assert os.path.getsize(r.backup) < 300  # the length to cut back to and the line, not a copy
    assert backup_usage(data) == (1, os.path.getsize(r.backup))
    undo_last(data)
    assert data.read_bytes() == before and data.stat().st_ino == inode


def test_an_edit_backup_is_the_replaced_line(tmp_path):
    data = write(tmp_path / "big.jsonl", [], filler=2000)
    size = data.stat().st_size
    before = data.read_bytes()
    r = edit_line(data, 1000, chat("Edited?", "Yes."))
    assert os.path.getsize(r.backup) < 600 < size // 100
    delete_line(data, 5)
    undo_last(data)
    undo_last(data)
    assert data.read_bytes() == before


def test_undo_records_are_bounded_in_bytes(data):
    for i in range(6):
        append_example(data, chat(f"more {i} " + "x" * 300), max_backup_bytes=1000)
    kept, used = backup_usage(data)
    assert 1 <= kept < 6 and used <= 1000 + 500  # the newest is always kept


def test_an_append_cut_short_by_a_crash_is_undone(data):
    before = data.read_bytes()
    r = append_example(data, chat("cut"))
    with open(data, "rb+") as fh:  # as if killed half-way through the write
        fh.truncate(len(before) + 10)
    undo_last(data)
    assert data.read_bytes() == before
    assert r.backup and not os.path.exists(r.backup)


def test_undo_refuses_when_the_file_changed_after_ftuis_write(data):
    append_example(data, chat("mine"))
    with open(data, "ab") as fh:
        fh.write(json.dumps(chat("someone else")).encode() + b"\n")
    changed = data.read_bytes()
    with pytest.raises(FileChangedError, match="would lose"):
        undo_last(data)
    assert data.read_bytes() == changed


def test_the_undo_bound_comes_from_the_config_file(data, tmp_path, monkeypatch):
    config = tmp_path / "config.toml"
    config.write_text("[dataset]\nundo_steps = 2\nundo_mb = 1\n")
    monkeypatch.setenv("FTUI_CONFIG", str(config))
    for i in range(4):
        append_example(data, chat(f"more {i}"))
    assert backup_usage(data)[0] == 2
    config.write_text("[dataset]\nundo_steps = 0\n")
    with pytest.raises(Exception, match="undo_steps"):
        from ftui.core.settings import load_dataset_config
        load_dataset_config()
