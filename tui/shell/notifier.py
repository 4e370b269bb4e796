"""App-wide: tell the user when a job finishes, wherever they are in the app.

One small poll of the newest jobs every `interval` seconds; a job seen unfinished and later
finished is announced once (notification + terminal bell). Failures back off quietly: this
watcher must never disturb the screen the user is on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ftui.core.errors import CoreError
from ftui.core.types import FINISHED_STATUSES, Job

if TYPE_CHECKING:
    from ftui.tui.shell.app import FtuiApp

ATTRIBUTE = "_ftui_job_notifier"


class JobNotifier:
    def __init__(self, app: FtuiApp, *, interval: float = 15.0) -> None:
        self.app = app
        self.interval = interval
        self.statuses: dict[str, str] = {}
        self.announced: set[str] = set()
        self._skip = 0  # ticks left to skip after failures
        self._failures = 0
        self._busy = False
        self._timer = None

    @classmethod
    def ensure(cls, app: FtuiApp, *, interval: float | None = None) -> JobNotifier:
        """The app's notifier, created and started on first use; `interval` re-paces it."""
        notifier = getattr(app, ATTRIBUTE, None)
        if notifier is None:
            notifier = cls(app, interval=interval or 15.0)
            setattr(app, ATTRIBUTE, notifier)
            notifier.start()
        elif interval is not None and interval != notifier.interval:
            notifier.stop()
            notifier.interval = interval
            notifier.start()
        return notifier

    def start(self) -> None:
        if self._timer is None:
            self._timer = self.app.set_interval(self.interval, self._tick, name="job-notifier")
            self._tick()

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def _tick(self) -> None:
        if self._busy:
            return  # never overlap a slow poll
        if self._skip:
            self._skip -= 1
            return
        self.app.run_worker(self.poll(), group="job-notifier", exclusive=True, exit_on_error=False,
                            description="watching for finished jobs")

    async def poll(self) -> None:
        provider = self.app.provider
        if provider is None:
            return
        self._busy = True
        try:
            page = await provider.list_jobs(limit=20)
        except CoreError:
            self._failures += 1
            self._skip = min(2 ** self._failures, 8)
            return
        finally:
            self._busy = False
        self._failures = 0
        self.observe(page.items)

    def observe(self, jobs: list[Job]) -> None:
        """Record statuses; announce jobs that went from unfinished to finished."""
        for job in jobs:
            before = self.statuses.get(job.id)
            self.statuses[job.id] = job.status
            if before is not None and before not in FINISHED_STATUSES and job.finished:
                self.announce(job)

    def announce(self, job: Job) -> None:
        if job.id in self.announced:
            return
        self.announced.add(job.id)
        self.statuses[job.id] = job.status
        name = job.fine_tuned_model or job.suffix or job.id
        if job.status == "succeeded":
            text, severity = f"Job {job.id} succeeded: {name}", "information"
        elif job.status == "failed":
            reason = job.error.message if job.error else "no reason given"
            text, severity = f"Job {job.id} failed: {reason}", "error"
        else:
            text, severity = f"Job {job.id} was cancelled", "warning"
        self.app.notify(text, title="Fine-tuning job finished", severity=severity, timeout=10)
        self.app.bell()
