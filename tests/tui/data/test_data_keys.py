"""Keys on the Data screens go where they look like they go: typing into the picker's path box,
Enter in the account-files list, no edit keys offered where nothing can be edited."""

from __future__ import annotations

from textual.widgets import Input

from ftui.tui.screens.data.picker import DataPickerScreen
from ftui.tui.screens.data.remote import RemoteFilesScreen
from ftui.widgets.key_footer import KeyFooter
from tests.tui.data.test_data_support import (  # noqa: F401
    EXAMPLES,
    chat_line,
    data_dir,
    data_screen,
    make_app,
    settle,
    shown,
    write_lines,
)


def footer(app) -> str:
    return str(app.screen.query_one(KeyFooter).render())


async def test_typing_in_the_picker_goes_to_the_path_box_and_enter_opens(tmp_path, monkeypatch):
    write_lines(tmp_path / "mine.jsonl", [chat_line(i) for i in range(12)])
    monkeypatch.chdir(tmp_path)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, DataPickerScreen)
        await pilot.press(*"mine.jsonl")
        assert app.screen.query_one("#picker-path", Input).value == "mine.jsonl"
        await pilot.press("enter")
        await settle(app, pilot)
        assert data_screen(app).path == tmp_path / "mine.jsonl"
        assert "Question 0?" in shown(app)


async def test_the_picker_path_box_takes_digits_and_alt_digits_switch_sections(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("2")
        assert app.current_mode == "data" and app.screen.query_one("#picker-path", Input).value == "2"
        await pilot.press("alt+2")
        assert app.current_mode == "jobs"


async def test_enter_in_the_account_files_opens_the_newest_without_an_arrow_first(sandbox_session):
    provider = sandbox_session.provider
    await provider.upload_file(EXAMPLES / "marv.jsonl", purpose="fine-tune")
    app = make_app(session=sandbox_session)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+f")  # f types into the path box; ctrl+f works from it
        await settle(app, pilot)
        assert isinstance(app.screen, RemoteFilesScreen)
        await pilot.press("enter")
        await settle(app, pilot)
        assert data_screen(app).read_only and "capital of France" in shown(app)


async def test_a_binary_file_offers_no_edit_keys(tmp_path):
    binary = tmp_path / "model.bin"
    binary.write_bytes(b"\x00\x01\x02 not text" * 100)
    app = make_app(binary)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert "binary file" in shown(app)
        line = footer(app)
        for key in ("Edit", "Add", "Delete", "Undo", "Search", "Problem"):
            assert key not in line, line
        assert "Open" in line
