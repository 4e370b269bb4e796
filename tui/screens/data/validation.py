"""The Data screen's validation: a streaming worker, progress, the problem list and the summary.

A mixin of DataScreen (it uses the screen's widgets and state); kept apart to keep files small.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import work
from textual.widgets import Label, ProgressBar
from textual.worker import get_current_worker

from ftui.core.errors import CoreError
from ftui.tui.screens.data.forms import ModelScreen
from ftui.widgets.token_stats import TokenStatsPanel


class DataValidation:
    def problem_list(self):
        """The ProblemList (looked up by id: its module is imported with the screen's body)."""
        return self.query_one("#data-problems")

    # -- validation -----------------------------------------------------------------------------
    def action_validate(self) -> None:
        if self.path is None or self.reader is None:
            return
        self.validating = True
        self.problems, self.problem_lines = [], []
        self.problem_list().clear_problems()
        self.show_problem_detail()
        self.query_one("#data-progress-row").display = True
        self.query_one("#data-progress-label", Label).update("validating ")
        self.query_one("#data-progress", ProgressBar).update(total=max(1, self.reader.size), progress=0)
        self._show_summary(None, running=True)
        self._validate(self.path, self.model)

    @work(thread=True, exclusive=True, group="data-validate", exit_on_error=False,
          description="validating the dataset")
    def _validate(self, path: Path, model: str) -> None:
        from ftui.tui.screens.data.checks import run_validation

        worker = get_current_worker()
        found: list[Any] = []
        last = [0.0]

        def progress(done: int, total: int) -> None:
            now = time.monotonic()
            if now - last[0] >= 0.1 and not worker.is_cancelled:  # at most ~10 updates a second
                last[0] = now
                batch = found[:]
                found.clear()
                self.app.call_from_thread(self._validation_progress, done, total, batch)

        def problem(p) -> None:
            found.append(p)

        try:
            result = run_validation(path, model, progress=progress, on_problem=problem,
                                    cancelled=lambda: worker.is_cancelled)
        except CoreError as err:
            self.app.call_from_thread(self._validation_failed, err.summary())
            return
        except Exception as err:  # not left "validating" forever; the app's handler reports it too
            self.app.call_from_thread(self._validation_failed, f"{type(err).__name__}: {err}")
            raise
        if result is not None and not worker.is_cancelled:
            self.app.call_from_thread(self._validated, result, found[:])

    def _validation_progress(self, done: int, total: int, batch: list[Any]) -> None:
        self.query_one("#data-progress", ProgressBar).update(total=max(1, total), progress=done)
        self._add_problems(batch)

    def _add_problems(self, batch: list[Any]) -> None:
        known = {(p.line, p.code, p.message) for p in self.problems} if batch else set()
        fresh = [p for p in batch if (p.line, p.code, p.message) not in known]
        if not fresh:
            return
        self.problems.extend(fresh)
        self.problem_lines = sorted({p.line for p in self.problems if p.line})
        self.problem_list().add_problems(fresh)
        self.show_problem_detail()

    def _validation_failed(self, why: str) -> None:
        self.validating = False
        self.query_one("#data-progress-row").display = False
        self.query_one(TokenStatsPanel).show(Text(f"✗ validation stopped: {why}", style="red"))

    def _validated(self, result, batch: list[Any]) -> None:
        self.validating = False
        self.report = result.report
        # The final report is the truth, in line order (streamed problems came in finding order).
        self.problems = []
        self.problem_list().clear_problems()
        self._add_problems(result.report.problems)
        self.show_problem_detail()
        self.query_one("#data-progress-row").display = False
        self._show_summary(result)
        if self.line:
            self.show_line(self.line)  # redraw with this line's problems

    def _show_summary(self, result, running: bool = False) -> None:
        panel = self.query_one(TokenStatsPanel)
        if result is None:
            panel.show_summary(examples=0, errors=0, warnings=0, running=running, model=self.model)
            return
        r = result.report
        panel.show_summary(examples=r.examples, errors=len(r.errors), warnings=len(r.warnings),
                           stats=result.stats, cost=result.cost, model=self.model)

    def action_model(self) -> None:
        def chosen(model: str | None) -> None:
            if model and model != self.model:
                self.model = model
                self.action_validate()

        self.app.push_screen(ModelScreen(self.model), chosen)
