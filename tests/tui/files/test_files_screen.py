"""Files: upload (validated first; Files API and Uploads API), cancel, download, delete, faults."""

from __future__ import annotations

import json
from pathlib import Path

from textual.widgets import DataTable, Input

from ftui.tui.screens.dialogs.confirm import ConfirmScreen
from ftui.tui.screens.files.files import FilesScreen
from ftui.tui.shell.app import FtuiApp
from ftui.widgets.transfer_progress import TransferProgressBar
from tests.tui.waiting import wait_for


def message(screen) -> str:
    return str(screen.query_one("#files-message").render())


async def open_files(pilot, app) -> FilesScreen:
    app.action_goto("files")
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, FilesScreen)
    await wait_for(pilot, lambda: "file" in str(screen.query_one("#files-state").render()))
    return screen


async def type_path(pilot, screen, key: str, path: Path) -> None:
    await pilot.press(key)
    field = screen.query_one("#files-path", Input)
    assert field.has_focus
    field.value = str(path)
    await pilot.press("enter")


async def test_upload_download_delete(sandbox_session, marv_path, tmp_path, shoot):
    app = FtuiApp(sandbox_session)
    app.current_dataset = marv_path
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_files(pilot, app)
        await pilot.press("u")
        assert screen.query_one("#files-path", Input).value == str(marv_path)  # the current dataset
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.last_uploaded is not None)
        bar = screen.query_one(TransferProgressBar)
        assert bar.done == bar.total == marv_path.stat().st_size
        made = screen.last_uploaded
        await wait_for(pilot, lambda: made.id in screen.files)
        shoot(app, "files-uploaded")
        # download the selected file (cursor on the newest row) to a chosen path
        table = screen.query_one("#files-table", DataTable)
        table.move_cursor(row=table.get_row_index(made.id))
        target = tmp_path / "copy.jsonl"
        await type_path(pilot, screen, "s", target)
        await wait_for(pilot, lambda: "Saved to" in message(screen))
        assert target.read_bytes() == marv_path.read_bytes()
        # delete, with a confirmation
        await pilot.press("d")
        assert isinstance(app.screen, ConfirmScreen)
        shoot(app, "files-delete-confirm")
        await pilot.press("y")
        await wait_for(pilot, lambda: made.id not in screen.files)
        remaining = await sandbox_session.provider.list_files()
        assert made.id not in [f.id for f in remaining.items]


async def test_invalid_file_is_held_back_until_upload_anyway(sandbox_session, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"messages": [}\n' + json.dumps({"nope": 1}) + "\n")
    app = FtuiApp(sandbox_session)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_files(pilot, app)
        await type_path(pilot, screen, "u", bad)
        await wait_for(pilot, lambda: "failed validation" in message(screen))
        assert "line 1" in message(screen) and "press !" in message(screen)
        assert screen.last_uploaded is None
        assert (await sandbox_session.provider.list_files()).items == []
        await pilot.press("exclamation_mark")
        await wait_for(pilot, lambda: screen.last_uploaded is not None)
        assert screen.last_uploaded.filename == "bad.jsonl"


def big_dataset(folder: Path, lines: int) -> Path:
    path = folder / "big.jsonl"
    row = json.dumps({"messages": [{"role": "user", "content": "x" * 200},
                                   {"role": "assistant", "content": "y" * 200}]}) + "\n"
    path.write_text(row * lines)
    return path


async def test_large_file_goes_through_the_uploads_api(sandbox_session, sandbox, tmp_path):
    provider = sandbox_session.provider
    provider.upload_threshold = 16 * 1024  # "large" here, so the Uploads API path runs
    provider.part_size = 8 * 1024
    path = big_dataset(tmp_path, 100)
    app = FtuiApp(sandbox_session)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_files(pilot, app)
        await type_path(pilot, screen, "u", path)
        await wait_for(pilot, lambda: screen.last_uploaded is not None)
        assert screen.last_uploaded.bytes == path.stat().st_size
        content = await provider.file_content(screen.last_uploaded.id)
        assert content == path.read_bytes()


async def test_cancel_an_upload(sandbox_session, sandbox, tmp_path):
    provider = sandbox_session.provider
    provider.upload_threshold = 16 * 1024
    provider.part_size = 8 * 1024
    provider.part_concurrency = 1
    path = big_dataset(tmp_path, 200)
    sandbox.set_faults("latency=150")  # every part takes a while
    app = FtuiApp(sandbox_session)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_files(pilot, app)
        await type_path(pilot, screen, "u", path)
        await wait_for(pilot, lambda: screen.query_one(TransferProgressBar).done > 0)
        await pilot.press("x")
        await wait_for(pilot, lambda: "did not finish" in message(screen))
        assert screen.last_uploaded is None
        sandbox.set_faults(None)
        files = await provider.list_files()
        assert "big.jsonl" not in [f.filename for f in files.items]


async def test_api_failures_are_explained_in_place(sandbox_session, sandbox, marv_path):
    app = FtuiApp(sandbox_session)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_files(pilot, app)
        sandbox.set_faults("error5xx=1.0")
        await pilot.press("r")
        await wait_for(pilot, lambda: "Could not load files" in str(screen.query_one("#files-state").render()))
        await type_path(pilot, screen, "u", marv_path)
        await wait_for(pilot, lambda: "did not finish" in message(screen))
        sandbox.set_faults("drop_upload=1.0")  # the connection drops mid-upload, every time
        await type_path(pilot, screen, "u", marv_path)
        await wait_for(pilot, lambda: "did not finish" in message(screen) and screen._cancel is None)
        sandbox.set_faults(None)
        await pilot.press("r")
        await wait_for(pilot, lambda: "file" in str(screen.query_one("#files-state").render())
                       and "Could not" not in str(screen.query_one("#files-state").render()))
        assert app.is_running


async def test_files_are_paged_as_the_api_pages(sandbox_session, marv_path, tmp_path, monkeypatch):
    provider = sandbox_session.provider
    made = [await provider.upload_file(marv_path) for _ in range(3)]
    monkeypatch.setattr(FilesScreen, "PAGE_SIZE", 2)
    app = FtuiApp(sandbox_session)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_files(pilot, app)
        await wait_for(pilot, lambda: len(screen.files) == 2)
        assert list(screen.files) == [made[2].id, made[1].id]  # newest first
        assert "press m" in str(screen.query_one("#files-state").render())
        await pilot.press("m")
        await wait_for(pilot, lambda: len(screen.files) == 3)
        assert not screen.has_more


def test_path_completion(tmp_path):
    """The Files screen completes any file (downloads can be named anything)."""
    from functools import partial

    from ftui.widgets.path_input import complete_path

    _complete_path = partial(complete_path, suffixes=None)
    (tmp_path / "train.jsonl").write_text("")
    (tmp_path / "results.csv").write_text("")
    (tmp_path / "runs").mkdir()
    assert _complete_path(str(tmp_path / "tr")) == str(tmp_path / "train.jsonl")
    assert _complete_path(str(tmp_path / "re")) == str(tmp_path / "results.csv")
    assert complete_path(str(tmp_path / "re")) is None  # the dataset pickers offer .jsonl only
    assert _complete_path(str(tmp_path / "ru")) == str(tmp_path / "runs") + "/"
    assert _complete_path(str(tmp_path / "zz")) is None
    assert _complete_path(str(tmp_path / "nope" / "x")) is None
