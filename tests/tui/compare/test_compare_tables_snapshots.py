"""Snapshots at 80x24 of Compare's history (saved sessions) and of a checkpoint sweep reopened
from fixed scores, in colour and with NO_COLOR (set before the app is built): the row under
the cursor and the best checkpoint (★) must read without colour. Times and paths are fixed."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

import pytest

from ftui.core.compare.batch import SweepScore
from ftui.core.compare.params import Params
from ftui.core.compare.store import CompareStore
from ftui.core.session import Session
from ftui.tui.screens.compare.sessions import SessionsScreen
from ftui.tui.screens.compare.sweep import SweepScreen
from ftui.tui.shell.app import FtuiApp
from tests.tui.compare.test_compare_snapshots import BASE, TUNED, a_round
from tests.tui.waiting import until

START = 1_790_000_000


def sessions() -> list:
    """title, kind, rounds (judged ones carry a judgement); new rounds each time (saving sets their id)."""
    return [
        ("marv vs base on marv_holdout.jsonl", "batch", [a_round(0, "right"), a_round(1, "tie"), a_round(2)]),
        ("sweep ftjob-abc123: best step 20", "sweep", [a_round(3)]),
        ("Is the tuned model still polite when asked about the weather in a very long question?",
         "interactive", [a_round(0, "left")]),
    ]


@pytest.fixture(autouse=True)
def fixed_place(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the history's path is shown: keep it relative, the same each run
    monkeypatch.setenv("FTUI_DATA_DIR", str(tmp_path / "ftui-data"))
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()


def fixed_history() -> CompareStore:
    store = CompareStore(Path("history.sqlite"))

    async def fill() -> None:
        for title, kind, rounds in sessions():
            session_id = await store.new_session(title, kind=kind)
            for r in rounds:
                await store.save_round(session_id, r)

    asyncio.run(fill())
    with sqlite3.connect(store.path) as conn:  # a session's time is when it was made: fix it
        conn.execute("UPDATE sessions SET created = ? + id * 3600", (START,))
    return store


def app(no_color: bool, monkeypatch) -> FtuiApp:
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    return FtuiApp(Session(None, "sandbox", simulated=True))


@pytest.mark.parametrize("no_color", [False, True], ids=["colour", "no_color"])
def test_compare_history(snap_compare, monkeypatch, no_color):
    store = fixed_history()

    async def run_before(pilot):
        await pilot.pause()
        pilot.app.push_screen(SessionsScreen(store))
        await until(pilot, lambda: pilot.app.screen.query_one("#sessions-table").row_count == 3)
        await pilot.press("down")
        await pilot.pause()

    assert snap_compare(app(no_color, monkeypatch), terminal_size=(80, 24), run_before=run_before)


def fixed_scores() -> list[SweepScore]:
    def score(model, label, step, similarity, beats, errors=0):
        return SweepScore(model, label, step, similarity, beats, 4 - errors, errors, answers=[None] * 4)

    return [score(BASE, "base", None, 0.214, 0),
            score(f"{TUNED}:ckpt-step-10", "step 10", 10, 0.388, 3),
            score(f"{TUNED}:ckpt-step-20", "step 20", 20, 0.472, 4),
            score(TUNED, "final", 30, 0.455, 3, errors=1)]


@pytest.mark.parametrize("no_color", [False, True], ids=["colour", "no_color"])
def test_checkpoint_sweep(snap_compare, monkeypatch, no_color):
    async def run_before(pilot):
        await pilot.pause()
        pilot.app.push_screen(SweepScreen(TUNED, Path("examples/marv_holdout.jsonl"), Params(),
                                          job_id="ftjob-abc123", scores=fixed_scores(), session_id=2))
        await until(pilot, lambda: pilot.app.screen.query_one("#sweep-table").row_count == 4)

    assert snap_compare(app(no_color, monkeypatch), terminal_size=(80, 24), run_before=run_before)
