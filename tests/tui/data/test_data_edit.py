"""Changing a dataset from the Data screen: edit, append, delete, undo — checked on disk each time."""

from __future__ import annotations

import json
import time

import pytest
from textual.widgets import TextArea

from ftui.tui.screens.data.edit import AppendExampleScreen, EditExampleScreen
from ftui.tui.screens.dialogs.confirm import ConfirmScreen
from tests.tui.data.test_data_support import copy_example, data_dir, data_screen, make_app, settle, shown  # noqa: F401


def disk_lines(path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


async def test_edit_saves_the_line_and_undo_restores_it(tmp_path):
    path = copy_example("marv.jsonl", tmp_path)
    original = path.read_bytes()
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("j", "j")
        await settle(app, pilot)
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, EditExampleScreen)
        area = app.screen.query_one("#edit-json", TextArea)
        example = json.loads(area.text)
        assert "\n  " in area.text  # pretty JSON to edit
        example["messages"][-1]["content"] = "Edited by a test."
        area.load_text(json.dumps(example, indent=2))
        await pilot.press("f2")
        await settle(app, pilot)
        assert not isinstance(app.screen, EditExampleScreen)
        lines = disk_lines(path)
        assert json.loads(lines[2])["messages"][-1]["content"] == "Edited by a test."
        assert len(lines) == len(original.decode().splitlines())
        screen = data_screen(app)
        assert screen.line == 3 and "Edited by a test." in shown(app)
        # The user sees what undo keeps and where its bound is set (one step: the replaced line).
        said = [str(n.message) for n in app._notifications if "Line 3 saved" in str(n.message)]
        assert said and "undo: 1 of 10 steps" in said[-1] and "[dataset] undo_steps, undo_mb" in said[-1]

        await pilot.press("u")
        await settle(app, pilot)
        assert path.read_bytes() == original
        assert "Edited by a test." not in shown(app)


async def test_invalid_edit_is_refused_and_the_typing_kept(tmp_path):
    path = copy_example("marv.jsonl", tmp_path)
    original = path.read_bytes()
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("e")
        await pilot.pause()
        area = app.screen.query_one("#edit-json", TextArea)
        area.load_text('{"messages": [{"role": "user", "content": "only a question"')
        await pilot.press("ctrl+w")
        await settle(app, pilot)
        assert isinstance(app.screen, EditExampleScreen)
        assert "Not saved" in str(app.screen.query_one("#write-problems").render())
        assert "invalid_json" in str(app.screen.query_one("#write-problems").render())
        # Valid JSON but not a valid example: refused with the validator's problem.
        area.load_text('{"messages": [{"role": "user", "content": "only a question"}]}')
        await pilot.press("f2")
        await settle(app, pilot)
        assert isinstance(app.screen, EditExampleScreen)
        assert "assistant" in str(app.screen.query_one("#write-problems").render())
        assert area.text == '{"messages": [{"role": "user", "content": "only a question"}]}'
        assert path.read_bytes() == original

        await pilot.press("escape")  # something was typed: asks first
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, EditExampleScreen)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("y")
        await settle(app, pilot)
        assert data_screen(app) is app.screen
        assert path.read_bytes() == original


async def test_append_from_the_form_then_delete_and_undo(tmp_path, shoot):
    path = copy_example("marv.jsonl", tmp_path)
    count = len(disk_lines(path))
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, AppendExampleScreen)
        # The shown example's system prompt is filled in; the user field has the focus.
        system = app.screen.query_one("#append-system").value
        assert system == "Marv is a factual chatbot that is also sarcastic."
        await pilot.press(*"How tall is Everest?", "tab")
        await pilot.press(*"8,849 m. You could have looked that up.")
        shoot(app, "data-append")
        await pilot.press("f2")
        await settle(app, pilot)
        lines = disk_lines(path)
        assert len(lines) == count + 1
        assert json.loads(lines[-1]) == {"messages": [
            {"role": "system", "content": system},
            {"role": "user", "content": "How tall is Everest?"},
            {"role": "assistant", "content": "8,849 m. You could have looked that up."}]}
        screen = data_screen(app)
        assert screen.line == count + 1 and "Everest" in shown(app)
        said = [str(n.message) for n in app._notifications if "Example added" in str(n.message)]
        assert said and "the file was not rewritten" in said[-1] and "undo: 1 of 10 steps" in said[-1]

        await pilot.press("home")
        await settle(app, pilot)
        first = lines[0]
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(app, pilot)
        lines = disk_lines(path)
        assert len(lines) == count and lines[0] != first

        await pilot.press("u")  # undoes the delete
        await settle(app, pilot)
        lines = disk_lines(path)
        assert len(lines) == count + 1 and lines[0] == first
        await pilot.press("u")  # and then the append
        await settle(app, pilot)
        assert len(disk_lines(path)) == count


