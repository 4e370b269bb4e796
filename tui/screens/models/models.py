"""The Models section: the account's fine-tuned models, the job that made each, compare, delete."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from textual import on, work
from textual.binding import Binding
from textual.widgets import DataTable, Static

from ftui.core.catalog import base_model
from ftui.core.errors import CoreError
from ftui.core.types import ModelInfo
from ftui.tui.screens.base import SectionScreen
from ftui.tui.screens.dialogs.confirm import TypedConfirmScreen
from ftui.tui.screens.models.export import ExportChoice, ExportScreen
from ftui.widgets.job_table import KeyTable

NO_ACCOUNT = ("No account connected: set OPENAI_API_KEY and restart, or restart with "
              "`ftui --sandbox` to try the simulated server.")
JOB_PAGES = 5  # how far back to look for the jobs that made the models


class ModelsScreen(SectionScreen):
    SECTION = "Models"
    CSS_PATH = "models.tcss"

    BINDINGS = [
        Binding("enter,c", "compare", "Compare", id="models.compare",
                tooltip="Ask this model and its base model side by side"),
        Binding("o", "open_job", "Job", id="models.open_job", tooltip="Open the job that made this model"),
        Binding("d,delete", "delete", "Delete", id="models.delete",
                tooltip="Delete this fine-tuned model (asks you to type its name)"),
        Binding("r", "refresh", "Refresh", id="models.refresh", tooltip="Reload the list"),
        Binding("e", "export", "Export", id="models.export",
                tooltip="Write this local model to a folder: its adapter, or merged into a standalone model"),
        Binding("m", "migrate", "Migrate", id="models.migrate",
                tooltip="Re-run the job behind this model on another profile"),
    ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.models: dict[str, ModelInfo] = {}
        self.job_of: dict[str, str] = {}  # fine-tuned model id -> job id

    def compose_body(self):
        yield Static("", id="models-state")
        yield KeyTable(id="models-table")
        yield Static("", id="models-message")

    def on_mount(self) -> None:
        table = self.query_one("#models-table", DataTable)
        for name in ("Fine-tuned model", "Base", "Created", "Job", "Shutdown"):
            table.add_column(name, key=name)
        if self.provider is None:
            self.query_one("#models-state", Static).update(NO_ACCOUNT)
            return
        self.load_models()

    def on_screen_resume(self) -> None:
        if self.provider is not None and self.is_mounted:
            self.load_models()

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action in ("compare", "delete", "open_job", "migrate"):
            return bool(self.models)
        if action == "export":  # only an engine running inside ftui can write its models here
            return bool(self.models) and getattr(getattr(self.app, "session", None), "can_export", False)
        return True

    def say(self, text: str) -> None:
        self.query_one("#models-message", Static).update(text)

    @work(exclusive=True, group="models-list", exit_on_error=False, description="loading the models list")
    async def load_models(self) -> None:
        provider = self.provider
        state = self.query_one("#models-state", Static)
        try:
            models = [m for m in await provider.list_models() if m.id.startswith("ft:")]
        except CoreError as exc:
            state.update(f"Could not load models: {exc.summary()}")
            return
        try:
            await self._match_jobs(provider)
        except CoreError as exc:
            self.say(f"Jobs could not be listed, so the Job column is empty: {exc.summary()}")
        models.sort(key=lambda m: m.created, reverse=True)
        table = self.query_one("#models-table", DataTable)
        keep = table.cursor_row
        table.clear()
        self.models = {m.id: m for m in models}
        for m in models:
            created = time.strftime("%Y-%m-%d %H:%M", time.localtime(m.created)) if m.created else "-"
            table.add_row(m.id, base_model(m.id), created, self.job_of.get(m.id, "-"),
                          m.shutdown_date or "-", key=m.id)
        if table.row_count:
            table.move_cursor(row=min(keep, table.row_count - 1))
        self.refresh_bindings()
        count = len(models)
        state.update(f"{count} fine-tuned model{'s' if count != 1 else ''}" if count else
                     "No fine-tuned models yet: they appear here when a job succeeds.")

    async def _match_jobs(self, provider) -> None:
        after = None
        for _ in range(JOB_PAGES):
            page = await provider.list_jobs(after=after, limit=100)
            for job in page.items:
                if job.fine_tuned_model:
                    self.job_of[job.fine_tuned_model] = job.id
            if not page.has_more:
                return
            after = page.last_id

    @property
    def current_model(self) -> ModelInfo | None:
        table = self.query_one("#models-table", DataTable)
        if not table.row_count:
            return None
        return self.models.get(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    @on(DataTable.RowSelected, "#models-table")
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_compare()

    def action_compare(self) -> None:
        model = self.current_model
        if model is None:
            self.say("No model selected.")
            return
        self.app.compare_models(base_model(model.id), model.id)

    def action_open_job(self) -> None:
        model = self.current_model
        job_id = self.job_of.get(model.id) if model else None
        if job_id is None:
            self.say("The job that made this model is not among the recent jobs.")
            return
        self.app.open_job(job_id)

    def action_migrate(self) -> None:
        from ftui.tui.screens.migrate.form import open_migration

        model = self.current_model
        if model is None:
            self.say("No model selected.")
            return
        open_migration(self.app, self.app.profile_label, self.job_of.get(model.id) or model.id)

    def action_refresh(self) -> None:
        self.load_models()

    def action_delete(self) -> None:
        model = self.current_model
        if model is None:
            self.say("No model selected.")
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.delete(model)
            else:
                self.say("Nothing was deleted.")

        self.app.push_screen(TypedConfirmScreen(
            "Delete fine-tuned model?",
            "This cannot be undone: apps using it will stop working. Type the model's full name:",
            model.id), answered)

    @work(exclusive=True, group="models-delete", exit_on_error=False, description="deleting the model")
    async def delete(self, model: ModelInfo) -> None:
        try:
            await self.provider.delete_model(model.id)
        except CoreError as exc:
            self.say(f"[red]Could not delete {model.id}: {exc.summary()}[/]")
            return
        self.models.pop(model.id, None)
        self.query_one("#models-table", DataTable).remove_row(model.id)
        self.refresh_bindings()
        self.say(f"Deleted {model.id}.")

    # export (a local engine inside ftui) ----------------------------------------------------------
    def action_export(self) -> None:
        model = self.current_model
        if model is None:
            self.say("No model selected.")
            return
        default = Path.cwd() / model.id.replace(":", "-").replace("/", "-")

        def answered(choice: ExportChoice | None) -> None:
            if choice is None:
                self.say("Nothing was exported.")
            else:
                self.export(model.id, choice)

        self.app.push_screen(ExportScreen(model.id, default, base=not model.id.startswith("ft:")), answered)

    @work(exclusive=True, group="models-export", exit_on_error=False, description="exporting the model")
    async def export(self, model: str, choice: ExportChoice) -> None:
        kind = "merged model" if choice.merged else "adapter"
        started = time.monotonic()

        def tick() -> None:
            self.say(f"Exporting the {kind} of {model} to {choice.dest} … {time.monotonic() - started:.0f} s")

        tick()
        timer = self.set_interval(1.0, tick)
        try:
            written = await asyncio.to_thread(self.app.session.export_model, model, choice.dest,
                                              merged=choice.merged)
        except CoreError as exc:
            self.say(f"[red]Not exported: {exc.summary()}[/]")
            return
        finally:
            timer.stop()
        self.say(f"Exported the {kind} of {model} to {written} in {time.monotonic() - started:.0f} s.")
