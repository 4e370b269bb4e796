"""At 80x24 the Models table keeps the name, the base and an announced shutdown on screen (the
job and creation time go to the detail line when they do not fit); at 160x45 everything shows.
The detail line has the highlighted model whole, its shutdown date included."""

from __future__ import annotations

import pytest

from ftui.core.session import Session
from ftui.tui.shell.app import FtuiApp
from tests.tui.list_pages import show_rows
from tests.tui.models.test_models_table_snapshots import FIXED_MODELS, fixed_models


@pytest.mark.parametrize(("size", "left_out"), [((80, 24), set()), ((60, 24), {"Created", "Job"}),
                                                ((160, 45), set())], ids=["80x24", "60x24", "160x45"])
async def test_models_table_chooses_its_columns(size, left_out):
    app = FtuiApp(Session(None, "sandbox", simulated=True))
    async with app.run_test(size=size) as pilot:
        await show_rows(pilot, "models", fixed_models())
        table = app.screen.query_one("#models-table")
        every = ("Fine-tuned model", "Base", "Created", "Job", "Shutdown")
        assert table.columns_shown == tuple(c for c in every if c not in left_out)
        assert "Shutdown" in table.columns_shown  # an announced shutdown is never off screen
        assert table.virtual_size.width <= table.size.width  # no sideways scrolling
        await pilot.press("end")
        await pilot.pause()
        last = FIXED_MODELS[-1][0]
        assert str(table.get_cell_at((2, table.columns_shown.index("Shutdown")))) == "2027-01-14"
        detail = str(app.screen.query_one("#models-detail").render())
        assert detail.startswith(f"{last} · shuts down 2027-01-14")
        await pilot.press("up")
        await pilot.pause()
        detail = str(app.screen.query_one("#models-detail").render())
        assert FIXED_MODELS[1][0] in detail and "no shutdown announced" in detail
