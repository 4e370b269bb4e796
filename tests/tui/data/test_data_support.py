"""Shared helpers of the Data section's UI tests (no tests here)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ftui.core.session import Session
from ftui.tui.screens.data.data import DataScreen
from ftui.tui.shell.app import FtuiApp
from ftui.widgets.conversation_view import ConversationView

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "examples"


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch) -> Path:
    """Recent files go to a tmp folder, never the user's."""
    folder = tmp_path / "ftui-data"
    monkeypatch.setenv("FTUI_DATA_DIR", str(folder))
    return folder


def copy_example(name: str, dest: Path) -> Path:
    """A tmp copy of examples/<name> (tests never write under examples/)."""
    target = dest / name
    shutil.copyfile(EXAMPLES / name, target)
    return target


def chat_line(i: int, *, system: str = "You are Marv, a sarcastic bot.") -> str:
    return json.dumps({"messages": [{"role": "system", "content": system},
                                    {"role": "user", "content": f"Question {i}?"},
                                    {"role": "assistant", "content": f"Answer {i}, obviously."}]})


def write_lines(path: Path, lines: list[str], *, ending: str = "\n", final: bool = True) -> Path:
    path.write_text(ending.join(lines) + (ending if final else ""), encoding="utf-8", newline="")
    return path


def make_app(path: Path | None = None, session: Session | None = None) -> FtuiApp:
    return FtuiApp(session or Session(None, "openai"), open_path=path)


async def settle(app, pilot) -> None:
    """Let workers finish and the screen catch up (validation, line loading, writes)."""
    # Workers start workers (open -> index, validate -> redraw), so wait until two looks in a row
    # find nothing running. DirectoryTree's "_loader" worker runs as long as the tree lives.
    quiet = 0
    for _ in range(50):
        await pilot.pause()
        busy = [w for w in app.workers if w.group != "_loader" and not w.is_finished]
        if busy:
            quiet = 0
            await app.workers.wait_for_complete(busy)
        else:
            quiet += 1
            if quiet == 2:
                break
    await pilot.pause()


def data_screen(app) -> DataScreen:
    screen = app.screen_stack[0] if app.current_mode == "data" else None
    assert isinstance(screen, DataScreen), f"not on Data: {app.screen!r}"
    return screen


def shown(app) -> str:
    """Plain text of what the conversation view draws now."""
    return data_screen(app).query_one(ConversationView).plain_text(width=300)


def info(app) -> str:
    return str(data_screen(app).query_one("#data-info").render())
