"""The batch table at a width chooses its columns instead of squeezing all six: at 80x24 the
expected answer is left out and both answers get the same, readable width; the detail line under
the table has the highlighted row's prompt, expected answer and errors whole (enter: the answers)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ftui.core.compare.pane import PaneResult
from ftui.core.compare.params import Params
from ftui.core.compare.store import CompareStore
from ftui.core.session import Session
from ftui.tui.screens.compare.batch import BatchScreen
from ftui.tui.shell.app import FtuiApp
from tests.tui.compare.test_compare_snapshots import BASE, QUESTIONS, TUNED, a_round
from tests.tui.waiting import until

EVERY = ("#", "✓", "prompt", "expected", "left", "right")


def rounds() -> list:
    kept = [a_round(0, "right"), a_round(1, "right"), a_round(2, "tie"), a_round(3)]
    kept[3].left = PaneResult(BASE, ["Water boils at"], [None], 0.2, 0.4, None,
                              "the stream broke off before the answer finished", "error")
    return kept


@pytest.mark.parametrize(("size", "columns"), [((80, 24), ("#", "✓", "prompt", "left", "right")),
                                               ((160, 45), EVERY), ((60, 24), ("✓", "left", "right"))],
                         ids=["80x24", "160x45", "60x24"])
async def test_batch_table_chooses_its_columns_and_the_detail_has_the_rest(tmp_path, size, columns):
    app = FtuiApp(Session(None, "sandbox", simulated=True))
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        app.push_screen(BatchScreen(BASE, TUNED, Params(), Path("examples/marv_holdout.jsonl"),
                                    CompareStore(tmp_path / "history.sqlite"), rounds=rounds(), session_id=1))
        await until(pilot, lambda: app.screen.query_one("#batch-table").row_count == 4)
        screen = app.screen
        table = screen.query_one("#batch-table")
        assert table.columns_shown == columns
        assert table.virtual_size.width <= table.size.width  # nothing runs off the right edge
        widths = {str(c.label): c.width for c in table.columns.values()}
        left, right = widths["left"], widths["right"]
        assert min(left, right) >= 18, widths  # never `Happ`
        whole = not any(str(c).endswith("…") for c in table.get_column("right"))
        assert abs(left - right) <= 1 or whole, widths  # the answers alike, unless one is whole

        detail = screen.query_one("#batch-detail")
        text = str(detail.render())
        question, expected = QUESTIONS[0]
        assert text == (f"line 1 · right better · prompt: {question} · expected: {expected} · "
                        "enter: both answers whole")
        shown = detail.get_content_height(detail.content_region.size, detail.content_region.size,
                                          detail.content_region.width)
        assert detail.content_region.height == shown, (detail.content_region, shown)  # none of it cut

        await pilot.press("end")
        await pilot.pause()
        text = str(screen.query_one("#batch-detail").render())
        assert text.startswith(f"line 4 · prompt: {QUESTIONS[3][0]} · expected: {QUESTIONS[3][1]}")
        assert "left: ⚠ the stream broke off before the answer finished" in text
        assert str(table.get_row_at(3)[columns.index("left")]).startswith("⚠ Water")  # cut or not


async def test_blind_columns_and_detail_name_a_and_b_never_the_model(tmp_path):
    app = FtuiApp(Session(None, "sandbox", simulated=True))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        batch = BatchScreen(BASE, TUNED, Params(), Path("x.jsonl"), CompareStore(tmp_path / "h.sqlite"),
                            rounds=rounds(), session_id=1, seed=3)
        app.push_screen(batch)
        await until(pilot, lambda: batch.query_one("#batch-table").row_count == 4)
        await pilot.press("b")
        await pilot.pause()
        table = batch.query_one("#batch-table")
        assert table.columns_shown[-2:] == ("A", "B")
        await pilot.press("right_square_bracket")  # judged in the B column
        await pilot.press("up")
        await pilot.pause()
        text = str(batch.query_one("#batch-detail").render())
        assert text.startswith("line 1 · B better · ") and TUNED not in text and BASE not in text
