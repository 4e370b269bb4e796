"""The Jobs section: every fine-tuning job, newest first, filtered by status, kept fresh."""

from __future__ import annotations

from textual import on, work
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Static

from ftui.core.errors import CoreError
from ftui.core.provider import capabilities_of
from ftui.tui.screens.base import SectionScreen
from ftui.tui.shell.notifier import JobNotifier
from ftui.widgets.job_table import JobTable

STATUS_FILTERS = (None, "running", "queued", "validating_files", "paused", "succeeded", "failed",
                  "cancelled")
NO_ACCOUNT = ("No account connected: set OPENAI_API_KEY and restart, or restart with "
              "`ftui --sandbox` to try the simulated server.")


class JobsScreen(SectionScreen):
    SECTION = "Jobs"
    CSS_PATH = "jobs.tcss"
    REFRESH_SECONDS = 5.0
    PAGE_SIZE = 20

    BINDINGS = [
        Binding("enter", "open", "Open", id="jobs.open", tooltip="Watch the selected job live"),
        Binding("n", "new", "New job", id="jobs.new", tooltip="Launch a fine-tuning job"),
        Binding("f", "cycle_filter", "Filter", id="jobs.filter", tooltip="Show only jobs of one status"),
        Binding("m", "more", "More", id="jobs.more", tooltip="Load the next page of older jobs"),
        Binding("r", "refresh", "Refresh", id="jobs.refresh", tooltip="Reload the list now"),
    ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._pending_job: str | None = None
        self.status_filter: str | None = None
        self.has_more = False
        self._last_id: str | None = None
        self._timer = None
        self._loading = False

    def compose_body(self):
        with Horizontal(id="jobs-bar"):
            yield Static("", id="jobs-filter")
            yield Static("", id="jobs-state")
        yield JobTable(id="jobs-table")
        yield Static("", id="jobs-more")

    # lifecycle --------------------------------------------------------------------------------
    def on_mount(self) -> None:
        self._show_filter()
        if self.provider is None:
            self.query_one("#jobs-state", Static).update(NO_ACCOUNT)
            return
        JobNotifier.ensure(self.app)
        self._timer = self.set_interval(self.REFRESH_SECONDS, self._refresh_tick, name="jobs-refresh")
        self.load_jobs()
        if self._pending_job:
            self.call_after_refresh(self._open_pending)

    def on_screen_suspend(self) -> None:
        if self._timer is not None:
            self._timer.pause()

    def on_screen_resume(self) -> None:
        if self._timer is not None:
            self._timer.resume()
            self.load_jobs()
        if self._pending_job:
            self.call_after_refresh(self._open_pending)

    def open_job(self, job_id: str) -> None:
        """Show the job's live view (works before this screen is mounted, too)."""
        self._pending_job = job_id
        if self.is_mounted:
            self.call_after_refresh(self._open_pending)

    def _open_pending(self) -> None:
        from ftui.tui.screens.jobs.job import JobScreen

        stack = self.app.screen_stack
        if not self._pending_job or not stack or stack[0] is not self:
            return  # not this section's turn yet; on_screen_resume tries again
        job_id, self._pending_job = self._pending_job, None
        if isinstance(stack[-1], JobScreen) and stack[-1].job_id == job_id:
            return
        while len(self.app.screen_stack) > 1 and isinstance(self.app.screen_stack[-1], JobScreen):
            self.app.pop_screen()  # one job view at a time
        self.app.push_screen(JobScreen(job_id))

    # loading ----------------------------------------------------------------------------------
    def _refresh_tick(self) -> None:
        # only while visible, and never on top of a load still running (a slow answer must
        # not be cancelled by the next tick, or it would never land)
        if self.app.screen is self and not self._loading:
            self.load_jobs()

    @work(exclusive=True, group="jobs-list", exit_on_error=False, description="loading the jobs list")
    async def load_jobs(self) -> None:
        """Reload the first page; older pages already loaded stay (refreshed where they overlap)."""
        provider = self.provider
        if provider is None:
            return
        table = self.query_one(JobTable)
        self._loading = True
        try:
            page = await provider.list_jobs(limit=self.PAGE_SIZE, status=self.status_filter)
        except CoreError as exc:
            self.query_one("#jobs-state", Static).update(f"[b]Could not load jobs:[/] {exc.summary()}")
            return
        finally:
            self._loading = False
        fresh = {job.id for job in page.items}
        older = [job for job in table.jobs.values() if job.id not in fresh] if self._last_id else []
        if older and page.items and older[0].created_at > page.items[-1].created_at:
            older = [j for j in older if j.created_at <= page.items[-1].created_at]
        jobs = page.items + older
        table.set_jobs(jobs)
        if not older:
            self.has_more, self._last_id = page.has_more, page.last_id
        self._show_state(len(jobs))

    @work(exclusive=True, group="jobs-more", exit_on_error=False, description="loading more jobs")
    async def load_more(self) -> None:
        provider = self.provider
        if provider is None or not self.has_more:
            return
        try:
            page = await provider.list_jobs(after=self._last_id, limit=self.PAGE_SIZE,
                                            status=self.status_filter)
        except CoreError as exc:
            self.query_one("#jobs-more", Static).update(f"Could not load more: {exc.summary()}")
            return
        table = self.query_one(JobTable)
        table.add_jobs(page.items)
        self.has_more, self._last_id = page.has_more, page.last_id or self._last_id
        self._show_state(table.row_count)

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "more":
            return self.has_more
        if action == "new" and self.provider is not None:
            # An account that can launch nothing (an archive, a closed provider) offers no launch form.
            return bool(capabilities_of(self.provider).methods)
        return True

    def _show_state(self, count: int) -> None:
        self.refresh_bindings()
        label = "job" if count == 1 else "jobs"
        state = f"{count} {label}" if count else "No jobs yet: press n to launch one."
        self.query_one("#jobs-state", Static).update(state)
        more = "More, older jobs: press m (or go to the bottom)" if self.has_more else ""
        self.query_one("#jobs-more", Static).update(more)

    def _show_filter(self) -> None:
        shown = (self.status_filter or "all").replace("validating_files", "validating")
        self.query_one("#jobs-filter", Static).update(f"Status: [b]{shown}[/] (f)")

    # actions ----------------------------------------------------------------------------------
    def action_open(self) -> None:
        job = self.query_one(JobTable).current_job
        if job is not None:
            self.open_job(job.id)

    @on(DataTable.RowSelected, "#jobs-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.open_job(str(event.row_key.value))

    @on(DataTable.RowHighlighted, "#jobs-table")
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        table = self.query_one(JobTable)
        if self.has_more and event.cursor_row >= table.row_count - 1:
            self.load_more()

    def action_new(self) -> None:
        if self.provider is None:
            self.notify(NO_ACCOUNT, severity="warning")
            return
        from ftui.tui.screens.jobs.launch import LaunchScreen

        self.app.push_screen(LaunchScreen())

    def action_cycle_filter(self) -> None:
        index = STATUS_FILTERS.index(self.status_filter)
        self.status_filter = STATUS_FILTERS[(index + 1) % len(STATUS_FILTERS)]
        self._last_id = None
        self.query_one(JobTable).set_jobs([])
        self._show_filter()
        self.load_jobs()

    def action_more(self) -> None:
        self.load_more()

    def action_refresh(self) -> None:
        self.load_jobs()
