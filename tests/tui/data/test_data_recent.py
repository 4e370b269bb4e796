"""Recent files: newest first, no duplicates, capped, stored under $FTUI_DATA_DIR, damage-tolerant."""

from __future__ import annotations

import json

from ftui.core.recent import MAX_RECENT, add_recent, forget_recent, load_recent, recent_path


def test_recent_files_newest_first_without_duplicates(tmp_path, private_data_dir):
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    assert load_recent() == []
    add_recent(a)
    add_recent(b)
    add_recent(a)
    assert load_recent() == [a, b]
    assert recent_path().parent == private_data_dir
    assert json.loads(recent_path().read_text())["files"] == [str(a), str(b)]
    forget_recent(a)
    assert load_recent() == [b]


def test_recent_list_is_capped_and_paths_made_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for i in range(MAX_RECENT + 5):
        add_recent(f"f{i}.jsonl")
    items = load_recent()
    assert len(items) == MAX_RECENT
    assert items[0] == tmp_path / f"f{MAX_RECENT + 4}.jsonl"


def test_a_damaged_list_reads_as_empty_and_is_replaced(tmp_path):
    recent_path().parent.mkdir(parents=True, exist_ok=True)
    recent_path().write_text("{not json")
    assert load_recent() == []
    add_recent(tmp_path / "x.jsonl")
    assert load_recent() == [tmp_path / "x.jsonl"]


def test_an_unwritable_data_folder_does_not_stop_opening(tmp_path, monkeypatch):
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("")
    monkeypatch.setenv("FTUI_DATA_DIR", str(blocker / "sub"))
    assert add_recent(tmp_path / "x.jsonl") == [tmp_path / "x.jsonl"]
    assert load_recent() == []
