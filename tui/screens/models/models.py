"""The Models section: the account's fine-tuned models, the job that made each, compare, delete;
where the provider needs a deployment before a tuned model answers, its running endpoints with
what they cost, deploy and stop."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

from textual import on, work
from textual.binding import Binding
from textual.reactive import reactive
from textual.widgets import DataTable, Static

from ftui.core.catalog import base_model
from ftui.core.compare.models import chat_name
from ftui.core.errors import CoreError
from ftui.core.provider import Deployer, deployer_of
from ftui.core.types import Deployment, ModelInfo, Page
from ftui.tui.screens.dialogs.confirm import TypedConfirmScreen, confirm
from ftui.tui.screens.list_section import ListSection
from ftui.tui.screens.models.endpoints import ENDPOINT_COLUMNS, endpoint_row, endpoints_summary
from ftui.tui.screens.models.export import ExportChoice, ExportScreen
from ftui.tui.screens.models.hardware import HardwareScreen, price_line
from ftui.tui.screens.models.served import not_served
from ftui.tui.shell.messages import CompareModels, OpenJob
from ftui.tui.shell.no_account import no_account
from ftui.widgets.formats import when
from ftui.widgets.keyed_table import Column, KeyedTable, KeyTable, RowDetail

JOB_PAGES = 5  # how far back to look for the jobs that made the models
ENDPOINT_REFRESH = 5.0  # seconds between endpoint reloads: their state and cost so far move


class ModelTable(KeyedTable[ModelInfo]):
    """The account's fine-tuned models, newest first, each with the job that made it (when it is
    among the recent jobs) and that job's base model."""

    # At 80 columns the name (its distinguishing end kept when cut), an announced shutdown and the
    # base show; the detail line under the table has the highlighted model whole.
    COLUMNS = (Column("Fine-tuned model", 20, priority=9, keep_end=True), Column("Base", 12, priority=6),
               Column("Created", 16, priority=5), Column("Job", 12, priority=4),
               Column("Shutdown", 10, priority=8))

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.job_of: dict[str, str] = {}  # fine-tuned model id -> job id
        self.base_of: dict[str, str] = {}  # fine-tuned model id -> the base model its job trained

    def base_name(self, model_id: str) -> str:
        return self.base_of.get(model_id) or base_model(model_id)

    def row_of(self, item: ModelInfo) -> tuple:
        return (item.id, self.base_name(item.id), when(item.created), self.job_of.get(item.id, "-"),
                item.shutdown_date or "-")

    def detail(self, item: ModelInfo) -> str:
        job = self.job_of.get(item.id)
        shutdown = f"shuts down {item.shutdown_date}" if item.shutdown_date else "no shutdown announced"
        return " · ".join([item.id, shutdown, f"base {self.base_name(item.id)}",
                           f"job {job}" if job else "no recent job", f"created {when(item.created)}"])


