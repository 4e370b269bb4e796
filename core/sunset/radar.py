"""The sunset radar: for one profile, whether it can still create fine-tuning jobs and until when,
and each fine-tuned model with its base, shutdown date, days left and what stops working."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from ftui.core import catalog
from ftui.core.errors import CoreError
from ftui.core.sunset.facts import SunsetTable, load_sunset
from ftui.core.sunset.refusals import Refusal, refusal_for
from ftui.core.types import Job

HEADER_WITHIN_DAYS = 30  # the header shows a deadline closer than this
JOB_PAGES = 10  # pages of 100 jobs read to find which job made which model


@dataclass(frozen=True)
class ModelSunset:
    model: str
    base_model: str | None
    job_id: str | None  # the job that made it, when the account still lists it
    shutdown_date: str | None
    days_left: int | None  # None: no date known
    source: str  # where the date comes from
    stops: tuple[str, ...] = ()  # what stops working on that day


@dataclass(frozen=True)
class ProfileRadar:
    profile: str
    kind: str
    today: str
    checked: bool = True
    problem: str | None = None  # why it was not checked (no key, cannot connect)
    can_create_jobs: bool | None = None  # None: not checked
    new_jobs_until: str | None = None
    new_jobs_days_left: int | None = None
    source: str = ""  # of new_jobs_until
    approximate: bool = False
    refusal: Refusal | None = None
    models: tuple[ModelSunset, ...] = ()
    stops: tuple[str, ...] = ()  # what stops on the profile's own deadline

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Deadline:
    profile: str
    what: str  # "new fine-tuning jobs" or a model's id
    date: str
    days_left: int

    def headline(self) -> str:
        days = "today" if self.days_left == 0 else f"in {self.days_left} day{'s' * (self.days_left != 1)}"
        return f"{self.profile}: {self.what} end {self.date} ({days})"


def days_between(today: dt.date, date: str | None) -> int | None:
    return None if date is None else (dt.date.fromisoformat(date) - today).days


def kind_of(provider: Any, profile_name: str) -> str:
    """The profile's kind from the config, or what the provider shows of itself."""
    if getattr(provider, "simulated", False):
        return "sandbox"
    from ftui.core.settings import load_settings

    try:
        return load_settings(profile_name).kind
    except CoreError:
        pass
    return "together" if type(provider).__name__ == "TogetherProvider" else "openai"


def not_checked(profile: str, kind: str, problem: str, *, today: dt.date) -> ProfileRadar:
    return ProfileRadar(profile=profile, kind=kind, today=today.isoformat(), checked=False,
                        problem=problem)


async def _jobs_by_model(provider: Any) -> dict[str, Job]:
    found: dict[str, Job] = {}
    after = None
    for _ in range(JOB_PAGES):
        page = await provider.list_jobs(after=after, limit=100)
        for job in page.items:
            if job.fine_tuned_model:
                found.setdefault(job.fine_tuned_model, job)
        if not page.has_more or not page.items:
            break
        after = page.last_id
    return found


def _model_stops(model: str, base: str | None) -> tuple[str, ...]:
    stops = [f"answers from {model}: chat, Compare, batch judging and any program calling it"]
    if base:
        stops.append(f"training further from it (a new job on {model})")
    return tuple(stops)


async def radar(provider: Any, profile_name: str, *, today: dt.date, kind: str | None = None,
                table: SunsetTable | None = None) -> ProfileRadar:
    """What ends when on this profile's account. Raises CoreError when the account cannot be read."""
    kind = kind or kind_of(provider, profile_name)
    table = table or load_sunset()
    window = table.window(kind, profile_name)
    refusal = refusal_for(profile_name)
    jobs_left = days_between(today, window.new_jobs_until)
    can_create = refusal is None and (jobs_left is None or jobs_left >= 0)
    jobs = await _jobs_by_model(provider)
    listed = await provider.list_models()
    models = []
    for info in listed:
        job = jobs.get(info.id)
        if job is None and not info.id.startswith("ft:"):
            continue  # a base model, not one of the account's fine-tunes
        base = job.model if job else catalog.base_model(info.id)
        date, source = table.model_shutdown(info.id, kind=kind, profile=profile_name,
                                            api_date=info.shutdown_date)
        models.append(ModelSunset(model=info.id, base_model=base, job_id=job.id if job else None,
                                  shutdown_date=date, days_left=days_between(today, date),
                                  source=source, stops=_model_stops(info.id, base)))
    models.sort(key=lambda m: (m.days_left is None, m.days_left or 0, m.model))
    stops: tuple[str, ...] = ()
    if window.new_jobs_until:
        stops = (f"creating fine-tuning jobs (last day {window.new_jobs_until})",
                 "re-running a job with new data or hyperparameters on this account")
    return ProfileRadar(profile=profile_name, kind=kind, today=today.isoformat(),
                        can_create_jobs=can_create, new_jobs_until=window.new_jobs_until,
                        new_jobs_days_left=jobs_left, source=window.source,
                        approximate=window.approximate, refusal=refusal, models=tuple(models),
                        stops=stops)


def nearest_deadline(radars: list[ProfileRadar], today: dt.date, *,
                     within_days: int = HEADER_WITHIN_DAYS) -> Deadline | None:
    """The closest deadline still ahead (today included) and under `within_days` away, for the header."""
    found: list[Deadline] = []
    for r in radars:
        if not r.checked:
            continue
        if r.can_create_jobs and r.new_jobs_until and r.new_jobs_days_left is not None:
            found.append(Deadline(r.profile, "new fine-tuning jobs", r.new_jobs_until, r.new_jobs_days_left))
        found += [Deadline(r.profile, m.model, m.shutdown_date, m.days_left) for m in r.models
                  if m.shutdown_date and m.days_left is not None]
    ahead = [d for d in found if 0 <= d.days_left < within_days]
    return min(ahead, key=lambda d: (d.days_left, d.profile, d.what), default=None)
