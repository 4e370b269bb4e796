"""OpenAI SDK objects -> provider-neutral records, and JobSpec/ChatRequest -> SDK arguments."""

from __future__ import annotations

from typing import Any

from openai.types import FileObject, Model
from openai.types.chat import ChatCompletion
from openai.types.completion_usage import CompletionUsage
from openai.types.fine_tuning import FineTuningJob, FineTuningJobEvent
from openai.types.fine_tuning.jobs import FineTuningJobCheckpoint

from ftui.core.catalog import is_fine_tunable, shutdown_date
from ftui.core.types import (
    ChatRequest,
    ChatResult,
    Checkpoint,
    Job,
    JobError,
    JobEvent,
    JobSpec,
    ModelInfo,
    RemoteFile,
    Usage,
)


def remote_file(f: FileObject) -> RemoteFile:
    return RemoteFile(id=f.id, filename=f.filename, purpose=str(f.purpose), bytes=f.bytes or 0,
                      created_at=f.created_at, status=getattr(f, "status", None))


def _hyperparameters(job: FineTuningJob) -> dict[str, Any]:
    # Method-specific hyperparameters (e.g. DPO's beta) are the complete set when present.
    method = job.method
    if method is not None:
        detail = getattr(method, method.type, None)
        hp = getattr(detail, "hyperparameters", None) if detail is not None else None
        if hp is not None:
            return hp.model_dump(exclude_none=True)
    return job.hyperparameters.model_dump(exclude_none=True) if job.hyperparameters else {}


def _suffix(job: FineTuningJob) -> str | None:
    explicit = getattr(job, "user_provided_suffix", None)
    if explicit:
        return explicit
    # ft:BASE:ORG:SUFFIX:ID, where SUFFIX is empty when none was given
    parts = (job.fine_tuned_model or "").split(":")
    return parts[3] or None if len(parts) >= 5 else None


def job(j: FineTuningJob) -> Job:
    err = None
    if j.error is not None and (j.error.message or j.error.code):
        err = JobError(code=j.error.code, message=j.error.message or "", param=j.error.param)
    return Job(
        id=j.id, model=j.model, status=str(j.status), created_at=j.created_at,
        fine_tuned_model=j.fine_tuned_model, finished_at=j.finished_at,
        trained_tokens=j.trained_tokens, training_file=j.training_file,
        validation_file=j.validation_file, suffix=_suffix(j),
        method=j.method.type if j.method is not None else "supervised",
        hyperparameters=_hyperparameters(j), seed=j.seed, estimated_finish=j.estimated_finish,
        result_files=list(j.result_files or []),
        metadata=dict(j.metadata) if j.metadata else None, error=err,
    )


def job_event(e: FineTuningJobEvent) -> JobEvent:
    data = e.data if isinstance(e.data, dict) else None
    return JobEvent(id=e.id, created_at=e.created_at, level=str(e.level), message=e.message,
                    type=str(e.type or "message"), data=data)


def checkpoint(c: FineTuningJobCheckpoint) -> Checkpoint:
    metrics = c.metrics.model_dump(exclude_none=True) if c.metrics is not None else {}
    return Checkpoint(id=c.id, created_at=c.created_at, job_id=c.fine_tuning_job_id,
                      model=c.fine_tuned_model_checkpoint, step_number=c.step_number,
                      metrics={k: float(v) for k, v in metrics.items() if isinstance(v, (int, float))})


LOCAL_OWNER = "local"  # what core/server/routes_models.py says a local engine's base model is


def model_info(m: Model) -> ModelInfo:
    return ModelInfo(id=m.id, created=m.created or 0, owned_by=m.owned_by or "",
                     # a local engine's base models (owned_by "local") are all fine-tunable
                     fine_tunable=is_fine_tunable(m.id) or m.owned_by == LOCAL_OWNER,
                     shutdown_date=getattr(m, "shutdown_date", None) or shutdown_date(m.id),
                     fine_tuned=m.id.startswith("ft:"))  # OpenAI's (and our servers') tuned-model ids


def usage(u: CompletionUsage | None) -> Usage | None:
    if u is None:
        return None
    return Usage(prompt_tokens=u.prompt_tokens, completion_tokens=u.completion_tokens,
                 total_tokens=u.total_tokens)


def chat_result(c: ChatCompletion) -> ChatResult:
    choices = sorted(c.choices, key=lambda ch: ch.index)
    return ChatResult(model=c.model, choices=[ch.message.content or "" for ch in choices],
                      finish_reasons=[ch.finish_reason for ch in choices], usage=usage(c.usage))


def job_create_args(spec: JobSpec) -> dict[str, Any]:
    """Keyword arguments for `fine_tuning.jobs.create`; hyperparameters go under `method`."""
    method: dict[str, Any] = {"type": spec.method}
    if spec.hyperparameters:
        method[spec.method] = {"hyperparameters": dict(spec.hyperparameters)}
    args: dict[str, Any] = {"model": spec.model, "training_file": spec.training_file, "method": method}
    optional = {"validation_file": spec.validation_file, "suffix": spec.suffix,
                "seed": spec.seed, "metadata": spec.metadata}
    args.update({k: v for k, v in optional.items() if v is not None})
    if spec.wandb_project:
        args["integrations"] = [{"type": "wandb", "wandb": {"project": spec.wandb_project}}]
    return args


def chat_args(request: ChatRequest, model: str) -> dict[str, Any]:
    args: dict[str, Any] = {"model": model, "messages": request.messages}
    optional = {"temperature": request.temperature, "top_p": request.top_p, "n": request.n,
                "stop": request.stop, "max_completion_tokens": request.max_completion_tokens,
                "seed": request.seed}
    args.update({k: v for k, v in optional.items() if v is not None})
    return args
