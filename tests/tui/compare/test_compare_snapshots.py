"""Pictures of Compare at 80x24 (stacked) and 160x40 (side by side), its batch table and the
fix-an-answer editor. Built from fixed local rounds (no network, no clocks), so they repeat."""

from __future__ import annotations

from pathlib import Path

import pytest

from ftui.core.compare.pane import PaneResult
from ftui.core.compare.records import Round
from ftui.core.compare.store import CompareStore
from ftui.core.session import Session
from ftui.core.types import Usage
from ftui.tui.screens.compare.batch import BatchScreen
from ftui.tui.screens.compare.correction import CorrectionScreen
from ftui.tui.shell.app import FtuiApp

BASE = "gpt-4o-mini-2024-07-18"
TUNED = "ft:gpt-4o-mini-2024-07-18:sandbox:marv:AbC123"
SYSTEM = "Marv is a factual chatbot that is also sarcastic."
QUESTIONS = [
    ("What's the capital of Japan?", "Tokyo. Not Kyoto, though they did swap a few letters."),
    ("How many planets are in the solar system?", "Eight, since Pluto got demoted in 2006."),
    ("Who wrote Hamlet?", "Shakespeare. You could have guessed, honestly."),
    ("What is the boiling point of water?", "100 degrees Celsius at sea level. Riveting."),
]


def generic(question: str) -> str:
    return (f"Happy to help. You asked about {question.rstrip('?')}. In general, the best approach "
            "is to start from reliable sources, check the key facts, and keep the answer clear.")


def a_round(i: int, judgement=None) -> Round:
    q, marv = QUESTIONS[i]
    msgs = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": q}]
    return Round(
        left_model=BASE, right_model=TUNED, system=SYSTEM, user=q,
        params={"temperature": 0.7, "n": 1, "stop": [], "max_completion_tokens": 256, "seed": 7},
        left=PaneResult(BASE, [generic(q)], ["stop"], 0.21, 1.38, Usage(31, 34, 65), None, "done"),
        right=PaneResult(TUNED, [marv], ["stop"], 0.18, 0.64, Usage(31, 14, 45), None, "done"),
        expected=marv, source=f"marv_holdout.jsonl:{i + 1}", left_messages=msgs,
        right_messages=list(msgs), judgement=judgement, created=1_790_000_000 + i)


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("FTUI_DATA_DIR", str(tmp_path / "ftui-data"))


def offline_app() -> FtuiApp:
    return FtuiApp(Session(None, "sandbox", simulated=True))


async def goto_compare(pilot) -> None:
    pilot.app.action_goto("compare")
    await pilot.pause()


async def show_compare(pilot, *, expected: bool) -> None:
    await goto_compare(pilot)
    screen = pilot.app.screen
    r = a_round(0)
    if not expected:
        r.expected = None
    screen.reopen((1, [r], "interactive"))
    screen.query_one("#pane-right").focus()
    await pilot.pause()


def test_compare_stacked_80x24(snap_compare, shoot):
    async def run_before(pilot):
        await show_compare(pilot, expected=False)
        shoot(pilot.app, "compare-stacked")

    assert snap_compare(offline_app(), terminal_size=(80, 24), run_before=run_before)


def test_compare_wide_160x40(snap_compare, shoot):
    async def run_before(pilot):
        await show_compare(pilot, expected=True)
        await pilot.press("d")  # the word diff on, so the picture shows it
        shoot(pilot.app, "compare-wide")

    assert snap_compare(offline_app(), terminal_size=(160, 40), run_before=run_before)


async def show_batch(pilot) -> None:
    await goto_compare(pilot)
    rounds = [a_round(0, "right"), a_round(1, "right"), a_round(2, "tie"), a_round(3)]
    rounds[3].left = PaneResult(BASE, ["Water boils at"], [None], 0.2, 0.4, None,
                                "the stream broke off before the answer finished", "error")
    pilot.app.push_screen(BatchScreen(BASE, TUNED, pilot.app.screen.params,
                                      Path("examples/marv_holdout.jsonl"), CompareStore(),
                                      rounds=rounds, session_id=1))
    await pilot.pause()


@pytest.mark.parametrize("size", [(80, 24), (160, 40)])
def test_compare_batch(snap_compare, shoot, size):
    async def run_before(pilot):
        await show_batch(pilot)
        if size == (80, 24):
            shoot(pilot.app, "compare-batch")

    assert snap_compare(offline_app(), terminal_size=size, run_before=run_before)


def test_compare_batch_without_colour(snap_compare, monkeypatch):
    # NO_COLOR is read when the app is built: winners, ties and the failed row must still read
    monkeypatch.setenv("NO_COLOR", "1")
    assert snap_compare(offline_app(), terminal_size=(80, 24), run_before=show_batch)


def test_compare_iterate_80x24(snap_compare, shoot):
    async def run_before(pilot):
        await goto_compare(pilot)
        q = QUESTIONS[3][0]
        pilot.app.push_screen(CorrectionScreen(
            [{"role": "system", "content": SYSTEM}, {"role": "user", "content": q}],
            generic(q), Path("examples/marv.jsonl")))
        await pilot.pause()
        shoot(pilot.app, "compare-iterate")

    assert snap_compare(offline_app(), terminal_size=(80, 24), run_before=run_before)
