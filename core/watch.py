"""Following one fine-tuning job: its state, its events in order, its metrics.

The API lists a job's events newest first, paged backwards with `after=<id>`. Each poll asks
for the newest page and keeps paging back until it meets the last event it already has, then
hands over only the unseen ones, oldest first. A poll that fails half-way changes nothing, so
the next one starts over: no event is given twice and none is skipped. Polls never overlap,
failures back off exponentially (up to a minute), and the pace slows when the job is finished
or nobody is looking.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ftui.core.errors import CoreError
from ftui.core.types import Checkpoint, Job, JobEvent

ACTIVE_INTERVAL = 3.0
FINISHED_INTERVAL = 60.0
HIDDEN_INTERVAL = 20.0
MAX_BACKOFF = 60.0
PAGE_SIZE = 100


@dataclass(frozen=True)
class MetricPoint:
    """One training step's figures, taken from a `metrics` event."""

    step: int
    total_steps: int | None = None
    train_loss: float | None = None
    valid_loss: float | None = None
    train_accuracy: float | None = None
    valid_accuracy: float | None = None
    created_at: int = 0


def metric_point(event: JobEvent) -> MetricPoint | None:
    """The metrics carried by an event, or None for plain messages."""
    data = event.data or {}
    step = data.get("step")
    if not isinstance(step, (int, float)) or isinstance(step, bool):
        return None

    def num(*keys: str) -> float | None:
        for key in keys:
            value = data.get(key)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return float(value)
        return None

    total = data.get("total_steps")
    return MetricPoint(
        step=int(step),
        total_steps=int(total) if isinstance(total, (int, float)) else None,
        train_loss=num("train_loss"),
        valid_loss=num("full_valid_loss", "valid_loss"),
        train_accuracy=num("train_mean_token_accuracy"),
        valid_accuracy=num("full_valid_mean_token_accuracy", "valid_mean_token_accuracy"),
        created_at=event.created_at,
    )


@dataclass
class PollResult:
    """What one poll learned. `error` is set (and nothing else changed) when it failed."""

    job: Job | None = None
    new_events: list[JobEvent] = field(default_factory=list)
    checkpoints: list[Checkpoint] | None = None  # set when they were (re)loaded this poll
    error: CoreError | None = None
    status_changed: bool = False
    finished_now: bool = False  # the job reached a final status during this poll
    metrics_read: bool = False  # the provider's metrics endpoint was read this poll (metrics() may differ)


class _Chain:
    """A run of consecutive events, newest first, and whether its older end joins known events."""

    def __init__(self) -> None:
        self.events: list[JobEvent] = []
        self.ids: set[str] = set()
        self.linked = False
        self.reached_start = False

    def add(self, event: JobEvent) -> None:
        if event.id not in self.ids:
            self.ids.add(event.id)
            self.events.append(event)


