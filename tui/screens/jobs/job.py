"""One job, live: status and progress, events, loss chart, checkpoints, result file, alarms.

A JobFollower (core/watch.py) does the polling in one worker; this screen only draws what
each poll brings. Hidden (another section or screen on top), it polls slowly; finished, rarely.
"""

from __future__ import annotations

import asyncio
import csv
import io
import time

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.reactive import reactive
from textual.widgets import DataTable, Static, TabbedContent, TabPane

from ftui.core.alarms import AlarmWatch
from ftui.core.compare.models import chat_name
from ftui.core.errors import CoreError
from ftui.core.launch.estimates import load_estimate
from ftui.core.provider import capabilities_of, deployer_of
from ftui.core.types import Deployment, Job
from ftui.core.watch import JobFollower, PollResult
from ftui.tui.screens.base import FtuiScreen
from ftui.tui.screens.dialogs.confirm import confirm
from ftui.tui.screens.jobs.billing import billing_text
from ftui.tui.screens.jobs.checkpoints import CHECKPOINT_COLUMNS, checkpoint_detail, checkpoint_row
from ftui.tui.screens.models.served import DEPLOY_FROM_MODELS, not_served
from ftui.tui.shell.messages import CompareModels
from ftui.tui.shell.notifier import JobNotifier
from ftui.widgets.event_log import EventLog
from ftui.widgets.formats import human_seconds, short_when
from ftui.widgets.job_table import elapsed, status_text
from ftui.widgets.key_footer import KeyFooter
from ftui.widgets.keyed_table import KeyedTable, RowDetail
from ftui.widgets.loss_chart import LossChart

RESULT_ROWS_SHOWN = 2000
NO_PAUSE = "This provider cannot pause or resume a job: cancel it (x), or let it run."
# A finished job whose output model the provider has not named (Together may leave it out for a while).
NO_OUTPUT_NAME = "Finished; the provider has not named its output model yet: r asks again."
ENDPOINT_REFRESH = 5.0  # seconds between endpoint reloads while one of this job's models starts


def time_left(seconds: float) -> str:
    """'in 45 s', 'in 2 min 30 s': a sandbox run lasts seconds, so whole minutes alone would read 0."""
    return f"in {human_seconds(seconds)}" if seconds >= 1 else "any moment now"


def gone_text(job_id: str) -> str:
    return (f"[b]{job_id} is no longer on the server[/] (it answered 404: the job was deleted, or the "
            "server started again without it). Nothing here is live any more; esc goes back to the list.")


