"""A table of fine-tuning jobs: one row per job, keyed by job id, newest first as handed in."""

from __future__ import annotations

import time

from rich.text import Text

from ftui.core.types import Job
from ftui.widgets.formats import count, short_when
from ftui.widgets.keyed_table import Column, KeyedTable, KeyTable

# KeyTable lives in keyed_table; named here too for the screens that import it from this module.
__all__ = ["COLUMNS", "JobTable", "KeyTable", "elapsed", "job_row", "status_text"]

STATUS_STYLES = {
    "succeeded": "green",
    "failed": "red",
    "cancelled": "dim",
    "running": "bold cyan",
    "paused": "yellow",
    "queued": "",
    "validating_files": "",
}
# At 80 columns the status, base model, start and the tuned model's name show; the rest is in the
# detail line under the table (the tuned name's distinguishing end is kept when it is cut).
COLUMNS = (Column("Status", 10, priority=9), Column("Base model", 22, priority=7),
           Column("Suffix", 8, priority=5), Column("Created", 11, priority=6),
           Column("Elapsed", 7, priority=4), Column("Tokens", 6, priority=3),
           Column("Fine-tuned model", 16, priority=8, keep_end=True))


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
    return (status_text(job.status), job.model, job.suffix or "-", short_when(job.created_at),
            elapsed(job, now), count(job.trained_tokens) if job.trained_tokens else "-",
            job.fine_tuned_model or "-")


class JobTable(KeyedTable[Job]):
    """Jobs with row keys = job ids, newest first as handed in."""
    AREA = "jobs table"  # how `?` names it
    COLUMNS = COLUMNS

    def row_of(self, item: Job) -> tuple:
        return job_row(item)

    def detail(self, item: Job) -> str:
        tokens = f"{count(item.trained_tokens)} tokens" if item.trained_tokens else "no tokens yet"
        parts = [item.id, item.status.replace("validating_files", "validating"), item.model,
                 f"suffix {item.suffix}" if item.suffix else "no suffix", f"created {short_when(item.created_at)}",
                 f"elapsed {elapsed(item)}", tokens]
        if item.fine_tuned_model:
            parts.append(f"→ {item.fine_tuned_model}")
        return " · ".join(parts)

    @property
    def jobs(self) -> dict[str, Job]:
        return self.items
