"""Batch compare: every prompt of a file (or a seeded sample) through both models, four at a
time, judged row by row, with the win rate and its 95% Wilson interval."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Input, ProgressBar, Static
from textual.worker import Worker

from ftui.core.compare.batch import run_batch
from ftui.core.compare.blind import shuffle, to_model_side
from ftui.core.compare.export import export_rounds
from ftui.core.compare.params import Params
from ftui.core.compare.prompts import PromptExample
from ftui.core.compare.records import Judgement, Round
from ftui.core.compare.stats import TiePolicy, tally
from ftui.core.compare.store import CompareStore
from ftui.core.errors import CoreError
from ftui.core.paths import data_dir
from ftui.tui.screens.base import FtuiScreen
from ftui.tui.screens.compare.batch_table import BatchTable, batch_columns, row_cells, row_detail
from ftui.tui.screens.compare.examples import read_sample
from ftui.tui.shell.no_account import no_account
from ftui.widgets.key_footer import KeyFooter
from ftui.widgets.keyed_table import RowDetail

CONCURRENCY = 4


def _example_of(r: Round, i: int) -> PromptExample:
    """The prompt a saved round was asked, as if read from its file again."""
    source, _, line = (r.source or "").rpartition(":")
    return PromptExample(line=int(line) if line.isdigit() else i + 1, messages=list(r.left_messages),
                         expected=r.expected, source=source)


class BatchScreen(FtuiScreen[None]):
    CSS_PATH = "batch.tcss"
    BINDINGS = [
        Binding("ctrl+r,f5", "run", "Run", id="compare.batch.run",
                tooltip="Send every prompt (or the sample) to both models, 4 at a time"),
        Binding("escape", "stop_or_back", "Stop/Back", id="compare.batch.back",
                tooltip="Stop a running batch; otherwise back to Compare"),
        Binding("left_square_bracket", "judge('left')", "Left better", id="compare.batch.judge_left",
                tooltip="Mark the highlighted row's left answer better"),
        Binding("right_square_bracket", "judge('right')", "Right better",
                id="compare.batch.judge_right", tooltip="Mark the highlighted row's right answer better"),
        Binding("equals_sign", "judge('tie')", "Tie", id="compare.batch.judge_tie",
                tooltip="Mark the highlighted row a tie"),
        Binding("b", "blind", "Blind", id="compare.batch.blind",
                tooltip="Hide which column is which model (shuffled per row) until judged"),
        Binding("s,f6", "sweep", "Sweep", id="compare.batch.sweep",
                tooltip="Score each checkpoint of the right model's job against the expected answers"),
        Binding("t", "ties", "Ties ½/out", id="compare.batch.ties",
                tooltip="Count ties as half a win (default) or leave them out of the win rate"),
        Binding("v", "verdict", "Save verdict", id="compare.batch.verdict",
                tooltip="Keep the win rate, its interval and n with the migration this batch proves"),
        Binding("f", "retry_failed", "Retry failed", id="compare.batch.retry_failed",
                tooltip="Send again only the rows that failed or got no answer; the others are kept"),
        Binding("x", "export", "Export", id="compare.batch.export",
                tooltip="Write the rows to JSONL and CSV in the data folder"),
        Binding("j", "cursor(1)", "Down", id="compare.batch.down", show=False, tooltip="Next row"),
        Binding("k", "cursor(-1)", "Up", id="compare.batch.up", show=False, tooltip="Previous row"),
    ]

    def __init__(self, left: str, right: str, params: Params, path: Path | None,
                 store: CompareStore, *, sample_n: int | None = None, seed: int = 0,
                 rounds: list[Round] | None = None, session_id: int | None = None,
                 profiles: tuple[str | None, str | None] = (None, None),
                 migration_id: str | None = None) -> None:
        super().__init__()
        self.profiles = profiles  # each side's profile; None: the app's own account
        self.migration_id = migration_id
        self.left, self.right, self.params = left, right, params
        self.path, self.store = path, store
        self.sample_n, self.seed = sample_n, seed
        self.examples: list[PromptExample] = []
        self.rounds: list[Round | None] = []
        self.session_id: int | None = None
        self.blind = False
        self.ties_policy: TiePolicy = "half"
        self._save_lock = asyncio.Lock()  # saves of the whole batch and of single marks in order
        self.rng = random.Random(seed)
        self.retrying: set[int] = set()  # rows being sent again, shown as such until they answer
        self.sdk_retries: dict[int, int] = {}  # row -> the SDK's own retry under way (429, 5xx), until it answers
        if rounds:  # a batch reopened from the history
            self.session_id = session_id
            self.rounds = list(rounds)
            self.examples = [_example_of(r, i) for i, r in enumerate(rounds)]
            self.blind = any(r.blind for r in rounds)

    BREADCRUMB = ("Compare", "batch")

    def compose(self) -> ComposeResult:
        yield self.status_header()
        yield Static("", id="batch-title")
        with Horizontal(id="batch-inputs"):
            yield Input(str(self.path or ""), placeholder="held-out .jsonl file", id="batch-file")
            yield Input("" if self.sample_n is None else str(self.sample_n), placeholder="N (all)",
                        id="batch-sample")
            yield Input(str(self.seed), placeholder="seed", id="batch-seed")
        with Horizontal(id="batch-progress-row"):
            yield ProgressBar(total=max(1, len(self.examples)), id="batch-progress", show_eta=False)
            yield Static("ready: ctrl+r runs", id="batch-status")
        yield BatchTable(batch_columns(*self._names()), self._cells, id="batch-table",
                         detail_id="batch-detail", detail_of=self._detail)
        yield RowDetail(id="batch-detail")  # the highlighted row's prompt and expected answer whole
        yield Static("", id="batch-score")
        yield KeyFooter()

    def on_mount(self) -> None:
        self._title()
        self._columns()
        self._score()
        done = sum(1 for r in self.rounds if r)
        self.query_one("#batch-progress", ProgressBar).update(progress=done)
        if self.examples:
            self.query_one("#batch-status", Static).update(
                f"{done}/{len(self.examples)} answered (from the history); ctrl+r runs again")
        self._table().focus()

    # Layout ------------------------------------------------------------------------
    def _table(self) -> BatchTable:
        return self.query_one("#batch-table", BatchTable)

    def _names(self) -> tuple[str, str]:
        return ("A", "B") if self.blind else ("left", "right")

    def _who(self, side: str) -> str:
        model, profile = (self.left, self.profiles[0]) if side == "left" else (self.right, self.profiles[1])
        return model + (f" @ {profile}" if profile else "")

    def _title(self) -> None:
        who = "A vs B (blind)" if self.blind else f"{self._who('left')} vs {self._who('right')}"
        self.query_one("#batch-title", Static).update(f"{who} · {self.params.describe()}")

    def _columns(self) -> None:
        table = self._table()
        table.set_items(range(len(self.examples)))
        names = self._names()
        if tuple(c.label for c in table.all_columns[-2:]) != names:
            table.set_columns(batch_columns(*names))

    def _cells(self, i: int) -> tuple:
        r = self.rounds[i] if i < len(self.rounds) else None
        retry = None
        if i in self.retrying or (i in self.sdk_retries and r is None):
            retry = self.sdk_retries.get(i, 0)
        return row_cells(self.examples[i], r, retry)

    def _detail(self, i: int) -> str:
        return row_detail(self.examples[i], self.rounds[i] if i < len(self.rounds) else None, self._names())

    def _refresh_row(self, i: int) -> None:
        self._table().update_item(i)

    def _score(self) -> None:
        rate = tally((r.judgement for r in self.rounds if r), ties_policy=self.ties_policy)
        judged = sum(1 for r in self.rounds if r and r.judgement)
        # "right" is the right-hand model (B in blind mode, whatever column it was shown in)
        text = f"{judged}/{len(self.examples)} judged · " + rate.describe("right" if not self.blind else "B")
        self.query_one("#batch-score", Static).update(text)

    # Running -----------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return any(w.group == "compare-batch" and w.is_running for w in self.workers)

    def action_run(self) -> None:
        if self.provider is None and not all(self.profiles):
            self.notify(no_account(self.app), severity="warning")
            return
        path = self.query_one("#batch-file", Input).value.strip()
        raw_n = self.query_one("#batch-sample", Input).value.strip()
        raw_seed = self.query_one("#batch-seed", Input).value.strip() or "0"
        try:
            n = int(raw_n) if raw_n else None
            seed = int(raw_seed)
            if n is not None and n < 1:
                raise ValueError
        except ValueError:
            self.notify("Sample N and seed must be whole numbers (N at least 1, blank for all).",
                        severity="error")
            return
        if not path:
            self.notify("Type the path of a held-out .jsonl file.", severity="warning")
            return
        self.sample_n, self.seed = n, seed
        self._run(Path(path), n, seed)

    @work(exclusive=True, group="compare-batch", exit_on_error=False, description="running the batch")
    async def _run(self, path: Path, n: int | None, seed: int) -> None:
        status = self.query_one("#batch-status", Static)
        bar = self.query_one("#batch-progress", ProgressBar)
        # Drawn by offset from the file's line index: only the sampled lines are read and parsed.
        try:
            self.examples, skipped = await read_sample(self.app, path, n, seed, status, bar)
        except CoreError as exc:
            status.update(f"⚠ {exc.summary()}")
            return
        if not self.examples:
            status.update(f"⚠ {path.name} has no prompts" + (f" ({skipped[0]})" if skipped else ""))
            return
        self.rounds = [None] * len(self.examples)
        self.rng = random.Random(seed)
        swaps = [shuffle(self.rng) for _ in self.examples]
        self._columns()
        self._score()
        bar.update(total=len(self.examples), progress=0)

        def progress(done: int, total: int) -> None:
            bar.update(total=total, progress=done)
            status.update(f"{done}/{total} answered")

        def on_round(i: int, r: Round) -> None:
            r.blind, r.swapped = self.blind, self.blind and swaps[i]
            self.rounds[i] = r
            self.sdk_retries.pop(i, None)
            self._refresh_row(i)

        def on_retry(i: int, attempt: int) -> None:
            self.sdk_retries[i] = attempt
            self._refresh_row(i)

        from ftui.tui.screens.sunset.profiles import pool_of

        pool = pool_of(self.app)
        try:
            left, right = await pool.provider(self.profiles[0]), await pool.provider(self.profiles[1])
        except CoreError as exc:
            status.update(f"⚠ {exc.summary()}")
            return
        try:
            await run_batch(left, self.examples, self.left, self.right, self.params,
                            concurrency=CONCURRENCY, progress=progress, on_round=on_round,
                            right_provider=right, on_retry=on_retry)
        finally:
            done = sum(1 for r in self.rounds if r)
            errors = sum(1 for r in self.rounds if r and ((r.left and r.left.error) or (r.right and r.right.error)))
            status.update(f"{done}/{len(self.examples)} answered"
                          + (f" · {errors} with errors" if errors else "")
                          + ("" if done == len(self.examples) else " · stopped")
                          + (" · f retries the failed rows" if errors or done < len(self.examples) else ""))
            self.refresh_bindings()
            self._save_all()

    @on(Worker.StateChanged)
    def _run_ended(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "compare-batch" and event.worker.is_finished:
            self.refresh_bindings()  # Retry failed is offered once a run is over

    def same_batch(self, left: str, right: str, params: Params,
                   profiles: tuple[str | None, str | None], migration_id: str | None) -> bool:
        """Whether Compare asking for this batch again means this very screen (kept open)."""
        return (left, right, params, tuple(profiles), migration_id) == (
            self.left, self.right, self.params, tuple(self.profiles), self.migration_id)

    def failed_rows(self) -> list[int]:
        """Rows with no answer yet (a stopped run) or an error on either side."""
        return [i for i in range(len(self.examples))
                if i >= len(self.rounds) or self.rounds[i] is None
                or (self.rounds[i].left and self.rounds[i].left.error)
                or (self.rounds[i].right and self.rounds[i].right.error)]

    def action_retry_failed(self) -> None:
        rows = self.failed_rows()
        if self.running or not rows:
            self.notify("No failed rows to retry." if not rows else "The batch is still running.", timeout=3)
            return
        self._retry(rows)

    @work(exclusive=True, group="compare-batch", exit_on_error=False, description="retrying the failed rows")
    async def _retry(self, rows: list[int]) -> None:
        from ftui.tui.screens.sunset.profiles import pool_of

        status = self.query_one("#batch-status", Static)
        bar = self.query_one("#batch-progress", ProgressBar)
        self.rounds += [None] * (len(self.examples) - len(self.rounds))
        self.retrying = set(rows)
        for i in rows:
            self._refresh_row(i)
        status.update(f"retrying {len(rows)} failed rows: 0/{len(rows)} answered")

        def progress(done: int, total: int) -> None:
            status.update(f"retrying {total} failed rows: {done}/{total} answered")

        def on_round(j: int, r: Round) -> None:
            i = rows[j]
            old = self.rounds[i]
            if old is not None:  # the same row of the history: replaced, not added
                r.id, r.blind, r.swapped = old.id, old.blind, old.swapped
            else:
                r.blind, r.swapped = self.blind, self.blind and shuffle(self.rng)
            self.rounds[i] = r
            self.retrying.discard(i)
            self.sdk_retries.pop(i, None)
            self._refresh_row(i)
            bar.update(progress=sum(1 for x in self.rounds if x))

        def on_retry(j: int, attempt: int) -> None:
            self.sdk_retries[rows[j]] = attempt
            self._refresh_row(rows[j])

        pool = pool_of(self.app)
        try:
            left, right = await pool.provider(self.profiles[0]), await pool.provider(self.profiles[1])
            await run_batch(left, [self.examples[i] for i in rows], self.left, self.right, self.params,
                            concurrency=CONCURRENCY, progress=progress, on_round=on_round,
                            right_provider=right, on_retry=on_retry)
        except CoreError as exc:
            status.update(f"⚠ {exc.summary()}")
        finally:
            stopped = sorted(self.retrying)
            self.retrying = set()
            for i in stopped:
                self._refresh_row(i)
            still = len(self.failed_rows())
            status.update(f"retried {len(rows)} rows · " + (f"{still} still failed (f tries again)" if still
                                                            else "every row answered"))
            self._score()
            self.refresh_bindings()
            self._save_all()

    @work(group="compare-batch-save", exit_on_error=False, description="saving the batch answers")
    async def _save_all(self) -> None:
        try:
            async with self._save_lock:
                if self.session_id is None:
                    self.session_id = await self.store.new_session(
                        f"batch {self.left} vs {self.right}", kind="batch")
                for r in self.rounds:
                    if r is not None:
                        await self.store.save_round(self.session_id, r)
        except CoreError as exc:
            self.notify(f"Not saved to the compare history: {exc.summary()}", severity="warning")

    def action_stop_or_back(self) -> None:
        if self.running:
            self.workers.cancel_group(self, "compare-batch")
            self.notify("Batch stopped; answered rows are kept.", timeout=3)
        else:
            self.dismiss(None)

    # Judging -----------------------------------------------------------------------
    def action_cursor(self, step: int) -> None:
        table = self._table()
        if table.row_count:
            table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + step)))

    def action_judge(self, position: Judgement) -> None:
        table = self._table()
        if not table.row_count:
            return
        i = table.cursor_row
        r = self.rounds[i] if i < len(self.rounds) else None
        if r is None:
            self.notify("This row has no answers yet.", severity="warning")
            return
        r.judgement = to_model_side(position, r.swapped)
        self._refresh_row(i)
        self._score()
        if self.session_id is not None:
            self._save_one(r)
        if i + 1 < table.row_count:
            table.move_cursor(row=i + 1)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a row: read it in full and judge it there."""
        from ftui.tui.screens.compare.batch_detail import RowDetail as WholeRow

        i = event.cursor_row
        r = self.rounds[i] if i < len(self.rounds) else None
        if r is None:
            return

        def marked(position: str | None) -> None:
            if position:
                self.action_judge(position)

        self.app.push_screen(WholeRow(r, self._names()), marked)

    @work(group="compare-batch-save", exit_on_error=False, description="saving the answer")
    async def _save_one(self, r: Round) -> None:
        try:
            async with self._save_lock:
                await self.store.save_round(self.session_id, r)
        except CoreError as exc:
            self.notify(f"Judgement not saved: {exc.summary()}", severity="warning")

    # The migration's verdict ---------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "verdict":
            return self.migration_id is not None
        if action == "retry_failed":
            return not self.running and bool(self.rounds) and bool(self.failed_rows())
        return True

    def action_verdict(self) -> None:
        rate = tally((r.judgement for r in self.rounds if r), ties_policy=self.ties_policy)
        if self.migration_id is None or rate.rate is None:
            self.notify("Judge some rows first (the verdict is the new model's win rate).",
                        severity="warning")
            return
        verdict = {"win_rate": rate.rate, "ci": [rate.low, rate.high], "n": rate.n, "wins": rate.wins,
                   "losses": rate.losses, "ties": rate.ties, "ties_policy": rate.ties_policy,
                   "old": self._who("left"), "new": self._who("right"),
                   "file": self.query_one("#batch-file", Input).value.strip(),
                   "compare_session": self.session_id, "summary": rate.describe("the new model")}
        self._save_verdict(self.migration_id, verdict)

    @work(group="compare-verdict", exit_on_error=False, description="saving the migration's verdict")
    async def _save_verdict(self, migration_id: str, verdict: dict) -> None:
        from ftui.core.migrate.records import save_verdict

        try:
            await asyncio.to_thread(save_verdict, migration_id, verdict)
        except CoreError as exc:
            self.notify(f"Verdict not saved: {exc.summary()}", severity="error")
            return
        self.notify(f"Saved with {migration_id}: {verdict['summary']}", timeout=6)

    def action_ties(self) -> None:
        self.ties_policy = "exclude" if self.ties_policy == "half" else "half"
        self._score()

    def action_blind(self) -> None:
        if self.running:
            return
        self.blind = not self.blind
        # New shuffles, so rows judged before keep their models but the view is fresh.
        for r in self.rounds:
            if r is not None and not r.judgement:
                r.blind, r.swapped = self.blind, self.blind and shuffle(self.rng)
        self._title()
        self._columns()
        self._score()

    # Export and sweep ------------------------------------------------------------------
    def action_export(self) -> None:
        rounds = [r for r in self.rounds if r]
        if not rounds:
            self.notify("Nothing to export yet.", severity="warning")
            return
        from ftui.tui.screens.dialogs.save_path import SavePathScreen

        def chosen(dest: Path | None) -> None:
            if dest is not None:
                self._export(rounds, dest)

        default = data_dir() / "exports" / f"batch-{self.session_id or 'unsaved'}.jsonl"
        self.app.push_screen(SavePathScreen("Export the batch", default, suffixes=(".jsonl",),
                                            note="A .csv with one row per prompt is written beside it."),
                             chosen)

    @work(group="compare-export", exit_on_error=False, description="exporting the batch")
    async def _export(self, rounds: list[Round], dest: Path) -> None:
        try:
            # the CSV first: if its name is taken, nothing is written at all
            b = await export_rounds(rounds, dest.with_suffix(".csv"))
            a = await export_rounds(rounds, dest)
        except CoreError as exc:
            self.notify(exc.summary(), severity="error")
            return
        self.notify(f"Exported {len(rounds)} rows to {a} and {b.name}.", timeout=6)

    def action_sweep(self) -> None:
        from ftui.tui.screens.compare.sweep import SweepScreen

        path = self.query_one("#batch-file", Input).value.strip()

        def picked(model: str | None) -> None:
            if model:
                self.right = model
                self._title()
                self.notify(f"Right model is now {model}; ctrl+r runs the batch with it.")

        self.app.push_screen(SweepScreen(self.right, Path(path) if path else None, self.params,
                                         sample_n=self.sample_n, seed=self.seed, store=self.store),
                             picked)
