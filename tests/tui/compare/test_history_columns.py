"""Compare's history at a width chooses its columns: at 80x24 the judged count is left out so the
titles read whole ("marv vs base on marv_holdout.jsonl", not "…holdout.jso"); the detail line under
the table has the highlighted session whole, a long title and the counts the table leaves out."""

from __future__ import annotations

import pytest

from ftui.core.session import Session
from ftui.tui.screens.compare.sessions import SessionsScreen
from ftui.tui.shell.app import FtuiApp
from tests.tui.compare.test_compare_tables_snapshots import (
    fixed_history,
    fixed_place,  # noqa: F401  (autouse: folder, zone)
    sessions,
)
from tests.tui.waiting import until

EVERY = ("when", "kind", "rounds", "judged", "title")


@pytest.fixture
def store():
    return fixed_history()  # before the test's event loop runs: it runs one of its own


@pytest.mark.parametrize(("size", "columns"), [((80, 24), EVERY[:3] + ("title",)), ((160, 45), EVERY),
                                               ((50, 24), ("title",))],
                         ids=["80x24", "160x45", "50x24"])
async def test_history_titles_read_whole_and_the_detail_has_the_rest(store, size, columns):
    app = FtuiApp(Session(None, "sandbox", simulated=True))
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        app.push_screen(SessionsScreen(store))
        await until(pilot, lambda: app.screen.query_one("#sessions-table").row_count == 3)
        screen = app.screen
        table = screen.query_one("#sessions-table")
        assert table.columns_shown == columns
        assert table.virtual_size.width <= table.size.width
        titles = [str(table.get_row_at(row)[-1]) for row in range(3)]
        batch = sessions()[0][0]
        if size[0] >= 80:
            assert batch in titles  # whole
        long_title = sessions()[2][0]
        assert (titles[0] == long_title) == (size[0] >= 160)  # cut below: the detail line has it

        detail = screen.query_one("#sessions-detail")
        text = str(detail.render())
        assert text == f"{long_title} · interactive, 1 round, 1 judged · 2026-09-21 17:13"
        shown = detail.get_content_height(detail.content_region.size, detail.content_region.size,
                                          detail.content_region.width)
        assert detail.content_region.height == shown or size[0] < 80  # none of it cut at 80 columns
        await pilot.press("end")
        await pilot.pause()
        assert str(screen.query_one("#sessions-detail").render()) == (
            f"{batch} · batch, 3 rounds, 2 judged · 2026-09-21 15:13")
        assert screen._current().title == batch  # enter, x and c act on the highlighted session
