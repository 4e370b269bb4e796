"""Search on the Data screen: Unicode case-insensitive, with progress, stopped by esc, and a match
found after the user moved elsewhere does not pull the view away."""

from __future__ import annotations

import json

from ftui.core.dataset import search
from tests.tui.data.test_data_support import data_dir, data_screen, make_app, settle  # noqa: F401
from tests.tui.waiting import wait_for


def write(path, texts: list[str]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for t in texts:
            fh.write(json.dumps({"messages": [{"role": "user", "content": t},
                                              {"role": "assistant", "content": "ok"}]}, ensure_ascii=False) + "\n")


async def search_for(pilot, text: str, *then: str) -> None:
    """/ text enter, then the keys `then` at once (before a long search can end)."""
    await pilot.press("slash")
    # letters typed before the box has focus would run as Data's keys (e edits, d deletes)
    await wait_for(pilot, lambda: getattr(pilot.app.focused, "id", None) == "search-input")
    for ch in text:
        await pilot.press(ch)
    await pilot.press("enter", *then)


async def test_search_folds_non_ascii_case(tmp_path):
    path = tmp_path / "d.jsonl"
    write(path, ["first", "second", "Ünïcödé at last"])
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        screen = data_screen(app)
        await search_for(pilot, "ünïcödé")
        await wait_for(pilot, lambda: screen.line == 3)


async def test_a_late_match_does_not_move_the_view_and_esc_stops(tmp_path, monkeypatch):
    monkeypatch.setattr(search, "BLOCK_LINES", 1)  # one line a read: a search of seconds
    path = tmp_path / "big.jsonl"
    write(path, [f"example {i}" for i in range(200_000)] + ["the needle"])
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        screen = data_screen(app)
        await search_for(pilot, "needle", "j")  # the user moves on while it searches
        await wait_for(pilot, lambda: screen.search_note is None, timeout=120)
        said = [n.message for n in app._notifications]
        assert screen.line == 2, "the view jumped to a match found after the user moved"
        assert any("found at line 200,001" in m for m in said), said

        await pilot.press("full_stop", "escape")  # search again, and stop it at once
        await pilot.pause()
        assert screen.search_note is None, "esc did not stop the search"
        # the thread sees the stop at its next line
        await wait_for(pilot, lambda: not [w for w in screen.workers if w.group == "data-search" and w.is_running])
        await pilot.pause(0.3)
        assert screen.line == 2 and screen.search_note is None
        said = [n.message for n in app._notifications]
        assert "Search stopped" in said and sum("found at line" in m for m in said) == 1, said
