"""A 16-colour terminal (TERM=xterm, COLORTERM unset) keeps the meaning of colour: errors red,
warnings yellow (rounding by distance made errors magenta and warnings red)."""

from __future__ import annotations

import pytest
from rich.color import ColorSystem
from rich.segment import Segment

from tests.tui.data.test_data_snapshots import _settled
from tests.tui.data.test_data_support import copy_example, data_dir, make_app, settle  # noqa: F401


@pytest.fixture
def sixteen_colours(monkeypatch):
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.delenv("COLORTERM", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)


def test_snapshot_broken_file_in_sixteen_colours(snap_compare, tmp_path, sixteen_colours):
    path = copy_example("broken.jsonl", tmp_path)
    assert snap_compare(make_app(path), terminal_size=(80, 24), run_before=_settled("n"))


def _colours_of(app, words: str) -> set[int]:
    """The standard colour numbers the terminal gets for segments holding `words`."""
    update = app.screen._compositor.render_update(full=True)
    found = set()
    for line in Segment.split_lines(app.console.render(update, app.console.options)):
        for text, style, _ in line:
            if words in text and style is not None and style.color is not None:
                found.add(style.color.downgrade(ColorSystem.STANDARD).number)
    return found


async def test_errors_are_red_and_warnings_yellow_in_sixteen_colours(tmp_path, sixteen_colours):
    app = make_app(copy_example("broken.jsonl", tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert app.console.color_system == "standard"
        assert _colours_of(app, "has errors") <= {1, 9} and _colours_of(app, "has errors")
        assert _colours_of(app, "warnings") <= {3, 11} and _colours_of(app, "warnings")
