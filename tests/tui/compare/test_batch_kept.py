"""A batch stays as it was left when the user comes back to it; only the failed rows are sent again,
visibly; a cut stream's message says what happened once."""

from __future__ import annotations

import pytest

from ftui.core.server.faults import Faults
from ftui.tui.screens.compare.batch import BatchScreen
from ftui.tui.shell.app import FtuiApp
from tests.tui.compare.test_compare import open_compare, settle, until


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("FTUI_DATA_DIR", str(tmp_path / "ftui-data"))
    return tmp_path / "ftui-data"


def cells(batch: BatchScreen, row: int) -> str:
    table = batch.query_one("#batch-table")
    return " ".join(str(c) for c in table.get_row_at(row))


async def test_rows_survive_leaving_and_only_failed_rows_are_retried(sandbox_session, sandbox):
    app = FtuiApp(sandbox_session)
    async with app.run_test(size=(80, 24)) as pilot:
        compare = await open_compare(app, pilot)
        await pilot.press("ctrl+l")
        batch = app.screen
        assert isinstance(batch, BatchScreen)
        batch.query_one("#batch-sample").value = "4"
        sandbox.set_faults(Faults(cut_stream=1.0))  # every answer breaks off
        batch.query_one("#batch-table").focus()
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert len(batch.failed_rows()) == 4
        error = batch.rounds[0].left.error
        assert error.count("what arrived is kept") == 1 and error.count("broke off") == 1, error
        assert "f retries" in str(batch.query_one("#batch-status").render())
        assert batch.check_action("retry_failed", ()) is True

        await pilot.press("escape")
        assert app.screen is compare
        await pilot.press("ctrl+l")
        assert app.screen is batch  # the same batch, not an empty one
        assert len(batch.rounds) == 4 and batch.query_one("#batch-table").row_count == 4
        first_ids = [r.id for r in batch.rounds]
        assert all(first_ids)  # saved to the history

        sandbox.set_faults(Faults(latency=400))  # answers again, slowly enough to see the retry
        good = batch.rounds[2]  # all four failed; pretend this one answered, so it must be kept
        good.left.error = good.right.error = None
        await pilot.press("f")
        await until(pilot, lambda: "↻ retrying" in cells(batch, 0), timeout=5)
        assert "retrying 3 failed rows" in str(batch.query_one("#batch-status").render())
        assert "↻" not in cells(batch, 2)
        await settle(pilot)
        assert batch.failed_rows() == []
        assert batch.rounds[2] is good  # the row that had answered was not sent again
        assert "every row answered" in str(batch.query_one("#batch-status").render())
        assert [r.id for r in batch.rounds] == first_ids  # the same rows of the history, replaced
        rounds = await batch.store.load_session(batch.session_id)
        assert len(rounds) == 4 and all(not (r.left.error or r.right.error) for r in rounds)


async def test_a_retry_the_sdk_makes_on_its_own_shows_on_its_row(sandbox_session, sandbox):
    from tests.compare.test_batch_retries import OnceDice

    app = FtuiApp(sandbox_session)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_compare(app, pilot)
        await pilot.press("ctrl+l")
        batch = app.screen
        assert isinstance(batch, BatchScreen)
        batch.query_one("#batch-sample").value = "2"
        dice = OnceDice(Faults(rate429=1.0, retry_after_ms=1500))  # one 429, and a wait long enough to see
        sandbox.handle.ctx.dice = dice
        batch.query_one("#batch-table").focus()
        await pilot.press("ctrl+r")
        await until(pilot, lambda: batch.sdk_retries, timeout=10)
        row = next(iter(batch.sdk_retries))
        assert "↻ retry 1" in cells(batch, row)
        await settle(pilot)
        assert dice.fired == 1 and batch.failed_rows() == [] and batch.sdk_retries == {}
        assert "↻" not in cells(batch, row)
