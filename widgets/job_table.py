"""A table of fine-tuning jobs: one row per job, keyed by job id, newest first as handed in."""

from __future__ import annotations

import time

from rich.text import Text
from textual.binding import Binding
from textual.widgets import DataTable

from ftui.core.types import Job

STATUS_STYLES = {
    "succeeded": "green",
    "failed": "red",
    "cancelled": "dim",
    "running": "bold cyan",
    "paused": "yellow",
    "queued": "",
    "validating_files": "",
}
COLUMNS = ("Status", "Base model", "Suffix", "Created", "Elapsed", "Tokens", "Fine-tuned model")


def short_time(ts: int | None) -> str:
    return time.strftime("%m-%d %H:%M", time.localtime(ts)) if ts else "-"


def elapsed(job: Job, now: float | None = None) -> str:
    end = job.finished_at or (None if job.finished else (now or time.time()))
    if not end:
        return "-"
    seconds = max(0, int(end - job.created_at))
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


def status_text(status: str) -> Text:
    return Text(status.replace("validating_files", "validating"), style=STATUS_STYLES.get(status, ""))


def job_row(job: Job, now: float | None = None) -> tuple:
    return (status_text(job.status), job.model, job.suffix or "-", short_time(job.created_at),
            elapsed(job, now), f"{job.trained_tokens:,}" if job.trained_tokens else "-",
            job.fine_tuned_model or "-")


class KeyTable(DataTable):
    """A row-cursor table with vim keys beside the arrows (used by Jobs, Files and Models)."""

    BINDINGS = [
        Binding("down,j", "cursor_down", "Down", show=False, id="table.down", tooltip="Next row"),
        Binding("up,k", "cursor_up", "Up", show=False, id="table.up", tooltip="Previous row"),
        Binding("home,g", "scroll_top", "Top", show=False, id="table.top", tooltip="First row"),
        Binding("end,G", "scroll_bottom", "Bottom", show=False, id="table.bottom", tooltip="Last row"),
    ]

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("cursor_type", "row")
        kwargs.setdefault("zebra_stripes", True)
        super().__init__(**kwargs)


class JobTable(KeyTable):
    """Jobs with row keys = job ids; `set_jobs` replaces, `add_jobs` appends a further page."""
    AREA = "jobs table"  # how `?` names it

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.jobs: dict[str, Job] = {}

    def on_mount(self) -> None:
        for name in COLUMNS:
            self.add_column(name, key=name)

    def set_jobs(self, jobs: list[Job]) -> None:
        keep = self.cursor_row
        self.clear()
        self.jobs = {}
        self.add_jobs(jobs)
        if self.row_count:
            self.move_cursor(row=min(keep, self.row_count - 1))

    def add_jobs(self, jobs: list[Job]) -> None:
        for job in jobs:
            if job.id in self.jobs:
                continue
            self.jobs[job.id] = job
            self.add_row(*job_row(job), key=job.id)

    @property
    def current_job(self) -> Job | None:
        if not self.row_count:
            return None
        key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        return self.jobs.get(key)
