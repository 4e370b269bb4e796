"""The checkpoint sweep at 80x24: the job id, held-out file and N boxes all show; the names of
the checkpoints keep their distinguishing end, and the detail line has the highlighted one whole.
At 160x45 every column shows; at 60 columns the least useful ones are left out."""

from __future__ import annotations

from pathlib import Path

import pytest

from ftui.core.compare.params import Params
from ftui.core.session import Session
from ftui.tui.screens.compare.sweep import SweepScreen
from ftui.tui.shell.app import FtuiApp
from tests.tui.compare.test_compare_snapshots import TUNED
from tests.tui.compare.test_compare_tables_snapshots import fixed_scores
from tests.tui.waiting import until

EVERY = ("model", "similarity", "beats base", "answered", "errors", "name")


@pytest.mark.parametrize(("size", "columns"), [((80, 24), EVERY), ((160, 45), EVERY),
                                               ((60, 24), EVERY[:-1])],
                         ids=["80x24", "160x45", "60x24"])
async def test_sweep_table_and_inputs_fit(tmp_path, monkeypatch, size, columns):
    monkeypatch.setenv("FTUI_DATA_DIR", str(tmp_path))
    app = FtuiApp(Session(None, "sandbox", simulated=True))
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        app.push_screen(SweepScreen(TUNED, Path("examples/marv_holdout.jsonl"), Params(),
                                    job_id="ftjob-abc123", scores=fixed_scores(), session_id=2))
        await until(pilot, lambda: app.screen.query_one("#sweep-table").row_count == 4)
        screen = app.screen
        table = screen.query_one("#sweep-table")
        assert table.columns_shown == columns
        assert table.virtual_size.width <= table.size.width
        for box in ("#sweep-job", "#batch-file", "#batch-sample"):  # every input on screen, wide enough
            region = screen.query_one(box).region
            assert region.right <= size[0] and region.width >= 12, (box, region)
        if "name" in columns:
            names = [str(table.get_cell_at((row, 5))) for row in range(4)]
            assert len(set(names)) == 4 and names[1].endswith("ckpt-step-10"), names
        assert table.current.label == "step 20"  # the best is highlighted
        detail = str(screen.query_one("#sweep-detail").render())
        assert detail.startswith(f"step 20: {TUNED}:ckpt-step-20 · similarity 0.472")
        await pilot.press("down")
        await pilot.pause()
        assert str(screen.query_one("#sweep-detail").render()).startswith(f"final: {TUNED} ·")


async def test_batch_sample_box_shows_its_placeholder_whole(tmp_path, monkeypatch):
    from ftui.core.compare.store import CompareStore
    from ftui.tui.screens.compare.batch import BatchScreen
    from tests.tui.compare.test_compare_snapshots import BASE

    monkeypatch.setenv("FTUI_DATA_DIR", str(tmp_path))
    app = FtuiApp(Session(None, "sandbox", simulated=True))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(BatchScreen(BASE, TUNED, Params(), Path("examples/marv_holdout.jsonl"),
                                    CompareStore(tmp_path / "history.sqlite")))
        await pilot.pause()
        box = app.screen.query_one("#batch-sample")
        assert box.content_region.width > len(box.placeholder), box.content_region  # and the cursor
