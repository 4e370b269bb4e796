"""Picking a dataset by keyboard: folder tree, typed path with completion, recent files, account files."""

from __future__ import annotations

import os

from textual.widgets import Input, OptionList

from ftui.core.recent import add_recent, load_recent
from ftui.tui.screens.data.picker import DataPickerScreen
from ftui.tui.screens.data.remote import RemoteFilesScreen
from ftui.widgets.path_input import DatasetTree, complete_path
from tests.tui.data.test_data_support import (  # noqa: F401
    EXAMPLES,
    chat_line,
    data_dir,
    data_screen,
    info,
    make_app,
    settle,
    shown,
    write_lines,
)


def dataset_folder(tmp_path, monkeypatch):
    folder = tmp_path / "datasets"
    (folder / "nested").mkdir(parents=True)
    write_lines(folder / "alpha.jsonl", [chat_line(i) for i in range(12)])
    write_lines(folder / "nested" / "beta.jsonl", [chat_line(i, system="Beta system") for i in range(12)])
    (folder / "notes.txt").write_text("not a dataset")
    monkeypatch.chdir(folder)
    return folder


async def test_without_a_path_the_picker_opens_and_the_tree_picks_by_keyboard(tmp_path, monkeypatch, shoot):
    folder = dataset_folder(tmp_path, monkeypatch)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, DataPickerScreen)
        # the Data screen under the picker is built only when a file is picked
        assert not data_screen(app).query("#data-main > *")
        tree = app.screen.query_one(DatasetTree)
        assert app.focused is app.screen.query_one("#picker-path")  # typing goes to the path box
        labels = [str(node.label) for node in tree.root.children]
        assert "notes.txt" not in labels and "alpha.jsonl" in labels and "nested" in labels
        shoot(app, "data-picker")
        await pilot.press("ctrl+t")
        assert app.focused is tree
        # Folders first: nested/, then alpha.jsonl.
        await pilot.press("down", "down")
        await pilot.press("enter")
        await settle(app, pilot)
        assert not isinstance(app.screen, DataPickerScreen)
        assert data_screen(app).path == folder / "alpha.jsonl"
        assert app.current_dataset == folder / "alpha.jsonl"
        assert "Question 0?" in shown(app)
        assert load_recent() == [folder / "alpha.jsonl"]


async def test_alt_number_keys_switch_sections_from_the_picker(tmp_path, monkeypatch):
    dataset_folder(tmp_path, monkeypatch)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("alt+2")
        assert app.current_mode == "jobs"
        await pilot.press("1")
        assert isinstance(app.screen, DataPickerScreen)


async def test_typed_path_completes_and_opens(tmp_path, monkeypatch):
    folder = dataset_folder(tmp_path, monkeypatch)
    assert complete_path(str(folder) + "/ne") == str(folder) + "/nested/"
    assert complete_path(str(folder) + "/nested/b") == str(folder) + "/nested/beta.jsonl"
    assert complete_path(str(folder) + "/no") is None  # notes.txt is not offered
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+l")
        box = app.screen.query_one("#picker-path", Input)
        assert app.focused is box
        box.value = ""
        await pilot.press(*str(folder), "/", "n", "e")
        await settle(app, pilot)
        assert box._suggestion == str(folder) + "/nested/"
        await pilot.press("right")  # accept the completion
        await pilot.press("b")
        await settle(app, pilot)
        await pilot.press("right")
        assert box.value == str(folder) + "/nested/beta.jsonl"
        await pilot.press("enter")
        await settle(app, pilot)
        assert data_screen(app).path == folder / "nested" / "beta.jsonl"
        assert "Beta system" in shown(app)


async def test_typed_folder_moves_the_tree_instead_of_failing(tmp_path, monkeypatch):
    folder = dataset_folder(tmp_path, monkeypatch)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+l")
        app.screen.query_one("#picker-path", Input).value = str(folder / "nested")
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, DataPickerScreen)
        assert "is a folder" in str(app.screen.query_one("#picker-message").render())
        assert os.fspath(app.screen.query_one(DatasetTree).path) == str(folder / "nested")


