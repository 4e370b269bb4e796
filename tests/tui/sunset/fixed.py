"""Fixed radars and a fixed migration plan, so snapshots do not depend on ids, dates or timing."""

from __future__ import annotations

import datetime as dt

from ftui.core.migrate.data import Expected, ResolvedFile
from ftui.core.migrate.hyperparams import map_hyperparameters
from ftui.core.migrate.plan import MigrationPlan
from ftui.core.migrate.sizes import suggest_base
from ftui.core.sunset.radar import ModelSunset, ProfileRadar
from ftui.core.sunset.refusals import Refusal
from ftui.core.types import Job

TODAY = dt.date(2026, 12, 20)
OLD_MODEL = "ft:gpt-4o-mini-2024-07-18:acme:marv:AbC123xy"
STOPS = (f"answers from {OLD_MODEL}: chat, Compare, batch judging and any program calling it",
         f"training further from it (a new job on {OLD_MODEL})")


def radars() -> list[ProfileRadar]:
    return [
        ProfileRadar(profile="work", kind="openai", today=TODAY.isoformat(), can_create_jobs=False,
                     new_jobs_until="2027-01-06", new_jobs_days_left=17, source="OpenAI's deprecation notice",
                     refusal=Refusal("work", "2026-12-18", "Fine-tuning is no longer available for new "
                                     "jobs on this account.", "training_not_available", 403),
                     models=(ModelSunset(OLD_MODEL, "gpt-4o-mini-2024-07-18", "ftjob-abc123",
                                         "2027-01-14", 25, "OpenAI's deprecation notice", STOPS),
                             ModelSunset("ft:gpt-4.1-2025-04-14:acme:support:Zz9", "gpt-4.1-2025-04-14",
                                         None, "2027-01-14", 25, "OpenAI's deprecation notice", STOPS)),
                     stops=("creating fine-tuning jobs (last day 2027-01-06)",)),
        ProfileRadar(profile="az", kind="azure", today=TODAY.isoformat(), can_create_jobs=True,
                     new_jobs_until="2027-04-30", new_jobs_days_left=131, source="Azure retirements",
                     approximate=True),
        ProfileRadar(profile="local", kind="local", today=TODAY.isoformat(), checked=False,
                     problem="the local engine on this machine: no provider can end it"),
    ]


def plan() -> MigrationPlan:
    job = Job(id="ftjob-abc123", model="gpt-4o-mini-2024-07-18", status="succeeded", created_at=0,
              fine_tuned_model=OLD_MODEL, training_file="file-train01", validation_file="file-valid01",
              suffix="marv", hyperparameters={"n_epochs": 3, "batch_size": 1, "learning_rate_multiplier": 2.0},
              seed=42, metadata={"team": "support"})
    candidates = ["SmolLM2-135M-Instruct", "Qwen2.5-0.5B-Instruct"]
    rows, lost = map_hyperparameters(job, "openai", "local", target_methods=("supervised",))
    return MigrationPlan(
        id="mig-0123456789ab", source_profile="work", source_kind="openai", source_job=job,
        target_profile="local", target_kind="local", suggestion=suggest_base(job.model, candidates),
        target_model="Qwen2.5-0.5B-Instruct", rows=rows, not_carried=lost,
        training=ResolvedFile("training", "file-train01", Expected(size=20931, lines=38),
                              "/home/me/marv/train.jsonl", "the upload record's local copy (size and sha256 match)"),
        validation=ResolvedFile("validation", "file-valid01", Expected(size=4210, lines=10), None,
                                needs_user="the provider does not hand it back: point at the validation file; "
                                           "ftui checks size, line count, sha256"),
        candidates=candidates)
