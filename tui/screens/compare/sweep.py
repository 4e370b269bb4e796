"""Checkpoint sweep: the job's base model, each checkpoint and the final model on the same
prompts, scored by similarity to the expected answers, so the best one can be picked."""

from __future__ import annotations

from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Input, ProgressBar, Static

from ftui.core.compare.batch import SweepScore, best, sweep_checkpoints
from ftui.core.compare.models import job_of_model
from ftui.core.compare.params import Params
from ftui.core.compare.store import CompareStore
from ftui.core.compare.sweep_history import sweep_to_rounds
from ftui.core.errors import CoreError
from ftui.tui.screens.base import FtuiScreen
from ftui.tui.screens.compare.examples import read_sample
from ftui.widgets.key_footer import KeyFooter
from ftui.widgets.keyed_table import Column, KeyedTable, RowDetail

# The label (base, step N, final) says which model a row is; the name keeps its distinguishing
# end when cut, and the detail line under the table has it whole.
SWEEP_COLUMNS = (Column("model", 9, priority=9), Column("similarity", 10, priority=8),
                 Column("beats base", 10, priority=7), Column("answered", 8, priority=5),
                 Column("errors", 6, priority=6), Column("name", 16, priority=4, keep_end=True))


class SweepTable(KeyedTable[SweepScore]):
    """One row per model of the sweep, keyed by the model's name; ★ marks the best."""

    COLUMNS = SWEEP_COLUMNS

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.prompts = 0
        self.top: SweepScore | None = None

    @staticmethod
    def key_of(item: SweepScore) -> str:
        return item.model

    def row_of(self, s: SweepScore) -> tuple:
        star = "★ " if s is self.top else ""
        return (f"{star}{s.label}", f"{s.mean_similarity:.3f}",
                "" if s.label == "base" else f"{s.beats_base}/{self.prompts}", str(s.answered), str(s.errors),
                s.model)

    def detail(self, s: SweepScore) -> str:
        beats = "" if s.label == "base" else f" · beats base on {s.beats_base}/{self.prompts}"
        return (f"{s.label}: {s.model} · similarity {s.mean_similarity:.3f}{beats} · "
                f"{s.answered} answered, {s.errors} errors")


