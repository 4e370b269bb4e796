"""Which models can be compared: the newest succeeded job's pair, and everything pickable
(models on the account plus checkpoints of succeeded jobs)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from ftui.core.errors import CoreError
from ftui.core.provider import Provider
from ftui.core.types import Job


@dataclass(frozen=True)
class ModelChoice:
    id: str
    kind: str  # "model" | "fine-tune" | "checkpoint"
    note: str = ""  # e.g. "job ftjob-1 step 20"


async def succeeded_jobs(provider: Provider, limit: int = 20) -> list[Job]:
    page = await provider.list_jobs(limit=limit)
    jobs = [j for j in page.items if j.status == "succeeded" and j.fine_tuned_model]
    return sorted(jobs, key=lambda j: (j.finished_at or j.created_at), reverse=True)


async def default_pair(provider: Provider) -> tuple[str, str] | None:
    """(base, fine-tuned) of the newest succeeded job, or None when there is none."""
    jobs = await succeeded_jobs(provider)
    newest = jobs[0] if jobs else None
    if newest is None or not newest.fine_tuned_model:  # succeeded_jobs keeps only jobs with one
        return None
    return newest.model, newest.fine_tuned_model


async def job_of_model(provider: Provider, model: str) -> Job | None:
    """The succeeded job that produced `model` (a fine-tune or one of its checkpoints)."""
    for job in await succeeded_jobs(provider, limit=50):
        if job.fine_tuned_model == model:
            return job
        if model.startswith("ft:") and ":ckpt-step-" in model:
            checkpoints = (await provider.list_checkpoints(job.id)).items
            if any(c.model == model for c in checkpoints):
                return job
    return None


async def model_choices(provider: Provider, max_jobs: int = 10) -> list[ModelChoice]:
    """Models first (fine-tunes marked), then the checkpoints of recent succeeded jobs."""
    models = await provider.list_models()
    choices = [ModelChoice(m.id, "fine-tune" if m.id.startswith("ft:") else "model",
                           m.owned_by) for m in sorted(models, key=lambda m: m.id)]
    jobs = (await succeeded_jobs(provider))[:max_jobs]

    async def checkpoints(job: Job):
        try:
            return job, (await provider.list_checkpoints(job.id)).items
        except CoreError:
            return job, []  # a job whose checkpoints are gone still leaves its models usable

    seen = {c.id for c in choices}
    for job, items in await asyncio.gather(*(checkpoints(j) for j in jobs)):
        for cp in sorted(items, key=lambda c: c.step_number):
            if cp.model not in seen:
                seen.add(cp.model)
                choices.append(ModelChoice(cp.model, "checkpoint",
                                           f"{job.id} step {cp.step_number}"))
    return choices
