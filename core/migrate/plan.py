"""A migration plan: the source job, the target's suggested base model, the mapped hyperparameters,
the data found and checked, and the JobSpec; `launch_migration` uploads the data to the target,
creates the job and saves the migration record."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from ftui.core.errors import CoreError
from ftui.core.migrate.data import ResolvedFile, resolve_file
from ftui.core.migrate.hyperparams import (
    MappedValue,
    map_hyperparameters,
    spec_hyperparameters,
)
from ftui.core.migrate.records import migrations_dir, save_migration
from ftui.core.migrate.sizes import BaseSuggestion, suggest_base
from ftui.core.provider import HyperparameterSource, capabilities_of
from ftui.core.sunset.radar import kind_of
from ftui.core.types import Job, JobSpec, is_training_method

JOB_PAGES = 10


@dataclass
class MigrationPlan:
    id: str
    source_profile: str
    source_kind: str
    source_job: Job
    target_profile: str
    target_kind: str
    suggestion: BaseSuggestion
    target_model: str | None  # the suggestion, or what the user picked
    rows: list[MappedValue]
    not_carried: list[str]
    training: ResolvedFile
    validation: ResolvedFile | None = None
    candidates: list[str] = field(default_factory=list)  # every base the target can fine-tune

    @property
    def ready(self) -> bool:
        files = [self.training] + ([self.validation] if self.validation else [])
        return self.target_model is not None and all(f.ready for f in files)

    def waiting_for(self) -> list[str]:
        """What must still be given before launching, in words."""
        found = [] if self.target_model else ["a target base model: " + self.suggestion.reason]
        for f in (self.training, self.validation):
            if f is not None and not f.ready:
                found.append(f"the {f.role} file {f.file_id}: {f.needs_user}")
        return found

    def spec(self, training_file: str, validation_file: str | None = None) -> JobSpec:
        """The JobSpec for the target, with the target's own file ids."""
        method = next((r.target_value for r in self.rows if r.target_name == "method"), "supervised")
        if not is_training_method(method):  # map_hyperparameters keeps only methods the target has
            raise CoreError(f"A {method} job cannot be launched on the target", kind="input",
                            hint="migrate a supervised or DPO job")
        job = self.source_job
        return JobSpec(model=self.target_model or "", training_file=training_file,
                       validation_file=validation_file, suffix=job.suffix, method=method,
                       hyperparameters=spec_hyperparameters(self.rows), seed=job.seed,
                       metadata=None if self.target_kind == "together" else job.metadata)


async def find_source_job(provider: Any, job_or_model: str) -> Job:
    """The job itself, or the job that made the fine-tuned model called `job_or_model`."""
    try:
        return await provider.retrieve_job(job_or_model)
    except CoreError as exc:
        if exc.status not in (400, 404, None):
            raise
    after = None
    for _ in range(JOB_PAGES):
        page = await provider.list_jobs(after=after, limit=100)
        for job in page.items:
            if job.fine_tuned_model == job_or_model:
                return job
        if not page.has_more or not page.items:
            break
        after = page.last_id
    raise CoreError(f"No job or fine-tuned model {job_or_model!r} on this account", kind="input",
                    hint="pick a job (ftjob-...) or a fine-tuned model from the Jobs or Models list")


async def target_base_models(provider: Any, kind: str) -> list[str]:
    """The base models the target can fine-tune."""
    if isinstance(provider, HyperparameterSource):
        return list(await provider.fine_tunable_models())
    models = await provider.list_models()
    if kind == "local":  # the engine lists its own base models as owned by "local"
        return [m.id for m in models if m.owned_by == "local"]
    return [m.id for m in models if m.fine_tunable and not m.id.startswith("ft:")]


async def plan_migration(source: Any, source_profile: str, job_or_model: str, target: Any,
                         target_profile: str, *, target_model: str | None = None,
                         user_paths: dict[str, Path | str] | None = None,
                         source_kind: str | None = None, target_kind: str | None = None) -> MigrationPlan:
    """Everything needed to re-run the job on `target`. `user_paths` ("training"/"validation" -> path)
    are the files the user pointed at; a file that is not the one the job used raises CoreError
    saying what differs. The plan may still wait for a path (`plan.waiting_for()`)."""
    user_paths = dict(user_paths or {})
    source_kind = source_kind or kind_of(source, source_profile)
    target_kind = target_kind or kind_of(target, target_profile)
    job = await find_source_job(source, job_or_model)
    if not job.training_file:
        raise CoreError(f"Job {job.id} names no training file", kind="input")
    candidates = await target_base_models(target, target_kind)
    suggestion = suggest_base(job.model, candidates)
    chosen = target_model or suggestion.model
    if target_model and candidates and target_model not in candidates:
        raise CoreError(f"{target_model} is not a model {target_profile} can fine-tune", kind="input",
                        hint="pick one of: " + ", ".join(candidates[:8]))
    fields = []
    if chosen and isinstance(target, HyperparameterSource):
        fields = await target.hyperparameter_fields(chosen)
    elif chosen:
        fields = list(capabilities_of(target).hyperparameters)
    rows, lost = map_hyperparameters(job, source_kind, target_kind, target_fields=fields,
                                     target_methods=capabilities_of(target).methods)
    plan_id = f"mig-{secrets.token_hex(6)}"
    work = migrations_dir() / plan_id
    training = await resolve_file(source, source_profile, job.training_file, "training", work_dir=work,
                                  user_path=user_paths.get("training"))
    validation = None
    if job.validation_file:
        validation = await resolve_file(source, source_profile, job.validation_file, "validation",
                                        work_dir=work, user_path=user_paths.get("validation"))
    return MigrationPlan(id=plan_id, source_profile=source_profile, source_kind=source_kind, source_job=job,
                         target_profile=target_profile, target_kind=target_kind, suggestion=suggestion,
                         target_model=chosen, rows=rows, not_carried=lost, training=training,
                         validation=validation, candidates=candidates)


def choose_model(plan: MigrationPlan, model: str) -> MigrationPlan:
    """The plan with another target base (re-plan with target_model= to re-check bounds)."""
    return replace(plan, target_model=model)


async def launch_migration(plan: MigrationPlan, target: Any, *, progress=None,
                           now: dt.datetime | None = None) -> tuple[Job, dict[str, Any]]:
    """Upload the data to the target, create the job, save and return the migration record."""
    if not plan.ready:
        raise CoreError("The migration cannot launch yet: " + "; ".join(plan.waiting_for()), kind="input")
    training = await target.upload_file(plan.training.local_path(), progress=progress)
    validation = None
    if plan.validation is not None:
        validation = await target.upload_file(plan.validation.local_path(), progress=progress)
    spec = plan.spec(training.id, validation.id if validation else None)
    job = await target.create_job(spec)
    record = {
        "id": plan.id,
        "created": (now or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds"),
        "source": {"profile": plan.source_profile, "kind": plan.source_kind, "job_id": plan.source_job.id,
                   "model": plan.source_job.model, "fine_tuned_model": plan.source_job.fine_tuned_model},
        "target": {"profile": plan.target_profile, "kind": plan.target_kind, "model": plan.target_model,
                   "job_id": job.id, "training_file": training.id,
                   "validation_file": validation.id if validation else None},
        "suggestion": asdict(plan.suggestion),
        "spec": asdict(spec),
        "hyperparameters": [asdict(r) for r in plan.rows],
        "not_carried": list(plan.not_carried),
        "data": [{"role": f.role, "source_file": f.file_id, "path": f.path, "how": f.how}
                 for f in (plan.training, plan.validation) if f is not None],
        "verdict": None,
    }
    save_migration(record)
    return job, record
