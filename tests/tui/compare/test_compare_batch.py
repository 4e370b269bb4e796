"""Batch compare through the app: a held-out file through both models with progress, judged row
by row into a win rate; reopened from the history; a checkpoint sweep picks the best model."""

from __future__ import annotations

import csv
import json

import pytest

from ftui.tui.screens.compare.batch import BatchScreen
from ftui.tui.screens.compare.sweep import SweepScreen
from ftui.tui.shell.app import FtuiApp
from tests.tui.compare.test_compare import BASE, open_compare, settle


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("FTUI_DATA_DIR", str(tmp_path / "ftui-data"))
    return tmp_path / "ftui-data"


async def test_batch_runs_judges_scores_exports_and_reopens(sandbox_session, data_dir):
    app = FtuiApp(sandbox_session)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_compare(app, pilot)
        await pilot.press("ctrl+l")
        batch = app.screen
        assert isinstance(batch, BatchScreen)
        assert batch.query_one("#batch-file").value.endswith("marv_holdout.jsonl")
        batch.query_one("#batch-sample").value = "6"
        batch.query_one("#batch-seed").value = "3"
        await pilot.press("ctrl+r")
        await settle(pilot)
        bar = batch.query_one("#batch-progress")
        assert bar.total == 6 and bar.progress == 6
        assert "6/6 answered" in str(batch.query_one("#batch-status").render())
        table = batch.query_one("#batch-table")
        assert table.row_count == 6
        assert all(r and r.left.status == "done" and r.right.status == "done" for r in batch.rounds)
        batch.query_one("#batch-table").focus()
        # 4 right, 1 left, 1 tie -> (4 + 0.5) / 6 = 75 %, ties counted half
        await pilot.press("right_square_bracket", "right_square_bracket", "left_square_bracket",
                          "equals_sign", "j", "k", "right_square_bracket", "right_square_bracket")
        await settle(pilot)
        assert [r.judgement for r in batch.rounds] == ["right", "right", "left", "tie", "right", "right"]
        score = str(batch.query_one("#batch-score").render())
        assert "6/6 judged" in score and "75%" in score and "95% CI" in score and "ties count half" in score
        await pilot.press("t")  # ties left out: 4 of 5 decisive judgements
        score = str(batch.query_one("#batch-score").render())
        assert "80%" in score and "ties excluded" in score
        await pilot.press("t")
        await pilot.press("x")
        await settle(pilot)
        await pilot.press("enter")  # the name offered: <data dir>/exports/batch-N.jsonl
        await settle(pilot)
        exports = data_dir / "exports"
        rows = list(csv.DictReader((next(exports.glob("*.csv"))).open()))
        assert [r["judgement"] for r in rows] == ["right", "right", "left", "tie", "right", "right"]
        lines = [json.loads(x) for x in next(exports.glob("*.jsonl")).read_text().splitlines()]
        assert len(lines) == 6 and lines[0]["expected"]
        await pilot.press("escape")
        assert app.screen is screen

        await pilot.press("f8")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        reopened = app.screen
        assert isinstance(reopened, BatchScreen) and reopened is not batch
        assert [r.judgement for r in reopened.rounds] == [r.judgement for r in batch.rounds]
        assert "75%" in str(reopened.query_one("#batch-score").render())


async def test_batch_says_what_is_wrong_with_its_inputs(sandbox_session, tmp_path):
    app = FtuiApp(sandbox_session)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_compare(app, pilot)
        await pilot.press("ctrl+l")
        batch = app.screen
        batch.query_one("#batch-sample").value = "many"
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert batch.rounds == []
        batch.query_one("#batch-sample").value = ""
        batch.query_one("#batch-file").value = str(tmp_path / "missing.jsonl")
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert "no such file" in str(batch.query_one("#batch-status").render())


