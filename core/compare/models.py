"""Which models can be compared: the newest succeeded job's pair, and everything pickable
(models on the account plus checkpoints of succeeded jobs). Where the provider serves a tuned
model only on a dedicated endpoint (Capabilities.deploy_before_chat), a tuned model or checkpoint
is offered under its ready endpoint's name, and not at all while it has none: it would be refused."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass

from ftui.core.errors import CoreError
from ftui.core.provider import Provider, deployer_of
from ftui.core.types import Deployment, Job


@dataclass(frozen=True)
class ModelChoice:
    id: str
    kind: str  # "model" | "fine-tune" | "checkpoint"
    note: str = ""  # e.g. "job ftjob-1 step 20"


def chat_name(deployments: Iterable[Deployment], model: str) -> str | None:
    """The name a ready endpoint serving `model` answers under, or None when none is ready."""
    return next((d.chat_model for d in deployments if d.model == model and d.ready), None)


async def served_names(provider: Provider) -> dict[str, str] | None:
    """Tuned model -> the name its ready endpoint answers under; None where tuned models answer
    as they are (no deployment step)."""
    deployer = deployer_of(provider)
    if deployer is None:
        return None
    deployments = await deployer.list_deployments()
    return {d.model: name for d in deployments if (name := chat_name(deployments, d.model))}


async def succeeded_jobs(provider: Provider, limit: int = 20) -> list[Job]:
    page = await provider.list_jobs(limit=limit)
    jobs = [j for j in page.items if j.status == "succeeded" and j.fine_tuned_model]
    return sorted(jobs, key=lambda j: (j.finished_at or j.created_at), reverse=True)


async def default_pair(provider: Provider) -> tuple[str, str] | None:
    """(base, fine-tuned) of the newest succeeded job, or None when there is none."""
    jobs = await succeeded_jobs(provider)
    served = await served_names(provider)
    for job in jobs:
        if not job.fine_tuned_model:  # succeeded_jobs keeps only jobs with one
            continue
        if served is None:
            return job.model, job.fine_tuned_model
        if job.fine_tuned_model in served:  # the newest whose model is deployed and ready
            return job.model, served[job.fine_tuned_model]
    return None


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
    served = await served_names(provider)

    def choice(model: str, kind: str, note: str) -> ModelChoice | None:
        if served is None:
            return ModelChoice(model, kind, note)
        endpoint = served.get(model)  # only a ready endpoint answers for it
        return ModelChoice(endpoint, kind, f"endpoint of {model}") if endpoint else None

    choices = []
    for m in sorted(models, key=lambda m: m.id):
        tuned = m.fine_tuned or m.id.startswith("ft:")
        found = choice(m.id, "fine-tune", m.owned_by) if tuned else ModelChoice(m.id, "model", m.owned_by)
        if found is not None:
            choices.append(found)
    jobs = (await succeeded_jobs(provider))[:max_jobs]

    async def checkpoints(job: Job):
        try:
            return job, (await provider.list_checkpoints(job.id)).items
        except CoreError:
            return job, []  # a job whose checkpoints are gone still leaves its models usable

    seen = {c.id for c in choices}
    for job, items in await asyncio.gather(*(checkpoints(j) for j in jobs)):
        for cp in sorted(items, key=lambda c: c.step_number):
            found = choice(cp.model, "checkpoint", f"{job.id} step {cp.step_number}")
            if found is not None and found.id not in seen:
                seen.add(found.id)
                choices.append(found)
    return choices
