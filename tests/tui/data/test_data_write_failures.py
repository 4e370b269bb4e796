"""Writes that genuinely fail on disk (a process file-size limit, the same failure as a full disk:
the writer cannot finish its new copy) are explained in place and lose nothing."""

from __future__ import annotations

import contextlib
import json
import resource
import signal

from textual.widgets import TextArea

from ftui.tui.screens.data.edit import AppendExampleScreen, EditExampleScreen
from ftui.tui.screens.dialogs.confirm import ConfirmScreen
from tests.tui.data.test_data_support import copy_example, make_app, settle


@contextlib.contextmanager
def writes_fail_beyond(limit: int):
    """No file of this process may grow past `limit` bytes while inside (EFBIG, as ENOSPC would)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    old_handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a failed write, not a killed process
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, old_handler)


def problems_line(app) -> str:
    return str(app.screen.query_one("#write-problems").render())


async def test_a_failed_save_keeps_the_form_the_typing_and_the_file(tmp_path):
    path = copy_example("marv.jsonl", tmp_path)
    original = path.read_bytes()
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("e")
        await pilot.pause()
        area = app.screen.query_one("#edit-json", TextArea)
        example = json.loads(area.text)
        example["messages"][-1]["content"] = "Typed before the disk filled up."
        area.load_text(json.dumps(example, indent=2))
        with writes_fail_beyond(len(original) // 2):
            await pilot.press("f2")
            await settle(app, pilot)
        assert isinstance(app.screen, EditExampleScreen)
        said = problems_line(app)
        assert "Not saved: could not write marv.jsonl" in said and "[Errno 27]" in said
        assert "unchanged" in said and "Checking" not in said
        assert "Typed before the disk filled up." in area.text
        assert path.read_bytes() == original
        assert [p.name for p in tmp_path.iterdir() if p.is_file()] == ["marv.jsonl"]  # no temp copy left


async def test_a_failed_append_keeps_the_fields(tmp_path):
    path = copy_example("marv.jsonl", tmp_path)
    original = path.read_bytes()
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, AppendExampleScreen)
        app.screen.query_one("#append-user", TextArea).load_text("A question")
        app.screen.query_one("#append-assistant", TextArea).load_text("An answer")
        with writes_fail_beyond(len(original) // 2):
            await pilot.press("f2")
            await settle(app, pilot)
        assert isinstance(app.screen, AppendExampleScreen)
        assert "Not saved: could not write marv.jsonl" in problems_line(app)
        assert app.screen.query_one("#append-user", TextArea).text == "A question"
        assert path.read_bytes() == original


async def test_a_failed_delete_and_undo_say_so(tmp_path):
    path = copy_example("marv.jsonl", tmp_path)
    original = path.read_bytes()
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        with writes_fail_beyond(len(original) // 2):
            await pilot.press("y")
            await settle(app, pilot)
        said = [f"{n.title} | {n.message}" for n in app._notifications]
        assert any(s.startswith("Not deleted | could not write marv.jsonl") for s in said), said
        assert path.read_bytes() == original

        await pilot.press("d")
        await pilot.pause()
        await pilot.press("y")  # a delete that works leaves a backup to undo to
        await settle(app, pilot)
        changed = path.read_bytes()
        assert changed != original
        with writes_fail_beyond(len(changed) // 2):
            await pilot.press("u")
            await settle(app, pilot)
        said = [f"{n.title} | {n.message}" for n in app._notifications]
        assert any(s.startswith("Nothing undone | could not write marv.jsonl") for s in said), said
        assert path.read_bytes() == changed