class ModelsScreen(ListSection[ModelInfo]):
    SECTION = "Models"
    LIST_NAME = "models"
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
        Binding("p", "deploy", "Deploy", id="models.deploy",
                tooltip="Put this fine-tuned model on a dedicated endpoint (pick hardware and its price)"),
        Binding("s", "stop_endpoint", "Stop endpoint", id="models.stop_endpoint",
                tooltip="Stop the highlighted endpoint, so it bills no more"),
    ]

    # Running endpoints, by deployment id; the footer's Stop endpoint follows them.
    deployments: reactive[dict[str, Deployment]] = reactive(dict, bindings=True)

    def __init__(self, *args, clock: Callable[[], float] = time.time, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.clock = clock  # "now" for the endpoints' cost so far (fixed in snapshot tests)

    def compose_body(self):
        yield Static("", id="models-state")
        yield ModelTable(id="models-table", detail_id="models-detail")
        yield RowDetail(id="models-detail")  # the highlighted model whole: what 80 columns cut or leave out
        yield Static("", id="endpoints-state")
        yield KeyTable(id="endpoints-table")
        yield Static("", id="models-message")

    @property
    def deployer(self) -> Deployer | None:
        """The provider, where a tuned model needs a dedicated endpoint before it answers."""
        return deployer_of(self.provider)

    @property
    def models(self) -> dict[str, ModelInfo]:
        return self.items

    @property
    def job_of(self) -> dict[str, str]:
        return self.query_one(ModelTable).job_of

    def base_name(self, model_id: str) -> str:
        return self.query_one(ModelTable).base_name(model_id)

    # The list's own loading is ListSection's (it runs after these); these add the endpoints pane.
    def on_mount(self) -> None:
        endpoints = self.query_one("#endpoints-table", DataTable)
        for name in ENDPOINT_COLUMNS:
            endpoints.add_column(name, key=name)
        shown = self.deployer is not None  # providers without deployments show none of this
        endpoints.display = self.query_one("#endpoints-state", Static).display = shown
        if shown:
            self.load_deployments()
            self.set_interval(ENDPOINT_REFRESH, self._refresh_endpoints)

    def on_screen_resume(self) -> None:
        if self.deployer is not None and self.is_mounted:
            self.load_deployments()

    def _refresh_endpoints(self) -> None:
        if self.is_current and self.deployer is not None:
            self.load_deployments()

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action in ("compare", "delete", "open_job", "migrate"):
            return bool(self.models)
        if action == "deploy":
            model = self.current_item
            return self.deployer is not None and model is not None and model.fine_tuned
        if action == "stop_endpoint":
            return self.deployer is not None and bool(self.deployments)
        if action == "export":  # only an engine running inside ftui can write its models here
            return bool(self.models) and self._can_export
        return super().check_action(action, parameters)

    @property
    def _can_export(self) -> bool:
        session = getattr(self.app, "session", None)  # a snapshot test's bare App has none
        return session is not None and session.can_export

    def say(self, text: str) -> None:
        self.query_one("#models-message", Static).update(text)

    # the list (ListSection) ------------------------------------------------------------------
    async def fetch_page(self, after: str | None, limit: int) -> Page[ModelInfo]:
        """Every fine-tuned model at once (the models list has no pages), matched to its job."""
        provider = self.provider
        models = [m for m in await provider.list_models() if m.fine_tuned]
        try:
            await self._match_jobs(provider)
        except CoreError as exc:
            self.say(f"Jobs could not be listed, so the Job column is empty: {exc.summary()}")
        models.sort(key=lambda m: m.created, reverse=True)
        return Page(models, has_more=False)

    async def _match_jobs(self, provider) -> None:
        table = self.query_one(ModelTable)
        after = None
        for _ in range(JOB_PAGES):
            page = await provider.list_jobs(after=after, limit=100)
            for job in page.items:
                if job.fine_tuned_model:
                    table.job_of[job.fine_tuned_model] = job.id
                    table.base_of[job.fine_tuned_model] = job.model
            if not page.has_more:
                return
            after = page.last_id

    def show_list_state(self) -> None:
        count = len(self.models)
        self.query_one("#models-state", Static).update(
            f"{count} fine-tuned model{'s' if count != 1 else ''}" if count else
            "No fine-tuned models yet: they appear here when a job succeeds.")

    def show_list_error(self, error: CoreError, *, more: bool) -> None:
        self.query_one("#models-state", Static).update(f"Could not load models: {error.summary()}")

    def show_no_account(self) -> None:
        self.query_one("#models-state", Static).update(no_account(self.app))

    @on(DataTable.RowSelected, "#models-table")
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_compare()

    def action_compare(self) -> None:
        model = self.current_item
        if model is None:
            self.say("No model selected.")
            return
        deployer = self.deployer
        if deployer is None:
            self.post_message(CompareModels(self.base_name(model.id), model.id))
            return
        served = chat_name(self.deployments.values(), model.id)
        if served:  # the tuned model answers through its endpoint
            self.post_message(CompareModels(self.base_name(model.id), served))
            return
        self.say(not_served(model.id, self.deployments.values()))

    def action_open_job(self) -> None:
        model = self.current_item
        job_id = self.job_of.get(model.id) if model else None
        if job_id is None:
            self.say("The job that made this model is not among the recent jobs.")
            return
        self.post_message(OpenJob(job_id))

    def action_migrate(self) -> None:
        from ftui.tui.screens.migrate.form import open_migration

        model = self.current_item
        if model is None:
            self.say("No model selected.")
            return
        open_migration(self.app, self.app.profile_label, self.job_of.get(model.id) or model.id)

    def action_delete(self) -> None:
        model = self.current_item
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
        self.list_table.remove_item(model.id)
        self._list_changed()
        self.say(f"Deleted {model.id}.")

    # export (a local engine inside ftui) ----------------------------------------------------------
    def action_export(self) -> None:
        model = self.current_item
        if model is None:
            self.say("No model selected.")
            return
        default = Path.cwd() / model.id.replace(":", "-").replace("/", "-")

        def answered(choice: ExportChoice | None) -> None:
            if choice is None:
                self.say("Nothing was exported.")
            else:
                self.export(model.id, choice)

        self.app.push_screen(ExportScreen(model.id, default, base=not model.fine_tuned), answered)

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

    # dedicated endpoints (providers that need one before a tuned model answers) -------------------
    @work(exclusive=True, group="models-endpoints", exit_on_error=False,
          description="loading the running endpoints")
    async def load_deployments(self) -> None:
        deployer = self.deployer
        if deployer is None:
            return
        state = self.query_one("#endpoints-state", Static)
        try:
            found = [d for d in await deployer.list_deployments() if d.running]
        except CoreError as exc:
            state.update(f"Could not load endpoints: {exc.summary()}")
            return
        self.deployments = {d.id: d for d in found}
        table = self.query_one("#endpoints-table", DataTable)
        keep = table.cursor_row
        table.clear()
        now = self.clock()
        for d in sorted(found, key=lambda d: d.created_at):
            table.add_row(*endpoint_row(d, now), key=d.id)
        if table.row_count:
            table.move_cursor(row=min(keep, table.row_count - 1))
        state.update(endpoints_summary(found, now))

    @property
    def current_deployment(self) -> Deployment | None:
        table = self.query_one("#endpoints-table", DataTable)
        if not table.row_count:
            return None
        return self.deployments.get(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def action_deploy(self) -> None:
        model = self.current_item
        if model is None or not model.fine_tuned:
            self.say("Select a fine-tuned model to deploy.")
            return
        self.deploy(model.id)

    @work(exclusive=True, group="models-deploy", exit_on_error=False, description="deploying the model")
    async def deploy(self, model: str) -> None:
        deployer = self.deployer
        if deployer is None:
            return
        self.say("Listing hardware and prices…")
        try:
            machines = await deployer.list_hardware(model)
        except CoreError as exc:
            self.say(f"[red]No hardware list, nothing deployed: {exc.summary()}[/]")
            return
        if not machines:
            self.say("The provider offers no hardware for this model right now: nothing deployed.")
            return
        self.say("")
        machine = await self.app.push_screen_wait(HardwareScreen(model, machines))
        if machine is None:
            self.say("Nothing was deployed.")
            return
        try:
            made = await deployer.create_deployment(model, machine.id)
        except CoreError as exc:
            self.say(f"[red]Not deployed: {exc.summary()}[/]")
            return
        self.say(f"Deploying {model} on {price_line(machine)}: it is {made.state}; "
                 f"compare (c) once it is ready, stop it (s) when done.")
        self.load_deployments()

    def action_stop_endpoint(self) -> None:
        deployment = self.current_deployment
        if deployment is None:
            self.say("No running endpoint.")
            return
        self.stop_endpoint(deployment)

    @work(exclusive=True, group="models-stop", exit_on_error=False, description="stopping the endpoint")
    async def stop_endpoint(self, deployment: Deployment) -> None:
        deployer = self.deployer
        if deployer is None:
            return
        price = (f" (${deployment.price_per_minute:.4f}/min)" if deployment.price_per_minute is not None
                 else "")
        if not await confirm(self, "Stop endpoint?",
                             f"{deployment.chat_model} serving {deployment.model}{price} stops and is deleted; "
                             "deploying again takes minutes.", yes="Stop it", no="Keep it"):
            self.say("The endpoint keeps running.")
            return
        try:
            await deployer.stop_deployment(deployment.id)
        except CoreError as exc:
            self.say(f"[red]Not stopped, it is still billing: {exc.summary()}[/]")
            return
        self.say(f"Stopped {deployment.chat_model}.")
        self.load_deployments()