async def test_checkpoint_sweep_picks_the_best_model(sandbox_session, marv_path, shoot):
    from tests.compare.conftest import train

    job_id, model = await train(sandbox_session.provider, marv_path)
    app = FtuiApp(sandbox_session)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_compare(app, pilot, left=BASE, right=model)
        await pilot.press("ctrl+l")
        batch = app.screen
        batch.query_one("#batch-file").value = str(marv_path)  # prompts it was trained on
        batch.query_one("#batch-sample").value = "4"
        await pilot.press("s")
        await settle(pilot)
        sweep = app.screen
        assert isinstance(sweep, SweepScreen)
        assert sweep.query_one("#sweep-job").value == job_id
        await pilot.press("ctrl+r")
        await settle(pilot)
        table = sweep.query_one("#sweep-table")
        assert table.row_count == len(sweep.scores) >= 3
        assert "best:" in str(sweep.query_one("#batch-score").render())
        best = max(sweep.scores, key=lambda s: s.mean_similarity)
        assert best.label != "base"
        assert "saved to the history" in str(sweep.query_one("#batch-status").render())
        shoot(app, "compare-sweep")
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is batch and batch.right == best.model

        # kept in the history: base vs each other model, prompt by prompt; reopens as the sweep
        sessions = await batch.store.list_sessions()
        kept = next(s for s in sessions if s.kind == "sweep")
        prompts = len(sweep.scores[0].answers)
        assert kept.rounds == prompts * (len(sweep.scores) - 1) and best.label in kept.title
        await pilot.press("escape")
        await pilot.press("f8")
        await settle(pilot)
        shoot(app, "compare-history")
        table = app.screen.query_one("DataTable")
        table.move_cursor(row=next(i for i, key in enumerate(table.rows) if key.value == str(kept.id)))
        await pilot.press("enter")
        await settle(pilot)
        reopened = app.screen
        assert isinstance(reopened, SweepScreen) and reopened is not sweep
        assert [(s.label, round(s.mean_similarity, 6), s.beats_base) for s in reopened.scores] == \
            [(s.label, round(s.mean_similarity, 6), s.beats_base) for s in sweep.scores]
        assert reopened.query_one("#sweep-job").value == job_id  # can be run again
        await pilot.press("enter")  # use the best model: Compare gets base vs it
        await pilot.pause()
        assert app.screen.models == {"left": sweep.scores[0].model, "right": best.model}


async def test_blind_batch_hides_models_and_maps_marks_back(tmp_path):
    from pathlib import Path

    from ftui.core.compare.params import Params
    from ftui.core.compare.store import CompareStore
    from ftui.core.session import Session
    from tests.tui.compare.test_compare_snapshots import TUNED, a_round

    app = FtuiApp(Session(None, "sandbox", simulated=True))
    async with app.run_test(size=(80, 24)) as pilot:
        rounds = [a_round(i) for i in range(4)]
        batch = BatchScreen(BASE, TUNED, Params(), Path("x.jsonl"), CompareStore(), rounds=rounds,
                            seed=3)
        app.push_screen(batch)
        await pilot.pause()
        batch.blind = False
        await pilot.press("b")
        assert batch.blind and "A vs B (blind)" in str(batch.query_one("#batch-title").render())
        table = batch.query_one("#batch-table")
        assert [str(c.label) for c in table.columns.values()][-2:] == ["A", "B"]
        swaps = [r.swapped for r in batch.rounds]
        assert True in swaps and False in swaps  # shuffled per row
        for _ in range(3):
            await pilot.press("left_square_bracket")  # the A column is better, every row
        await pilot.press("enter")  # the last row in full, judged from there
        detail = app.screen
        shown = str(detail.query_one("Static").render())
        assert "expected\n" in shown and "\nA\n" in shown and "\nB\n" in shown and TUNED not in shown
        await pilot.press("left_square_bracket")
        assert app.screen is batch
        assert [r.judgement for r in batch.rounds] == ["right" if s else "left" for s in swaps]