class SweepScreen(FtuiScreen[str | None]):
    CSS_PATH = "batch.tcss"
    BINDINGS = [
        Binding("ctrl+r,f5", "run", "Run", id="compare.sweep.run",
                tooltip="Ask every checkpoint the same prompts and score the answers"),
        Binding("enter", "pick", "Use model", id="compare.sweep.pick",
                tooltip="Use the highlighted checkpoint as the right model"),
        Binding("escape", "stop_or_back", "Stop/Back", id="compare.sweep.back",
                tooltip="Stop a running sweep; otherwise go back"),
    ]

    def __init__(self, model: str, path: Path | None, params: Params, *,
                 sample_n: int | None = None, seed: int = 0, job_id: str | None = None,
                 store: CompareStore | None = None, scores: list[SweepScore] | None = None,
                 session_id: int | None = None) -> None:
        """`scores` and `session_id` reopen a sweep from the history; `store` keeps new ones."""
        super().__init__()
        self.model, self.path, self.params = model, path, params
        self.sample_n, self.seed, self.job_id = sample_n, seed, job_id
        self.store, self.session_id = store, session_id
        self.scores: list[SweepScore] = scores or []

    BREADCRUMB = ("Compare", "checkpoint sweep")

    def compose(self) -> ComposeResult:
        yield self.status_header()
        yield Static("Score: word similarity to the expected answers (0-1); enter uses a row's model",
                     id="batch-title")  # whole at 80 columns
        with Horizontal(id="batch-inputs"):
            yield Input(self.job_id or "", placeholder="job id (ftjob-…)", id="sweep-job")
            yield Input(str(self.path or ""), placeholder="held-out .jsonl file", id="batch-file")
            yield Input("" if self.sample_n is None else str(self.sample_n),
                        placeholder="N (all)", id="batch-sample")
        with Horizontal(id="batch-progress-row"):
            yield ProgressBar(total=1, id="batch-progress", show_eta=False)
            yield Static("", id="batch-status")
        yield SweepTable(id="sweep-table", detail_id="sweep-detail")
        yield RowDetail(id="sweep-detail")
        yield Static("", id="batch-score")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one(SweepTable)
        table.focus()
        if self.scores:
            self._show_scores(len(self.scores[0].answers))
        if not self.job_id:
            self._find_job()  # a reopened sweep can be run again on the same job

    @work(exclusive=True, group="compare-sweep-job", exit_on_error=False, description="finding the sweep job")
    async def _find_job(self) -> None:
        status = self.query_one("#batch-status", Static)
        provider = self.provider
        if provider is None:
            return
        try:
            job = await job_of_model(provider, self.model)
        except CoreError as exc:
            status.update(f"⚠ {exc.summary()}")
            return
        if job is None:
            status.update(f"no succeeded job made {self.model}; type a job id")
            return
        self.job_id = job.id
        self.query_one("#sweep-job", Input).value = job.id
        status.update(f"job {job.id} ({job.model}); ctrl+r runs")

    def action_run(self) -> None:
        job = self.query_one("#sweep-job", Input).value.strip()
        path = self.query_one("#batch-file", Input).value.strip()
        raw_n = self.query_one("#batch-sample", Input).value.strip()
        if not job or not path:
            self.notify("Type a job id and a held-out file.", severity="warning")
            return
        try:
            n = int(raw_n) if raw_n else None
        except ValueError:
            self.notify("Sample N must be a whole number (blank for all).", severity="error")
            return
        self._run(job, Path(path), n)

    @work(exclusive=True, group="compare-sweep", exit_on_error=False, description="running the checkpoint sweep")
    async def _run(self, job_id: str, path: Path, n: int | None) -> None:
        status = self.query_one("#batch-status", Static)
        bar = self.query_one("#batch-progress", ProgressBar)

        def progress(done: int, total: int) -> None:
            bar.update(total=total, progress=done)
            status.update(f"{done}/{total} answers")

        try:
            examples, _ = await read_sample(self.app, path, n, self.seed, status, bar)
            self.scores = await sweep_checkpoints(self.app.provider, job_id, examples, self.params,
                                                  progress=progress)
        except CoreError as exc:
            status.update(f"⚠ {exc.summary()}")
            return
        self._show_scores(len(examples))
        if self.store is not None:
            top = best(self.scores)
            title = f"sweep {job_id}" + (f": best {top.label}" if top else "")
            try:
                self.session_id = await self.store.new_session(title, kind="sweep")
                for r in sweep_to_rounds(self.scores, examples, self.params):
                    await self.store.save_round(self.session_id, r)
            except CoreError as exc:
                status.update(f"⚠ not saved to the history: {exc.summary()}")
                return
            status.update(f"{len(examples) * len(self.scores)} answers · saved to the history "
                          f"as session {self.session_id} (F8 in Compare)")

    def _show_scores(self, prompts: int) -> None:
        top = best(self.scores)
        table = self.query_one(SweepTable)
        table.prompts, table.top = prompts, top
        table.set_items(self.scores)
        if top:
            kept = f" · session {self.session_id} of the history" if self.session_id else ""
            self.query_one("#batch-score", Static).update(
                f"best: {top.label} ({top.mean_similarity:.3f}) on {prompts} prompts{kept}")
            table.move_cursor(row=self.scores.index(top))

    def action_pick(self) -> None:
        chosen = self.query_one(SweepTable).current
        if chosen is not None:
            self.dismiss(chosen.model)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_pick()

    def action_stop_or_back(self) -> None:
        if any(w.group == "compare-sweep" and w.is_running for w in self.workers):
            self.workers.cancel_group(self, "compare-sweep")
        else:
            self.dismiss(None)
