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
from ftui.core.provider import capabilities_of
from ftui.tui.screens.data.forms import DEFAULT_MODEL, ModelScreen
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
        if result.report.model != self.model:
            return  # counted for a model since replaced: the run for the new one is under way
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
        from ftui.core.model_choice import token_note

        r = result.report
        panel.show_summary(examples=r.examples, errors=len(r.errors), warnings=len(r.warnings),
                           stats=result.stats, cost=result.cost, model=r.model,
                           cost_model=capabilities_of(self.provider).training_cost, token_note=token_note(r.model))

    # -- the model tokens and cost are counted for --------------------------------------------------
    def use_model(self, model: str) -> None:
        """The model chosen for this dataset (remembered, or picked with `m`): kept from now on."""
        self.model = model
        self.model_chosen = True

    def follow_provider(self) -> None:
        """Read the account's fine-tunable models once per provider (the account may connect later)."""
        provider = self.provider
        if provider is not None and provider is not self._models_for:
            self._models_for = provider
            self.offered_models, self.models_note = None, ""
            self._load_models(provider)

    @work(exclusive=True, group="data-models", exit_on_error=False,
          description="listing the account's fine-tunable models")
    async def _load_models(self, provider) -> None:
        from ftui.core.model_choice import fine_tunable_base_models

        try:
            models = await fine_tunable_base_models(provider)
        except CoreError as err:  # `m` keeps offering the built-in list, and says why
            self.models_note = f"Could not list the account's models ({err.summary()}); OpenAI's list instead."
            return
        if provider is not self.provider:
            return
        self.offered_models = models
        self.models_note = "" if models else "The account lists no fine-tunable model; OpenAI's list instead."
        self._follow_offered_models()

    def _follow_offered_models(self) -> None:
        """Count for the provider's first model when the built-in default is not one of its own."""
        from ftui.core.model_choice import default_model

        if self.model_chosen:
            return
        wanted = default_model(DEFAULT_MODEL, self.offered_models or [])
        if wanted != self.model:
            self.model = wanted
            if self.reader is not None:
                self.action_validate()

    def action_model(self) -> None:
        def chosen(model: str | None) -> None:
            if model and model != self.model:
                self.use_model(model)
                self.action_validate()
                if self.path is not None and not self.read_only:
                    self._remember_model(self.path, model)

        note = self.models_note
        if self.provider is not None and self.offered_models is None and not note:
            note = "Still reading the account's models; OpenAI's list for now."
        self.app.push_screen(ModelScreen(self.model, self.offered_models, note), chosen)

    @work(thread=True, group="data-model", exit_on_error=False, description="remembering the model")
    def _remember_model(self, path: Path, model: str) -> None:
        from ftui.core.chosen_models import remember_model

        remember_model(path, model)  # the next start counts this dataset for the same model
