"""Bad files on the Data screen: each gets a clear message in place, and nothing crashes."""

from __future__ import annotations

import json
import os

import pytest

from ftui.tui.screens.data.picker import DataPickerScreen
from ftui.widgets.path_input import DatasetTree
from ftui.widgets.problem_list import ProblemList
from tests.tui.data.test_data_support import (  # noqa: F401
    chat_line,
    data_dir,
    data_screen,
    info,
    make_app,
    settle,
    shown,
    write_lines,
)


def codes(app) -> set[tuple[int, str]]:
    return {(p.line, p.code) for p in data_screen(app).query_one(ProblemList).problems}


async def test_not_utf8_line_is_shown_and_listed(tmp_path):
    path = tmp_path / "latin1.jsonl"
    good = [chat_line(i).encode() for i in range(11)]
    bad = '{"messages": [{"role": "user", "content": "café"}, {"role": "assistant", "content": "oui"}]}'
    path.write_bytes(b"\n".join(good[:2] + [bad.encode("latin-1")] + good[2:]) + b"\n")
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert (3, "invalid_utf8") in codes(app)
        await pilot.press("n")
        await settle(app, pilot)
        text = shown(app)
        assert "not valid UTF-8" in text and "caf�" in text


async def test_bom_crlf_blank_lines_and_truncated_last_line(tmp_path):
    lines = [chat_line(i) for i in range(12)]
    body = ("\ufeff" + "\r\n".join(lines[:6]) + "\r\n\r\n" + "\r\n".join(lines[6:]) + "\r\n"
            + '{"messages": [{"role": "user", "content": "cut')
    path = tmp_path / "windows.jsonl"
    path.write_bytes(body.encode("utf-8"))
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        found = codes(app)
        assert (1, "bom") in found
        assert (7, "blank_line") in found
        assert (14, "truncated_line") in found
        assert any(code == "crlf_line_endings" for _, code in found)
        # The first example still reads as a conversation despite the BOM and \r\n.
        assert "Question 0?" in shown(app) and "bom" in shown(app)
        await pilot.press("colon", *"7", "enter")
        await settle(app, pilot)
        assert "blank" in shown(app) and "blank line 7" in info(app)
        await pilot.press("G")
        await settle(app, pilot)
        assert "cut off" in shown(app)


async def test_binary_file_is_refused_in_place(tmp_path):
    path = tmp_path / "image.jsonl"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 10)
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert "binary file" in shown(app)
        assert "Cannot open image.jsonl" in info(app)
        assert app.current_dataset == path  # the app passed it in; nothing else changed it


async def test_a_folder_given_as_a_file_opens_the_picker_there(tmp_path):
    write_lines(tmp_path / "inside.jsonl", [chat_line(i) for i in range(12)])
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert "is a folder, not a file" in shown(app)
        assert isinstance(app.screen, DataPickerScreen)
        assert "is a folder" in str(app.screen.query_one("#picker-message").render())
        assert os.fspath(app.screen.query_one(DatasetTree).path) == str(tmp_path)
        await pilot.press("escape")  # back to the message in place
        await settle(app, pilot)
        assert data_screen(app) is app.screen and "is a folder, not a file" in shown(app)


async def test_a_missing_file(tmp_path):
    app = make_app(tmp_path / "nope.jsonl")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert "does not exist" in shown(app)
        await pilot.press("j", "e", "d", "u", "r", "n", "slash")  # nothing open: keys do nothing harmful
        await settle(app, pilot)
        await pilot.press("escape")
        assert "does not exist" in shown(app)


async def test_an_empty_file(tmp_path):
    path = tmp_path / "empty.jsonl"
    path.write_bytes(b"")
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert "file is empty" in shown(app)
        assert (0, "too_few_examples") in codes(app)


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read files without read permission")
async def test_no_read_permission(tmp_path):
    path = write_lines(tmp_path / "secret.jsonl", [chat_line(i) for i in range(12)])
    path.chmod(0)
    try:
        app = make_app(path)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(app, pilot)
            assert "no permission" in shown(app)
    finally:
        path.chmod(0o644)


async def test_one_50mb_line_is_shown_cut_not_parsed(tmp_path):
    path = tmp_path / "huge-line.jsonl"
    text = "The quick brown fox. " * (50 * 1024 * 1024 // 21)
    huge = json.dumps({"messages": [{"role": "user", "content": text},
                                    {"role": "assistant", "content": "ok"}]})
    path.write_text(huge + "\n" + "\n".join(chat_line(i) for i in range(11)) + "\n")
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        text = shown(app)
        assert "MB long; showing its first" in text
        await pilot.press("j")
        await settle(app, pilot)
        assert "Question 0?" in shown(app)
        await pilot.press("r")  # raw view of the cut line stays small too
        await pilot.press("k")
        await settle(app, pilot)
        assert len(shown(app)) < 200_000


async def test_file_changed_on_disk_while_open(tmp_path):
    path = write_lines(tmp_path / "moving.jsonl", [chat_line(i) for i in range(12)])
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        write_lines(path, [chat_line(i, system="Rewritten elsewhere") for i in range(15)])
        await pilot.press("j")
        await settle(app, pilot)
        assert "changed on disk" in shown(app) and "F5" in shown(app)
        await pilot.press("f5")
        await settle(app, pilot)
        screen = data_screen(app)
        assert "Rewritten elsewhere" in shown(app)
        assert screen.total_lines == 15 and screen.line == 2
