"""The migration form's hyperparameter notes read whole at 80 columns: the note column takes the
width the values leave and a long note wraps onto more lines, with no sideways scrolling; on a
wider terminal the same note needs fewer lines."""

from __future__ import annotations

import pytest

from tests.tui.sunset import fixed
from tests.tui.sunset.test_sunset_snapshots import Showing, form
from tests.tui.waiting import until


def lines_of(table, row: int) -> int:
    return table.rows[table.ordered_rows[row].key].height


@pytest.mark.parametrize("size", [(80, 24), (160, 45)], ids=["80x24", "160x45"])
async def test_every_note_reads_whole(size):
    app = Showing(form())
    async with app.run_test(size=size) as pilot:
        await until(pilot, lambda: app.screen.query_one("#mig-hp").row_count > 4)
        table = app.screen.query_one("#mig-hp")
        assert table.virtual_size.width <= table.size.width  # no sideways scrolling
        note_width = table.columns["note"].width
        assert table.region.right <= size[0]
        notes = [r.note for r in fixed.plan().rows]
        longest = max(range(len(notes)), key=lambda i: len(notes[i]))
        assert len(notes[longest]) > note_width or size[0] > 80  # at 80 it does not fit one line...
        needed = -(-len(notes[longest]) // note_width)
        assert lines_of(table, longest) >= needed  # ...so its row grows to hold it all
        if size[0] > 80:
            assert lines_of(table, longest) == 1