class JobFollower:
    """Polls one job and its events. Pure asyncio; the UI drives it from a worker."""

    def __init__(self, provider, job_id: str, *, interval: float = ACTIVE_INTERVAL,
                 finished_interval: float = FINISHED_INTERVAL, hidden_interval: float = HIDDEN_INTERVAL,
                 max_backoff: float = MAX_BACKOFF, page_size: int = PAGE_SIZE) -> None:
        self.provider = provider
        self.job_id = job_id
        self.interval = interval
        self.finished_interval = finished_interval
        self.hidden_interval = hidden_interval
        self.max_backoff = max_backoff
        self.page_size = page_size
        self.job: Job | None = None
        self.events: list[JobEvent] = []  # chronological
        self.checkpoints: list[Checkpoint] = []
        self.history_complete = False  # True once the first event of the job is loaded
        self.failures = 0
        self.last_error: CoreError | None = None
        self.last_event_at: float | None = None  # monotonic time a new event last arrived
        self.hidden = False
        self.polls = 0  # polls that went to the server (tests and status use it)
        self._seen: set[str] = set()
        self._chains: list[_Chain] = []  # fetched but not yet joined up, newest first
        self._checkpoints_due = True
        # A provider that serves loss and accuracy from their own endpoint (capabilities.metrics_source)
        # is read there after each poll that moved; the others' figures come from metrics events.
        self._metric_points: list[MetricPoint] | None = None
        self._metrics_due = True
        self._announced_finish = False
        self._lock = asyncio.Lock()
        self._history_lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._stopped = False

    # pace -------------------------------------------------------------------------------------
    def set_interval(self, seconds: float) -> None:
        self.interval = max(0.05, seconds)
        self._wake.set()

    def set_hidden(self, hidden: bool) -> None:
        """A hidden screen polls slowly; showing it again polls at once."""
        changed = hidden != self.hidden
        self.hidden = hidden
        if changed and not hidden:
            self._wake.set()

    def poke(self) -> None:
        """Poll now instead of waiting for the next turn."""
        self._wake.set()

    def stop(self) -> None:
        self._stopped = True
        self._wake.set()

    @property
    def next_delay(self) -> float:
        if self.failures:
            return min(self.max_backoff, self.interval * 2 ** self.failures)
        if self.job is not None and self.job.finished:
            return max(self.finished_interval, self.interval)
        if self.hidden:
            return max(self.hidden_interval, self.interval)
        return self.interval

    # polling ----------------------------------------------------------------------------------
    async def poll(self) -> PollResult | None:
        """One poll of the job and its new events; None if a poll is already running.

        Pages that arrive are kept even when a later request of the same poll fails, so a
        flaky connection still makes progress; events are handed over only once they join
        up with what was already handed over (or with the job's first event).
        """
        if self._lock.locked():
            return None
        async with self._lock:
            self.polls += 1
            before = self.job
            fresh: list[JobEvent] = []
            checkpoints = None
            metrics_read = False
            error: CoreError | None = None
            try:
                self.job = await self.provider.retrieve_job(self.job_id)
                fresh = await self._advance_events()
                if fresh or before is None or self.job.status != before.status:
                    self._checkpoints_due = True
                if self._checkpoints_due:
                    checkpoints = await self._fetch_checkpoints()
                    self.checkpoints = checkpoints
                    self._checkpoints_due = False
                if self._reads_metrics():
                    self._metrics_due = self._metrics_due or bool(fresh) or not self.job.finished
                    if self._metrics_due:
                        self._metric_points = list(await self.provider.list_metrics(self.job_id))
                        self._metrics_due = False
                        metrics_read = True
            except CoreError as exc:
                error = exc
            if fresh:
                self.last_event_at = time.monotonic()
            if error is not None:
                self.failures += 1
                self.last_error = error
            else:
                self.failures = 0
                self.last_error = None
            job = self.job
            changed = job is not None and (before is None or job.status != before.status)
            finished_now = job is not None and job.finished and not self._announced_finish and error is None
            if finished_now:
                self._announced_finish = True
            return PollResult(job=job, new_events=fresh, checkpoints=checkpoints, error=error,
                              status_changed=changed, finished_now=finished_now, metrics_read=metrics_read)

    def _known(self, event_id: str) -> bool:
        return event_id in self._seen or any(event_id in chain.ids for chain in self._chains)

    def _extend(self, chain: _Chain, page) -> None:
        """Add a page's events to `chain` up to the first known one."""
        for event in page.items:
            if self._known(event.id):
                chain.linked = True
                return
            chain.add(event)
        if not page.has_more or not page.items:
            chain.linked = chain.reached_start = True

    async def _advance_events(self) -> list[JobEvent]:
        """Fetch what is missing between the newest event and the last one handed over; return
        the events that now join up (oldest first). Raises CoreError, keeping what arrived."""
        first_look = not self.events and not self.history_complete
        # 1. from the top down to anything already fetched (a new chain, stored page by page)
        top = _Chain()
        self._chains.insert(0, top)
        after: str | None = None
        try:
            while not top.linked:
                page = await self.provider.list_events(self.job_id, after=after, limit=self.page_size)
                self._extend(top, page)
                if first_look:
                    top.linked = True  # a first look needs only the newest page; older on demand
                after = page.items[-1].id if page.items else after
        finally:
            if not top.events:
                self._chains.remove(top)
        # 2. fill each gap below a chain that does not join the next one yet
        for chain in self._chains:
            while not chain.linked:
                page = await self.provider.list_events(self.job_id, after=chain.events[-1].id,
                                                       limit=self.page_size)
                self._extend(chain, page)
        # 3. everything joins up: hand it over, oldest first
        newest_first = [event for chain in self._chains for event in chain.events]
        reached_start = any(chain.reached_start for chain in self._chains)
        self._chains.clear()
        fresh = list(reversed(newest_first))
        if not self.events and reached_start:
            self.history_complete = True
        self._seen.update(event.id for event in fresh)
        self.events.extend(fresh)
        return fresh

    async def _fetch_checkpoints(self) -> list[Checkpoint]:
        found: list[Checkpoint] = []
        after: str | None = None
        while True:
            page = await self.provider.list_checkpoints(self.job_id, after=after, limit=100)
            found.extend(page.items)
            if not page.has_more or not page.items:
                break
            after = page.items[-1].id
        return sorted(found, key=lambda c: c.step_number)

    async def load_history(self, progress: Callable[[int], None] | None = None) -> list[JobEvent]:
        """Page back to the job's first event; returns the older events (oldest first), which are
        also put in front of `events`. Runs beside polling: it only touches events older than
        the oldest one held, which polls never add."""
        async with self._history_lock:
            if self.history_complete:
                return []
            if not self.events:
                result = await self.poll()
                if result is None or result.error is not None:
                    raise (result.error if result and result.error else
                           CoreError("the job is being loaded; try again", kind="api", retryable=True))
                if self.history_complete:
                    return []
            older: list[JobEvent] = []
            after = self.events[0].id
            while True:
                page = await self.provider.list_events(self.job_id, after=after, limit=self.page_size)
                for event in page.items:
                    if event.id not in self._seen:
                        self._seen.add(event.id)
                        older.append(event)
                if progress is not None:
                    progress(len(older))
                if not page.has_more or not page.items:
                    break
                after = page.items[-1].id
            older.reverse()
            self.events[:0] = older
            self.history_complete = True
            return older

    async def run(self, on_result: Callable[[PollResult], None]) -> None:
        """Poll until `stop()`, calling `on_result` after each poll (success or failure)."""
        self._stopped = False
        while not self._stopped:
            result = await self.poll()
            if result is not None:
                on_result(result)
            if self._stopped:
                break
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self.next_delay)
            except TimeoutError:
                pass

    # derived views ----------------------------------------------------------------------------
    def _reads_metrics(self) -> bool:
        from ftui.core.provider import MetricsReader, capabilities_of

        return capabilities_of(self.provider).metrics_source == "metrics" and \
            isinstance(self.provider, MetricsReader)

    def metrics(self) -> list[MetricPoint]:
        """Loss and accuracy per step, oldest first: from the provider's metrics endpoint where it has one,
        else from the metrics events."""
        if self._metric_points is not None:
            return sorted(self._metric_points, key=lambda p: p.step)
        return [p for p in (metric_point(e) for e in self.events) if p is not None]

    def progress(self) -> tuple[int | None, int | None]:
        """(current step, total steps) from the latest metrics point or event."""
        if self._metric_points:
            last = max(self._metric_points, key=lambda p: p.step)
            return last.step, last.total_steps
        for event in reversed(self.events):
            point = metric_point(event)
            if point is not None:
                return point.step, point.total_steps
        return None, None
