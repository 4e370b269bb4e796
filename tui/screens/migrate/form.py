"""The migration form: re-run a job (or the job behind a fine-tuned model) on another profile.

Pick the target profile and base model (ftui suggests one and says why), read the mapped
hyperparameters beside the original ones and what cannot be carried over, see where the data
comes from (the recorded local copy, the provider's content, or a path you give, checked to be the
same file), launch on the target, and once it has trained, compare the old model with the new."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widgets import DataTable, Input, Select, Static

from ftui.core.errors import CoreError
from ftui.core.migrate.plan import MigrationPlan, launch_migration, plan_migration
from ftui.core.types import Job
from ftui.tui.screens.base import FtuiScreen
from ftui.tui.screens.dialogs.confirm import confirm
from ftui.tui.screens.sunset.profiles import pool_of
from ftui.tui.shell.messages import CompareModels
from ftui.widgets.key_footer import KeyFooter
from ftui.widgets.path_input import PathSuggester

ROLES = ("training", "validation")
POLL_SECONDS = 1.0  # how often the launched job is read until it finishes


def open_migration(app, source_profile: str, job_or_model: str) -> None:
    """The one way in (Jobs, Models, the radar): the form for this job or fine-tuned model."""
    app.push_screen(MigrationScreen(source_profile, job_or_model))


def shown(value: Any) -> str:
    return "—" if value is None else str(value)


class MigrationScreen(FtuiScreen[None]):
    CSS_PATH = "migrate.tcss"
    BINDINGS = [
        Binding("ctrl+r,f5", "launch", "Launch", id="migrate.launch",
                tooltip="Upload the data to the target and create the job there"),
        Binding("c", "compare", "Compare", id="migrate.compare",
                tooltip="Old model on the source beside the new one on the target"),
        Binding("escape", "back", "Back", id="migrate.back", tooltip="Leave the form (nothing launched)"),
    ]

    # The job launched on the target, as last read: Launch goes once there is one, Compare
    # comes once it has trained a model (check_action).
    launched: reactive[Job | None] = reactive(None, bindings=True)

    def __init__(self, source_profile: str, job_or_model: str, *, plan: MigrationPlan | None = None,
                 targets: list[str] | None = None) -> None:
        super().__init__()
        self.source_profile = source_profile
        self.job_or_model = job_or_model
        self.plan = plan
        self.targets = targets  # None: the app's profiles other than the source
        self.target_profile: str | None = plan.target_profile if plan else None
        self.target_model: str | None = None  # only when the user picked one
        self.user_paths: dict[str, str] = {}
        self.errors: dict[str, str] = {}  # role -> why the given file was refused
        self.record: dict | None = None
        self._given = plan is not None  # shown as given (snapshots), not planned

    # Layout ------------------------------------------------------------------------
    BREADCRUMB = ("Migrate",)

    def compose(self) -> ComposeResult:
        yield self.status_header()
        yield Static(f"{self.source_profile}: {self.job_or_model}", id="mig-source")
        with Horizontal(id="mig-target-row"):
            yield Static("to", classes="mig-label")
            yield Select([], prompt="target profile", id="mig-target", compact=True, allow_blank=True)
            yield Select([], prompt="base model", id="mig-model", compact=True, allow_blank=True)
        yield Static("", id="mig-suggestion")
        yield DataTable(id="mig-hp", cursor_type="row", show_cursor=False)
        yield Static("", id="mig-lost")
        for role in ROLES:
            yield Static("", id=f"mig-{role}", classes="mig-file")
            path = Input(placeholder=f"path of the {role} file the job used (→ completes)",
                         id=f"mig-{role}-path", compact=True, suggester=PathSuggester())
            path.display = False
            yield path
            error = Static("", id=f"mig-{role}-error", classes="mig-error")
            error.display = False
            yield error
        yield Static("", id="mig-status")
        yield KeyFooter()

    def on_mount(self) -> None:
        targets = self.targets if self.targets is not None else \
            [n for n in pool_of(self.app).names() if n != self.source_profile]
        self.targets = targets
        select = self.query_one("#mig-target", Select)
        select.set_options([(n, n) for n in targets])
        if self.target_profile is None and targets:
            self.target_profile = targets[0]
        if self.target_profile in targets:
            select.value = self.target_profile
        if self._given:
            self._show()
        elif not targets:
            self._status("No other profile to move to: add one to the config file (e.g. kind = "
                         '"local" or "together").', error=True)
        else:
            self._replan()

    # Planning ----------------------------------------------------------------------
    def _replan(self, checking: str | None = None) -> None:
        self._status("reading the job and the target…")
        self._plan(checking)

    @work(exclusive=True, group="migrate-plan", exit_on_error=False, description="planning the migration")
    async def _plan(self, checking: str | None) -> None:
        pool = pool_of(self.app)
        try:
            source = await pool.provider(self.source_profile)
            target = await pool.provider(self.target_profile)
            plan = await plan_migration(source, self.source_profile, self.job_or_model, target,
                                        self.target_profile, target_model=self.target_model,
                                        user_paths=dict(self.user_paths))
        except CoreError as exc:
            if checking is not None:  # the file just given is not the job's: say so under it
                self.user_paths.pop(checking, None)
                self.errors[checking] = exc.summary()
                self._show_files()
                self._status(f"the {checking} file was refused; nothing was launched", error=True)
            else:
                self._status(exc.summary(), error=True)
            return
        if checking is not None:
            self.errors.pop(checking, None)
        self.plan = plan
        self._show()

    # Showing -----------------------------------------------------------------------
    def on_resize(self, _event) -> None:
        if self.plan is not None:
            self._show_hyperparameters()  # the note column takes the width there is

    def _show_hyperparameters(self) -> None:
        """The hyperparameters side by side; the note takes the room the values leave and wraps
        there (a row grows), so it reads whole at 80 columns with no sideways scrolling."""
        rows = []
        for r in self.plan.rows:
            if r.target_name is None:
                target = Text("not carried", style="red")
            elif r.target_name != r.source_name:  # renamed on the target: say under which name
                target = Text(f"{r.target_name}={shown(r.target_value)}")
            else:
                target = Text(shown(r.target_value))
            rows.append((Text(r.label), Text(shown(r.source_value)), target, Text(r.note, style="dim")))
        labels = ("", "on the source", "on the target")
        widths = [max([len(label)] + [row[i].cell_len for row in rows]) for i, label in enumerate(labels)]
        table = self.query_one("#mig-hp", DataTable)
        room = (self.size.width or self.app.size.width) - 2 - 2 * table.cell_padding * 4  # margin, padding
        note_width = max(16, room - sum(widths))
        table.clear(columns=True)
        for key, label, width in zip(("label", "source", "target"), labels, widths):
            table.add_column(label, key=key, width=width)
        table.add_column("note", key="note", width=note_width)
        for row in rows:
            table.add_row(*row, height=None)

    def _status(self, text: str, *, error: bool = False) -> None:
        self.query_one("#mig-status", Static).update(Text(text, style="bold red" if error else ""))

    def _show(self) -> None:
        plan = self.plan
        if plan is None:
            return
        job = plan.source_job
        self.query_one("#mig-source", Static).update(Text(
            f"from {plan.source_profile}: {job.fine_tuned_model or job.model} ({job.id})", no_wrap=True,
            overflow="ellipsis"))
        models = self.query_one("#mig-model", Select)
        choices = list(plan.candidates) or ([plan.target_model] if plan.target_model else [])
        models.set_options([(m, m) for m in choices])
        if plan.target_model in choices:
            models.value = plan.target_model
        s = plan.suggestion
        mark = "suggested" if s.model and s.model == plan.target_model else "suggestion"
        self.query_one("#mig-suggestion", Static).update(
            f"{mark}: {s.model or 'none'} — {s.reason}")
        self._show_hyperparameters()
        lost = "; ".join(plan.not_carried) if plan.not_carried else "everything above is carried over"
        self.query_one("#mig-lost", Static).update(Text(f"not carried: {lost}" if plan.not_carried else lost,
                                                        style="yellow" if plan.not_carried else "dim"))
        self._show_files()
        if self.launched is None:
            waiting = [f"the {f.role} file (give its path above)" for f in (plan.training, plan.validation)
                       if f is not None and not f.ready]
            if plan.target_model is None:
                waiting.insert(0, "a target base model")
            if waiting:
                self._status("waiting for " + " and ".join(waiting))
            else:
                self._status(f"ready: ctrl+r launches on {plan.target_profile} ({plan.target_model})")

    def _show_files(self) -> None:
        plan = self.plan
        for role in ROLES:
            line = self.query_one(f"#mig-{role}", Static)
            path = self.query_one(f"#mig-{role}-path", Input)
            error = self.query_one(f"#mig-{role}-error", Static)
            resolved = None if plan is None else (plan.training if role == "training" else plan.validation)
            if resolved is None:
                line.update(Text(f"{role}: none" if plan and role == "validation" else "", style="dim"))
                asks = False
            elif resolved.ready:
                line.update(f"{role} {resolved.file_id}: {resolved.path}\n  {resolved.how}")
                asks = False
            else:
                line.update(Text(f"{role} {resolved.file_id}: {resolved.needs_user}", style="yellow"))
                asks = True
            asks = asks or role in self.errors
            path.display = asks
            error.display = role in self.errors
            error.update(Text("⚠ " + self.errors.get(role, ""), style="bold red"))

    @on(Input.Submitted, "#mig-training-path, #mig-validation-path")
    def _path_given(self, event: Input.Submitted) -> None:
        role = (event.input.id or "").removeprefix("mig-").removesuffix("-path")
        if role not in ROLES or not event.value.strip():
            return
        self.user_paths[role] = event.value.strip()
        self._replan(checking=role)

    @on(Select.Changed, "#mig-target")
    def _target_picked(self, event: Select.Changed) -> None:
        if event.value is Select.BLANK or event.value == self.target_profile:
            return
        self.target_profile = str(event.value)
        self.target_model = None  # the new target's own suggestion
        self._replan()

    @on(Select.Changed, "#mig-model")
    def _model_picked(self, event: Select.Changed) -> None:
        if event.value is Select.BLANK or self.plan is None or event.value == self.plan.target_model:
            return
        self.target_model = str(event.value)
        self._replan()

    # Launching -----------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "launch":
            return self.launched is None
        if action == "compare":
            return bool(self.launched and self.launched.fine_tuned_model)
        return True

    def action_launch(self) -> None:
        plan = self.plan
        if plan is None:
            self.notify("The plan is not ready yet.", severity="warning")
            return
        if not plan.ready:
            self.notify("Cannot launch yet: " + "; ".join(plan.waiting_for()), severity="warning")
            return
        self._launch(plan)

    @work(exclusive=True, group="migrate-launch", exit_on_error=False, description="launching the migration")
    async def _launch(self, plan: MigrationPlan) -> None:
        if not await confirm(self, f"Launch on {plan.target_profile}?",
                             f"Uploads the data and creates a {plan.target_model} job on "
                             f"{plan.target_profile} (it may be billed there).", yes="Launch", no="Not now"):
            return
        target = await pool_of(self.app).provider(plan.target_profile)
        self._status(f"uploading to {plan.target_profile}…")
        try:
            job, record = await launch_migration(plan, target)
        except CoreError as exc:
            self._status(f"not launched: {exc.summary()}", error=True)
            return
        self.launched, self.record = job, record
        self._status(f"launched {job.id} on {plan.target_profile}: {job.status}…")
        await self._follow(target, job)

    async def _follow(self, target, job: Job) -> None:
        """Read the job until it ends; a trained model opens the comparison."""
        while not job.finished:
            await asyncio.sleep(POLL_SECONDS)
            try:
                job = await target.retrieve_job(job.id)
            except CoreError as exc:
                self._status(f"{job.id}: cannot read it now ({exc.summary()}); retrying…", error=True)
                continue
            self._status(f"{job.id} on {self.plan.target_profile}: {job.status}…")
        self.launched = job
        if not job.fine_tuned_model:
            reason = f" ({job.error.message})" if job.error else ""
            self._status(f"{job.id} {job.status}{reason}: nothing to compare", error=True)
            return
        self._status(f"{job.id} trained {job.fine_tuned_model}; c compares it with the old model")
        self.action_compare()

    def action_compare(self) -> None:
        plan, job = self.plan, self.launched
        if plan is None or job is None or not job.fine_tuned_model:
            return
        old = plan.source_job.fine_tuned_model or plan.source_job.model
        self.post_message(CompareModels(old, job.fine_tuned_model,
                                        profiles=(plan.source_profile, plan.target_profile),
                                        migration_id=plan.id, batch_path=self.held_out()))

    def held_out(self) -> Path | None:
        """The job's validation file, for the batch comparison (prompts it was not trained on)."""
        v = self.plan.validation if self.plan else None
        return Path(v.path) if v is not None and v.path else None

    def action_back(self) -> None:
        self.dismiss(None)