async def test_recent_files_are_offered_and_open(tmp_path, monkeypatch):
    folder = dataset_folder(tmp_path, monkeypatch)
    add_recent(folder / "alpha.jsonl")
    add_recent(folder / "nested" / "beta.jsonl")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+r")
        recent = app.screen.query_one("#picker-recent", OptionList)
        assert app.focused is recent
        assert recent.option_count == 2
        assert "beta.jsonl" in str(recent.get_option_at_index(0).prompt)
        await pilot.press("down", "enter")
        await settle(app, pilot)
        assert data_screen(app).path == folder / "alpha.jsonl"
        assert load_recent()[0] == folder / "alpha.jsonl"


async def test_o_reopens_the_picker_and_escape_goes_back(tmp_path, monkeypatch):
    folder = dataset_folder(tmp_path, monkeypatch)
    app = make_app(folder / "alpha.jsonl")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert "alpha.jsonl" in info(app)
        await pilot.press("o")
        await settle(app, pilot)
        assert isinstance(app.screen, DataPickerScreen)
        await pilot.press("escape")
        await settle(app, pilot)
        assert data_screen(app).path == folder / "alpha.jsonl"


async def test_a_file_on_the_account_opens_read_only(tmp_path, sandbox_session):
    provider = sandbox_session.provider
    uploaded = await provider.upload_file(EXAMPLES / "marv.jsonl", purpose="fine-tune")
    app = make_app(session=sandbox_session)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, DataPickerScreen)
        await pilot.press("ctrl+f")
        await settle(app, pilot)
        assert isinstance(app.screen, RemoteFilesScreen)
        files = app.screen.query_one(OptionList)
        index = next(i for i in range(files.option_count) if uploaded.id in str(files.get_option_at_index(i).prompt))
        files.highlighted = index
        await pilot.press("enter")
        await settle(app, pilot)
        screen = data_screen(app)
        assert app.screen is screen
        assert screen.read_only and uploaded.id in info(app) and "read-only" in info(app)
        assert "capital of France" in shown(app)
        assert app.current_dataset is None  # a remote copy is not a dataset to upload again
        assert screen.path.read_bytes() == (EXAMPLES / "marv.jsonl").read_bytes()
        problems = [p for p in screen.problems if p.severity == "error"]
        assert problems == []
        await pilot.press("e")  # read-only: no editor
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("d")
        await pilot.pause()
        assert app.screen is screen
        copy = screen.path
        assert copy.exists()
    assert not copy.exists()  # the temporary copy goes when the app closes


async def test_a_file_gone_from_the_account_is_explained_and_leaves_nothing_behind(sandbox_session, shoot):
    import tempfile
    from pathlib import Path

    provider = sandbox_session.provider
    uploaded = await provider.upload_file(EXAMPLES / "marv.jsonl", purpose="fine-tune")
    before = set(Path(tempfile.gettempdir()).glob("ftui-remote-*"))
    app = make_app(session=sandbox_session)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+f")
        await settle(app, pilot)
        files = app.screen.query_one(OptionList)
        files.highlighted = next(i for i in range(files.option_count)
                                 if uploaded.id in str(files.get_option_at_index(i).prompt))
        shoot(app, "data-account-files")
        await provider.delete_file(uploaded.id)  # gone between listing and fetching
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, RemoteFilesScreen)
        status = str(app.screen.query_one("#remote-status").render())
        assert "Could not fetch" in status and "marv.jsonl" in status
        assert set(Path(tempfile.gettempdir()).glob("ftui-remote-*")) == before


async def test_account_files_without_an_account_say_what_to_do(tmp_path, monkeypatch):
    dataset_folder(tmp_path, monkeypatch)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+f")
        await pilot.pause()
        assert isinstance(app.screen, DataPickerScreen)
        assert "OPENAI_API_KEY" in str(app.screen.query_one("#picker-message").render())
