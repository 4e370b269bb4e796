"""The Jobs section: every fine-tuning job, newest first, filtered by status, kept fresh."""

from __future__ import annotations

from textual import on
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Static

from ftui.core.errors import CoreError
from ftui.core.provider import capabilities_of
from ftui.core.types import Job, Page
from ftui.tui.screens.list_section import ListSection
from ftui.tui.shell.no_account import no_account
from ftui.tui.shell.notifier import JobNotifier
from ftui.widgets.formats import count
from ftui.widgets.job_table import JobTable
from ftui.widgets.keyed_table import RowDetail

STATUS_FILTERS = (None, "running", "queued", "validating_files", "paused", "succeeded", "failed",
                  "cancelled")


class JobsScreen(ListSection[Job]):
    SECTION = "Jobs"
    LIST_NAME = "jobs"
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
        self._timer = None

    def compose_body(self):
        with Horizontal(id="jobs-bar"):
            yield Static("", id="jobs-filter")
            yield Static("", id="jobs-state")
        yield JobTable(id="jobs-table", detail_id="jobs-detail")
        yield RowDetail(id="jobs-detail")  # the highlighted job whole: what 80 columns cut or leave out
        yield Static("", id="jobs-more")

    # lifecycle --------------------------------------------------------------------------------
    def on_mount(self) -> None:
        # ListSection.on_mount runs next: the no-account message, or the first load.
        self._show_filter()
        if self.provider is None:
            return
        JobNotifier.ensure(self.app)
        self._timer = self.set_interval(self.REFRESH_SECONDS, self._refresh_tick, name="jobs-refresh")
        if self._pending_job:
            self.call_after_refresh(self._open_pending)

    def on_screen_suspend(self) -> None:
        if self._timer is not None:
            self._timer.pause()

    def on_screen_resume(self) -> None:
        # ListSection.on_screen_resume runs next and reloads the list.
        if self._timer is not None:
            self._timer.resume()
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
            self.load_list()

    load_jobs = ListSection.load_list  # the name tests/tui/jobs/test_job_stale.py calls

    async def fetch_page(self, after: str | None, limit: int) -> Page[Job]:
        return await self.provider.list_jobs(after=after, limit=limit, status=self.status_filter)

    def show_list_error(self, error: CoreError, *, more: bool) -> None:
        if more:
            self.query_one("#jobs-more", Static).update(f"Could not load more: {error.summary()}")
        else:
            self.query_one("#jobs-state", Static).update(f"[b]Could not load jobs:[/] {error.summary()}")

    def show_no_account(self) -> None:
        self.query_one("#jobs-state", Static).update(no_account(self.app))

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "new" and self.provider is not None:
            # An account that can launch nothing (an archive, a closed provider) offers no launch form.
            return bool(capabilities_of(self.provider).methods)
        return super().check_action(action, parameters)

    def show_list_state(self) -> None:
        shown = len(self.items)
        label = "job" if shown == 1 else "jobs"
        state = f"{count(shown)} {label}" if shown else "No jobs yet: press n to launch one."
        self.query_one("#jobs-state", Static).update(state)
        more = "More, older jobs: press m (or go to the bottom)" if self.has_more else ""
        self.query_one("#jobs-more", Static).update(more)

    def _show_filter(self) -> None:
        shown = (self.status_filter or "all").replace("validating_files", "validating")
        self.query_one("#jobs-filter", Static).update(f"Status: [b]{shown}[/] (f)")

    # actions ----------------------------------------------------------------------------------
    def action_open(self) -> None:
        job = self.current_item
        if job is not None:
            self.open_job(job.id)

    @on(DataTable.RowSelected, "#jobs-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.open_job(str(event.row_key.value))

    def action_new(self) -> None:
        if self.provider is None:
            self.notify(no_account(self.app), severity="warning")
            return
        from ftui.tui.screens.jobs.launch import LaunchScreen

        self.app.push_screen(LaunchScreen())

    def action_cycle_filter(self) -> None:
        index = STATUS_FILTERS.index(self.status_filter)
        self.status_filter = STATUS_FILTERS[(index + 1) % len(STATUS_FILTERS)]
        self.has_more, self.last_id = False, None
        self.list_table.set_items([])  # another filter: start again from its first page
        self._show_filter()
        self.load_list()