async def test_append_needs_user_and_assistant(tmp_path):
    path = copy_example("marv.jsonl", tmp_path)
    original = path.read_bytes()
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("a")
        await pilot.pause()
        await pilot.press(*"A question without an answer")
        await pilot.press("f2")
        await settle(app, pilot)
        assert isinstance(app.screen, AppendExampleScreen)
        assert "assistant" in str(app.screen.query_one("#write-problems").render())
        assert app.screen.query_one("#append-user", TextArea).text == "A question without an answer"
        assert path.read_bytes() == original


async def test_delete_cancelled_changes_nothing(tmp_path):
    path = copy_example("marv.jsonl", tmp_path)
    original = path.read_bytes()
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("n")
        await settle(app, pilot)
        assert path.read_bytes() == original
        await pilot.press("u")  # nothing to undo: said, not crashed
        await settle(app, pilot)
        assert path.read_bytes() == original
        assert any("no earlier version" in str(n.message) for n in app._notifications)


async def test_write_refused_when_the_file_changed_on_disk(tmp_path):
    path = copy_example("marv.jsonl", tmp_path)
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("a")
        await pilot.pause()
        with path.open("a", encoding="utf-8") as fh:  # someone else writes meanwhile
            fh.write(json.dumps({"messages": [{"role": "user", "content": "x"},
                                              {"role": "assistant", "content": "y"}]}) + "\n")
        changed = path.read_bytes()
        await pilot.press(*"q", "tab", *"a")
        await pilot.press("f2")
        await settle(app, pilot)
        assert isinstance(app.screen, AppendExampleScreen)
        assert "changed on disk" in str(app.screen.query_one("#write-problems").render())
        assert path.read_bytes() == changed


async def test_external_editor_result_comes_back_into_the_editor(tmp_path, monkeypatch, shoot):
    import contextlib
    import sys

    path = copy_example("marv.jsonl", tmp_path)
    script = tmp_path / "fake_editor.py"
    script.write_text("import sys, pathlib\np = pathlib.Path(sys.argv[1])\n"
                      "p.write_text(p.read_text().replace('Paris', 'Paris (edited outside)'))\n")
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    monkeypatch.delenv("VISUAL", raising=False)
    app = make_app(path)
    # The headless test driver cannot hand the terminal over; the real editor process still runs.
    monkeypatch.setattr(app, "suspend", contextlib.nullcontext)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("e")
        await pilot.pause()
        shoot(app, "data-edit")
        await pilot.press("f4")
        await settle(app, pilot)
        assert "Paris (edited outside)" in app.screen.query_one("#edit-json", TextArea).text
        await pilot.press("f2")
        await settle(app, pilot)
        assert "Paris (edited outside)" in disk_lines(path)[0]


@pytest.mark.slow
def test_the_editor_gets_the_real_terminal_and_its_changes_are_saved(tmp_path):
    """ftui on a pseudo-terminal: F4 hands the terminal to $EDITOR, takes it back, F2 saves."""
    import os
    import sys

    from tests.tui.pty_app import PtyApp

    path = copy_example("marv.jsonl", tmp_path)
    script = tmp_path / "fake_editor.py"
    script.write_text(
        "import os, sys, pathlib, termios\n"
        "cooked = os.isatty(0) and bool(termios.tcgetattr(0)[3] & termios.ICANON)\n"
        f"pathlib.Path({str(tmp_path / 'tty.txt')!r}).write_text(str(cooked))\n"
        "p = pathlib.Path(sys.argv[1])\n"
        "p.write_text(p.read_text().replace('Paris', 'Paris (edited outside)'))\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "FTUI_", "VISUAL"))}
    env.update(HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "config"),
               FTUI_DATA_DIR=str(tmp_path / "data"), EDITOR=f"{sys.executable} {script}")
    app = PtyApp(["--sandbox", "--data-dir", str(tmp_path / "sandbox"), str(path)], env, tmp_path)
    try:
        app.wait_for("as if everyone")  # the first example's answer
        app.press("e")
        app.wait_for("$EDITOR")
        app.press("f4")
        app.wait_for("Loaded from your editor")
        app.press("f2")
        for _ in range(200):
            if "Paris (edited outside)" in disk_lines(path)[0]:
                break
            time.sleep(0.1)
        assert "Paris (edited outside)" in disk_lines(path)[0]
    finally:
        code = app.close()
    assert code == 0
    # the editor had the terminal back in its normal (line) mode, not the app's raw mode
    assert (tmp_path / "tty.txt").read_text() == "True"