class JobScreen(FtuiScreen):
    """Pushed from the Jobs list (Enter) or by `JobsScreen.open_job`."""

    CSS_PATH = "job.tcss"
    POLL_SECONDS = 3.0

    BINDINGS = [
        Binding("escape", "back", "Back", id="job.back", tooltip="Back to the list of jobs"),
        Binding("x", "cancel_job", "Cancel job", id="job.cancel", tooltip="Cancel this job"),
        Binding("p", "pause_job", "Pause", id="job.pause", tooltip="Pause this running job"),
        Binding("u", "resume_job", "Resume", id="job.resume", tooltip="Resume this paused job"),
        Binding("b", "compare_final", "Base vs tuned", id="job.compare_final",
                tooltip="Compare the base model with the fine-tuned model"),
        Binding("c", "compare_checkpoint", "Compare ckpt", id="job.compare_checkpoint",
                tooltip="Compare the selected checkpoint against the base model"),
        Binding("f", "toggle_follow", "Follow", id="job.follow",
                tooltip="Keep the event log at the newest event, or stop to read"),
        Binding("h", "history", "History", id="job.history",
                tooltip="Load the job's full event history (older events)"),
        Binding("a", "chart_view", "Loss/Acc", id="job.chart_view",
                tooltip="Switch the chart between loss and token accuracy"),
        Binding("r", "poll_now", "Refresh", id="job.refresh", tooltip="Poll the job now", show=False),
        Binding("m", "migrate", "Migrate", id="job.migrate",
                tooltip="Re-run this job on another profile (local, Together, ...)"),
        # As on the list: `2` brings back the job last viewed, and `2, n` must still open the form.
        Binding("n", "new_job", "New job", id="job.new", tooltip="Launch another fine-tuning job", show=False),
    ]

    # Keys that only make sense in some states; the others are hidden from the footer.
    ACTION_STATES = {
        "cancel_job": {"validating_files", "queued", "running", "paused"},
        "pause_job": {"running"},
        "resume_job": {"paused"},
        "compare_final": {"succeeded"},
    }

    # The job as last read, and whether the server said it no longer exists: both drive the keys
    # offered (check_action).
    job: reactive[Job | None] = reactive(None, bindings=True)
    gone: reactive[bool] = reactive(False, bindings=True)
    # Where a tuned model answers only on a dedicated endpoint: the running ones, which the compare
    # keys follow (a model with none ready cannot be compared).
    deployments: reactive[tuple[Deployment, ...]] = reactive((), bindings=True)

    def __init__(self, job_id: str, *, poll_seconds: float | None = None) -> None:
        super().__init__()
        self.job_id = job_id
        self._billing = ""
        self._seen_unfinished = False
        self.follower: JobFollower | None = None
        self.alarms = AlarmWatch()
        self._poll_seconds = poll_seconds or self.POLL_SECONDS
        self._result_loaded = False
        self._estimate_shown = False
        self._pause_asked_at: int | None = None  # the step shown when the user confirmed a pause

    BREADCRUMB = ("Jobs", "job")

    def compose(self) -> ComposeResult:
        yield self.status_header()
        yield Static(f"Loading {self.job_id}…", id="job-summary")
        yield Static("", id="job-alarms")
        with TabbedContent(id="job-tabs"):
            with TabPane("Events", id="tab-events"):
                yield EventLog(id="job-events")
                yield Static("", id="job-events-note")
            with TabPane("Chart", id="tab-chart"):
                yield LossChart(id="job-chart")
            with TabPane("Checkpoints", id="tab-checkpoints"):
                yield KeyedTable(CHECKPOINT_COLUMNS, checkpoint_row, id="job-checkpoints",
                                 detail_id="job-checkpoint-detail", detail_of=checkpoint_detail)
                yield RowDetail(id="job-checkpoint-detail")  # the highlighted checkpoint's name whole
            with TabPane("Result", id="tab-result"):
                yield Static("The result file appears here when the job succeeds.", id="job-result-note")
                yield DataTable(id="job-result", zebra_stripes=True)
        yield KeyFooter()

    @property
    def capabilities(self):
        return capabilities_of(self.provider)

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        caps = self.capabilities
        if action in ("pause_job", "resume_job") and not caps.pause_resume:
            return False  # not offered at all; the summary says why
        if action == "cancel_job" and not caps.cancel:
            return False
        if action == "new_job":
            return bool(caps.methods)  # an account that can launch nothing offers no form
        if action == "compare_final" and self.job is not None and not self._chat_name(self.job.fine_tuned_model):
            return False  # no model yet, or none deployed: the summary says how to get one
        states = self.ACTION_STATES.get(action)
        if self.gone and action not in ("back", "migrate", "toggle_follow", "chart_view"):
            return False  # nothing on the server to act on
        if states is not None:
            return self.job is not None and self.job.status in states
        if action == "history":
            return self.follower is None or not self.follower.history_complete
        if action == "compare_checkpoint":
            checkpoints = self.follower.checkpoints if self.follower else []
            return any(self._chat_name(c.model) for c in checkpoints)
        return True

    def _chat_name(self, model: str | None) -> str | None:
        """The name `model` answers under: itself, or where the provider deploys tuned models first,
        its ready endpoint's (None while it has none)."""
        if not model or not self.capabilities.deploy_before_chat:
            return model
        return chat_name(self.deployments, model)

    # lifecycle --------------------------------------------------------------------------------
    def on_mount(self) -> None:
        self.query_one("#job-alarms").display = False
        provider = self.provider
        if provider is None:
            self.query_one("#job-summary", Static).update("No account connected.")
            return
        self.follower = JobFollower(provider, self.job_id, interval=self._poll_seconds)
        self._follow()
        if deployer_of(provider) is not None:
            self.load_deployments()
            self.set_interval(ENDPOINT_REFRESH, self._refresh_endpoints)

    def on_unmount(self) -> None:
        if self.follower is not None:
            self.follower.stop()

    def on_screen_suspend(self) -> None:
        # Under a dialog (a modal screen) this view is still drawn behind it, so it keeps its pace;
        # only another section or a full screen on top slows it down.
        if self.follower is not None:
            self.follower.set_hidden(not self.is_current)

    def on_screen_resume(self) -> None:
        if self.follower is not None:
            self.follower.set_hidden(False)
        if deployer_of(self.provider) is not None:  # back from Models, where it may have been deployed
            self.load_deployments()

    @work(exclusive=True, group="job-follow", exit_on_error=False, description="following the job")
    async def _follow(self) -> None:
        assert self.follower is not None
        await self.follower.run(self._apply)

    # drawing each poll ------------------------------------------------------------------------
    def _apply(self, result: PollResult) -> None:
        follower = self.follower
        if follower is None or not self.is_mounted:
            return
        if result.error is not None and result.error.status == 404:
            self._show_gone(result.error)
            return
        if result.job is not None:
            self.job = result.job
        if result.new_events:
            self.query_one(EventLog).append(result.new_events)
        if result.new_events or result.metrics_read:
            self.query_one(LossChart).set_metrics(follower.metrics())
        if result.checkpoints is not None:
            self._show_checkpoints()
            self.refresh_bindings()
        self._show_summary(result.error)
        self._check_alarms()
        self._show_events_note()
        job = self.job
        if job is not None and not job.finished:
            self._seen_unfinished = True
        if job is not None and job.status == "paused" and self._pause_asked_at is not None:
            self._say_paused_at()
        if job is not None and result.finished_now and self._seen_unfinished:
            JobNotifier.ensure(self.app).announce(job)  # only a finish seen here, not an old one
        if job is not None and job.status == "succeeded":
            if not self._result_loaded and job.result_files:
                self._result_loaded = True
                self._load_result(job.result_files[0])
            if not self._estimate_shown:
                self._estimate_shown = True
                self._load_estimate(job)

    def _show_summary(self, error: CoreError | None = None) -> None:
        job, follower = self.job, self.follower
        if job is None:
            text = f"{self.job_id}: " + (f"[red]could not load: {error.summary()}[/]" if error else "loading…")
            self.query_one("#job-summary", Static).update(text)
            return
        step, total = follower.progress() if follower else (None, None)
        line1 = status_text(job.status).markup + f"  [b]{job.id}[/]  {job.model}"
        if job.fine_tuned_model:
            line1 += f" → [b]{job.fine_tuned_model}[/]"
        parts = []
        if step is not None:
            parts.append(f"step {step}/{total}" if total else f"step {step}")
        parts.append(f"created {short_when(job.created_at)}, {elapsed(job)}")
        if job.estimated_finish and not job.finished:
            left = job.estimated_finish - time.time()
            parts.append(f"finish ≈ {short_when(job.estimated_finish)} ({time_left(left)})")
        if job.trained_tokens:
            parts.append(f"{job.trained_tokens:,} trained tokens")
        line2 = " · ".join(parts)
        lines = [line1, line2]
        if job.provider_status and job.provider_status != job.status:
            lines[0] += f"  [dim](provider: {job.provider_status})[/]"
        if not job.finished and not self.capabilities.pause_resume:
            lines.append(f"[dim]{NO_PAUSE}[/]")
        lines.extend(self._model_lines(job))
        if job.status == "failed" and job.error is not None:
            code = f"{job.error.code}: " if job.error.code else ""
            lines.append(f"[red]Failed — {code}{job.error.message}[/]")
        if error is not None:
            lines.append(f"[yellow]Polling trouble (retrying in {follower.next_delay:.0f} s): "
                         f"{error.summary()}[/]")
        if self._billing:
            lines.append(self._billing)
        self.query_one("#job-summary", Static).update("\n".join(lines))

    def _model_lines(self, job: Job) -> list[str]:
        """What stands between a succeeded job and comparing its model: no name yet, no endpoint."""
        if job.status != "succeeded":
            return []
        if not job.fine_tuned_model:
            return [f"[yellow]{NO_OUTPUT_NAME}[/]"]
        if self._chat_name(job.fine_tuned_model):
            return []
        return [f"[dim]{not_served(job.fine_tuned_model, self.deployments, DEPLOY_FROM_MODELS)} "
                "Then b compares it with the base model.[/]"]

    # dedicated endpoints (providers that serve a tuned model only once deployed) ------------------
    @work(exclusive=True, group="job-endpoints", exit_on_error=False, description="loading the endpoints")
    async def load_deployments(self) -> None:
        deployer = deployer_of(self.provider)
        if deployer is None:
            return
        try:
            found = await deployer.list_deployments()
        except CoreError:
            return  # the keys stay as they were; Models explains endpoint trouble in place
        self.deployments = tuple(d for d in found if d.running)
        self._show_summary()

    def _mine(self) -> set[str]:
        models = {c.model for c in self.follower.checkpoints} if self.follower else set()
        if self.job is not None and self.job.fine_tuned_model:
            models.add(self.job.fine_tuned_model)
        return models

    def _refresh_endpoints(self) -> None:
        """Follow an endpoint of this job's models while it starts, so b and c appear when it is ready."""
        mine = self._mine()
        if self.is_current and any(d.model in mine and not d.ready for d in self.deployments):
            self.load_deployments()

    def _show_gone(self, error: CoreError) -> None:
        """The job vanished from the server: stop polling it and say so, instead of retrying forever."""
        if self.follower is not None:
            self.follower.stop()
        if self.gone:
            return
        self.gone = True
        if self.job is None:  # never seen: most likely a wrong id
            text = f"{self.job_id}: [red]could not load: {error.summary()}[/] (no such job on the server)"
        else:
            text = gone_text(self.job_id)
        self.query_one("#job-summary", Static).update(text)
        self.notify(f"{self.job_id} is no longer on the server.", severity="warning", timeout=8)

    def _say_paused_at(self) -> None:
        asked, self._pause_asked_at = self._pause_asked_at, None
        step, _ = self.follower.progress() if self.follower else (None, None)
        if step is None:
            return
        moved = "" if step == asked else f" (step {asked} when you confirmed; the run was mid-step)"
        self.notify(f"Job {self.job_id} paused at step {step}{moved}. u resumes from there.", timeout=8)

    def _show_events_note(self) -> None:
        follower = self.follower
        log = self.query_one(EventLog)
        state = "following" if log.follow else "paused (End follows)"
        older = "" if follower is None or follower.history_complete else " · h: load older events"
        self.query_one("#job-events-note", Static).update(f"{len(log.events)} events · {state}{older}")

    def _show_checkpoints(self) -> None:
        table = self.query_one("#job-checkpoints", KeyedTable)
        table.set_items(self.follower.checkpoints if self.follower else [])

    def _check_alarms(self) -> None:
        follower, job = self.follower, self.job
        if follower is None:
            return
        running = job is not None and job.status == "running"
        times = [e.created_at for e in follower.events[-200:]]
        fresh = self.alarms.check(follower.metrics(), times, time.time(), running=running)
        for alarm in fresh:
            self.notify(alarm.message, title=f"Job {self.job_id}: {alarm.kind}", severity="warning",
                        timeout=10)
        widget = self.query_one("#job-alarms", Static)
        active = list(self.alarms.active.values())
        widget.display = bool(active)
        widget.update("\n".join(f"⚠ {a.message}" for a in active))

    # result file and billing ------------------------------------------------------------------
    @work(exclusive=True, group="job-result", exit_on_error=False, description="loading the job's result")
    async def _load_result(self, file_id: str) -> None:
        note = self.query_one("#job-result-note", Static)
        provider = self.provider
        try:
            content = await provider.file_content(file_id)
        except CoreError as exc:
            note.update(f"Could not load the result file {file_id}: {exc.summary()}")
            self._result_loaded = False
            return
        rows = await asyncio.to_thread(_parse_csv, content)
        table = self.query_one("#job-result", DataTable)
        table.clear(columns=True)
        if not rows:
            note.update(f"Result file {file_id} is empty.")
            return
        header, body = rows[0], rows[1:]
        for name in header:
            table.add_column(name)
        for row in body[:RESULT_ROWS_SHOWN]:
            table.add_row(*(row + [""] * (len(header) - len(row)))[: len(header)])
        more = f" (first {RESULT_ROWS_SHOWN} shown)" if len(body) > RESULT_ROWS_SHOWN else ""
        note.update(f"Result file {file_id}: {len(body)} rows{more}")

    @work(thread=True, exclusive=True, group="job-estimate", exit_on_error=False,
          description="loading the launch estimate")
    def _load_estimate(self, job: Job) -> None:
        text = billing_text(job, self.capabilities.training_cost, load_estimate(job.id))
        self.app.call_from_thread(self._set_billing, text)

    def _set_billing(self, text: str) -> None:
        self._billing = text
        self._show_summary()

    # actions ----------------------------------------------------------------------------------
    def action_back(self) -> None:
        self.app.pop_screen()

    def action_toggle_follow(self) -> None:
        log = self.query_one(EventLog)
        log.follow = not log.follow
        self._show_events_note()

    def action_poll_now(self) -> None:
        if self.follower is not None:
            self.follower.poke()
        if deployer_of(self.provider) is not None:
            self.load_deployments()

    @work(exclusive=True, group="job-history", exit_on_error=False, description="loading the job's history")
    async def action_history(self) -> None:
        follower = self.follower
        if follower is None or follower.history_complete:
            self.notify("The full history is already loaded.", timeout=3)
            return
        note = self.query_one("#job-events-note", Static)
        note.update("Loading older events…")
        try:
            older = await follower.load_history(lambda n: note.update(f"Loading older events… {n}"))
        except CoreError as exc:
            note.update(f"Could not load older events: {exc.summary()}")
            return
        self.query_one(EventLog).prepend(older)
        self.query_one(LossChart).set_metrics(follower.metrics())
        self._show_events_note()
        self.refresh_bindings()

    def action_chart_view(self) -> None:
        self.query_one(LossChart).toggle_view()
        self.query_one(TabbedContent).active = "tab-chart"

    def action_compare_checkpoint(self) -> None:
        follower, job = self.follower, self.job
        if follower is None or job is None or not follower.checkpoints:
            self.notify("No checkpoints yet.", severity="warning", timeout=3)
            return
        table = self.query_one("#job-checkpoints", DataTable)
        tabs = self.query_one(TabbedContent)
        if tabs.active != "tab-checkpoints":
            tabs.active = "tab-checkpoints"
            table.focus()
            self.notify("Pick a checkpoint and press c again.", timeout=3)
            return
        ckpt = table.current or follower.checkpoints[-1]
        served = self._chat_name(ckpt.model)
        if served is None:
            self.notify(not_served(ckpt.model, self.deployments, "pick one whose endpoint is ready"),
                        severity="warning", timeout=5)
            return
        self.post_message(CompareModels(job.model, served))

    def action_compare_final(self) -> None:
        job = self.job
        if job is None or job.status != "succeeded" or not job.fine_tuned_model:
            self.notify("Base vs fine-tuned needs a job that succeeded.", severity="warning", timeout=3)
            return
        served = self._chat_name(job.fine_tuned_model)
        if served is None:
            self.notify(not_served(job.fine_tuned_model, self.deployments, DEPLOY_FROM_MODELS),
                        severity="warning", timeout=5)
            return
        self.post_message(CompareModels(job.model, served))

    def action_new_job(self) -> None:
        from ftui.tui.screens.jobs.launch import LaunchScreen

        self.app.push_screen(LaunchScreen())

    def action_migrate(self) -> None:
        from ftui.tui.screens.migrate.form import open_migration

        open_migration(self.app, self.app.profile_label, self.job_id)

    def _confirm_then(self, verb: str, allowed: set[str], call) -> None:
        job = self.job
        if job is None or job.status not in allowed:
            now = job.status if job else "loading"
            self.notify(f"Cannot {verb} a job that is {now}.", severity="warning", timeout=4)
            return

        question = f"{verb.capitalize()} {job.id} ({job.model}, {job.status})?"
        if verb == "pause":
            step, total = self.follower.progress() if self.follower else (None, None)
            at = f"It is at step {step}{f'/{total}' if total else ''} now; " if step is not None else ""
            question += (f"\n{at}training goes on behind this dialog (the view keeps following) and "
                         "stops at the step it has reached when you confirm; ftui then says which.")
        self._ask_then(verb, question, call)

    @work(exclusive=True, group="job-ask", exit_on_error=False, description="asking before the job action")
    async def _ask_then(self, verb: str, question: str, call) -> None:
        if await confirm(self, f"{verb.capitalize()} job?", question):
            if verb == "pause" and self.follower is not None:
                self._pause_asked_at = self.follower.progress()[0]
            self._job_action(verb, call)

    def action_cancel_job(self) -> None:
        self._confirm_then("cancel", {"validating_files", "queued", "running", "paused"},
                           lambda p: p.cancel_job(self.job_id))

    def action_pause_job(self) -> None:
        if not self.capabilities.pause_resume:
            self.notify(NO_PAUSE, timeout=4)
            return
        self._confirm_then("pause", {"running"}, lambda p: p.pause_job(self.job_id))

    def action_resume_job(self) -> None:
        if not self.capabilities.pause_resume:
            self.notify(NO_PAUSE, timeout=4)
            return
        self._confirm_then("resume", {"paused"}, lambda p: p.resume_job(self.job_id))

    @work(exclusive=True, group="job-action", exit_on_error=False, description="the job action")
    async def _job_action(self, verb: str, call) -> None:
        provider = self.provider
        try:
            job = await call(provider)
        except CoreError as exc:
            self._pause_asked_at = None
            if exc.status == 404:
                self._show_gone(exc)
                return
            self.notify(f"Could not {verb} the job: {exc.summary()}", severity="error", timeout=8)
            return
        self.job = job
        self._show_summary()
        self.notify(f"Job {job.id} is now {job.status}.", timeout=4)
        if self.follower is not None:
            self.follower.poke()


def _parse_csv(content: bytes) -> list[list[str]]:
    text = content.decode("utf-8", errors="replace")
    return [row for row in csv.reader(io.StringIO(text)) if row]
