"""An append is all or nothing: the half-written line of an append that was killed is cut off by the next
write or the next open, using the append's own undo record (written before the line)."""

import json

from ftui.core.dataset.writer import append_example, backup_dir, list_backups, recover_cut_append, undo_last

OLD = b'{"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]}\n'
EXAMPLE = {"messages": [{"role": "user", "content": "c"}, {"role": "assistant", "content": "d"}]}


def cut_short(tmp_path):
    """The state a kill part-way through the append's write leaves: its record, part of its line."""
    path = tmp_path / "data.jsonl"
    path.write_bytes(OLD)
    append_example(path, EXAMPLE)
    whole = path.read_bytes()
    path.write_bytes(whole[: len(OLD) + 10])
    return path


def test_the_next_open_cuts_a_half_written_line_off(tmp_path):
    path = cut_short(tmp_path)
    assert recover_cut_append(path) is True
    assert path.read_bytes() == OLD
    assert list_backups(path) == []  # the record of the append that never finished went with it
    assert recover_cut_append(path) is False


def test_the_next_write_cuts_it_off_before_writing(tmp_path):
    path = cut_short(tmp_path)
    append_example(path, EXAMPLE)
    lines = path.read_bytes().splitlines()
    assert len(lines) == 2 and json.loads(lines[1]) == EXAMPLE
    undo_last(path)
    assert path.read_bytes() == OLD


def test_a_finished_append_and_a_file_changed_by_hand_are_left_alone(tmp_path):
    path = tmp_path / "data.jsonl"
    path.write_bytes(OLD)
    append_example(path, EXAMPLE)
    whole = path.read_bytes()
    assert recover_cut_append(path) is False and path.read_bytes() == whole
    by_hand = OLD + b'{"MESSAGES'  # not the append's bytes: someone else's
    path.write_bytes(by_hand)
    assert recover_cut_append(path) is False
    assert path.read_bytes() == by_hand


def test_opening_a_file_ftui_never_wrote_creates_nothing(tmp_path):
    path = tmp_path / "data.jsonl"
    path.write_bytes(OLD)
    assert recover_cut_append(path) is False
    assert not backup_dir(path).exists()
