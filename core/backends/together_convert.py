"""together SDK objects -> provider-neutral records, and JobSpec -> fine_tuning.create arguments."""

from __future__ import annotations

import hashlib
import os
from datetime import datetime
from typing import Any

from ftui.core.types import (
    ChatRequest,
    ChatResult,
    Checkpoint,
    Job,
    JobError,
    JobEvent,
    JobSpec,
    PriceEstimate,
    RemoteFile,
    Usage,
)
from ftui.core.watch import MetricPoint

# Together's job statuses -> ours; the original is kept in Job.provider_status.
STATUS_MAP: dict[str, str] = {
    "pending": "queued", "queued": "queued", "running": "running",
    "compressing": "running", "uploading": "running", "cancel_requested": "running",
    "cancelled": "cancelled", "error": "failed", "completed": "succeeded",
}
_METHODS = {"sft": "supervised", "dpo": "dpo"}
# JobSpec.hyperparameters keys passed to fine_tuning.create under the same name.
_SAME_NAME = ("n_epochs", "n_checkpoints", "n_evals", "batch_size", "learning_rate",
              "lr_scheduler_type", "min_lr_ratio", "warmup_ratio", "max_grad_norm",
              "weight_decay", "lora_r", "lora_alpha", "lora_dropout", "lora_trainable_modules",
              "dpo_beta")
_BOOL_WORDS = {"true": True, "false": False}


def epoch(value: Any) -> int:
    """Together sends datetimes (or ISO strings, or nothing); we keep Unix seconds."""
    if isinstance(value, datetime):
        return int(value.timestamp())
    if isinstance(value, str) and value:
        try:
            return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp())
        except ValueError:
            return 0
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return int(value)
    return 0


def remote_file(f: Any) -> RemoteFile:
    status = getattr(f, "processing_status", None)
    return RemoteFile(id=f.id, filename=f.filename, purpose=str(f.purpose), bytes=f.bytes or 0,
                      created_at=epoch(f.created_at), status=str(status).lower() if status else None)


def _hyperparameters(j: Any) -> dict[str, Any]:
    hp: dict[str, Any] = {}
    for name in ("n_epochs", "n_checkpoints", "n_evals", "batch_size", "learning_rate",
                 "warmup_ratio", "max_grad_norm", "weight_decay", "train_on_inputs"):
        value = getattr(j, name, None)
        if value is not None:
            hp[name] = value
    scheduler = getattr(j, "lr_scheduler", None)
    if scheduler is not None:
        hp["lr_scheduler_type"] = scheduler.lr_scheduler_type
    kind = getattr(j, "training_type", None)
    if kind is not None:
        hp["training_type"] = kind.type
        for name in ("lora_r", "lora_alpha", "lora_dropout", "lora_trainable_modules"):
            value = getattr(kind, name, None)
            if value is not None:
                hp[name] = value
    method = getattr(j, "training_method", None)
    if method is not None and getattr(method, "dpo_beta", None) is not None:
        hp["dpo_beta"] = method.dpo_beta
    return hp


def _error(j: Any, status: str) -> JobError | None:
    if status != "error":
        return None
    # The reason is in the job's last error event when the job carries its events.
    for event in reversed(getattr(j, "events", None) or []):
        if getattr(event, "level", None) == "error" or event.type == "job_error":
            return JobError(code="job_error", message=event.message)
    return JobError(code="job_error", message="the job failed (see its events)")


def job(j: Any) -> Job:
    status = str(j.status)
    ours = STATUS_MAP.get(status, status)
    method = getattr(j, "training_method", None)
    progress = getattr(j, "progress", None)
    finished = ours in ("succeeded", "failed", "cancelled")
    estimate = None
    if progress is not None and progress.estimate_available and not finished:
        estimate = epoch(getattr(j, "updated_at", None)) + int(progress.seconds_remaining)
    return Job(
        id=j.id, model=j.model or "", status=ours, created_at=epoch(j.created_at),
        fine_tuned_model=getattr(j, "x_model_output_name", None) or None,
        finished_at=epoch(j.updated_at) if finished and j.updated_at else None,
        trained_tokens=getattr(j, "token_count", None),
        training_file=j.training_file, validation_file=j.validation_file or None,
        suffix=getattr(j, "suffix", None),
        method=_METHODS.get(getattr(method, "method", "sft"), "supervised"),
        hyperparameters=_hyperparameters(j), seed=getattr(j, "random_seed", None),
        estimated_finish=estimate, error=_error(j, status),
        provider_status=status if status != ours else None,
    )


def job_events(job_id: str, events: list[Any]) -> list[JobEvent]:
    """Together's events, oldest first and without ids or a cursor, as ours: each gets an id
    made from its content and how often that content came before, so the same event has the
    same id on every poll and two identical events still differ."""
    seen: dict[str, int] = {}
    out: list[JobEvent] = []
    for e in events:
        key = f"{e.created_at}|{e.type}|{e.message}"
        n = seen.get(key, 0)
        seen[key] = n + 1
        digest = hashlib.sha1(f"{job_id}|{key}|{n}".encode()).hexdigest()[:16]
        data = {name: value for name in ("checkpoint_path", "wandb_url", "token_count",
                                         "param_count", "total_steps")
                if (value := getattr(e, name, None)) is not None}
        if getattr(e, "step", None) is not None:
            data["at_step"] = e.step  # not "step": that key marks metric events in core.watch
        level = str(e.level or "info").removeprefix("legacy_i").removeprefix("legacy_")
        out.append(JobEvent(id=f"ev-{digest}", created_at=epoch(e.created_at), level=level,
                            message=e.message, type=str(e.type), data=data or None))
    return out


def checkpoint(job_id: str, c: Any) -> Checkpoint:
    # What chat takes for a checkpoint: its registry name when there is one, else its path.
    name = getattr(c, "object_name", None) or c.path
    return Checkpoint(id=f"{job_id}:{c.step}", created_at=epoch(c.created_at), job_id=job_id,
                      model=name, step_number=int(c.step))


def _typed(name: str, value: Any) -> Any:
    if name == "train_on_inputs" and isinstance(value, str):
        return _BOOL_WORDS.get(value.lower(), value)
    return value


def job_create_args(spec: JobSpec) -> dict[str, Any]:
    """Keyword arguments for `fine_tuning.create`; the SDK asks the model's limits, fills its
    own defaults (e.g. the LoRA rank) and checks the bounds itself."""
    hp = {k: v for k, v in spec.hyperparameters.items() if v is not None and v != "auto"}
    args: dict[str, Any] = {"training_file": spec.training_file, "model": spec.model}
    for name in _SAME_NAME:
        if name in hp:
            args[name] = hp[name]
    if "training_type" in hp:
        args["lora"] = str(hp["training_type"]).lower() == "lora"
    args["training_method"] = "dpo" if spec.method == "dpo" else "sft"
    if spec.method != "dpo":
        args["train_on_inputs"] = _typed("train_on_inputs", hp.get("train_on_inputs", "auto"))
    if spec.validation_file:
        args["validation_file"] = spec.validation_file
    if spec.suffix:
        args["suffix"] = spec.suffix
    if spec.seed is not None:
        args["random_seed"] = spec.seed
    if spec.wandb_project:
        args["wandb_project_name"] = spec.wandb_project
        key = os.environ.get("WANDB_API_KEY")
        if key:  # Together reports to W&B with the user's own key; never shown or stored
            args["wandb_api_key"] = key
    return args


def _metric(row: dict[str, float], *names: str) -> float | None:
    for name in names:
        if name in row:
            return float(row[name])
    return None


def metric_points(rows: list[dict[str, float]]) -> list[MetricPoint]:
    """/fine-tunes/{id}/metrics rows ("train/loss", "eval/loss", "train/global_step", ...) as
    the chart's points; rows without a step are skipped."""
    points: list[MetricPoint] = []
    for row in rows:
        step = _metric(row, "train/global_step", "global_step", "eval/global_step", "step")
        if step is None:
            continue
        total = _metric(row, "train/total_steps", "total_steps")
        points.append(MetricPoint(
            step=int(step), total_steps=int(total) if total is not None else None,
            train_loss=_metric(row, "train/loss", "train_loss"),
            valid_loss=_metric(row, "eval/loss", "valid_loss"),
            train_accuracy=_metric(row, "train/mean_token_accuracy", "train/accuracy"),
            valid_accuracy=_metric(row, "eval/mean_token_accuracy", "eval/accuracy")))
    return points


def estimate_args(args: dict[str, Any], limits: Any) -> dict[str, Any]:
    """estimate-price's body for a launch, built by the SDK's own request builder."""
    from together.lib.resources.fine_tuning import create_finetune_request

    accepted = {k: v for k, v in args.items() if k not in ("wandb_api_key",)}
    request, training_type, training_method = create_finetune_request(model_limits=limits,
                                                                      **accepted)
    out: dict[str, Any] = {"training_file": args["training_file"], "model": args["model"],
                           "n_epochs": request.n_epochs, "n_evals": request.n_evals or 0,
                           "training_method": training_method}
    if training_type is not None:
        out["training_type"] = training_type
    if args.get("validation_file"):
        out["validation_file"] = args["validation_file"]
    return out


def price_estimate(e: Any) -> PriceEstimate:
    if not getattr(e, "estimation_available", False):
        reason = str(getattr(e, "unavailable_reason", "") or "not available").replace("_", " ")
        return PriceEstimate(available=False, reason=reason)
    def whole(value: Any) -> int | None:
        return int(value) if value is not None else None
    return PriceEstimate(available=True, total=e.estimated_total_price,
                         train_tokens=whole(e.estimated_train_token_count),
                         eval_tokens=whole(e.estimated_eval_token_count),
                         allowed_to_proceed=e.allowed_to_proceed, user_limit=e.user_limit)


def chat_args(request: ChatRequest) -> dict[str, Any]:
    args: dict[str, Any] = {"model": request.model, "messages": request.messages}
    for name in ("temperature", "top_p", "n", "stop", "seed"):
        value = getattr(request, name)
        if value is not None:
            args[name] = value
    if request.max_completion_tokens is not None:
        args["max_tokens"] = request.max_completion_tokens  # Together's name for it
    return args


def chat_result(r: Any) -> ChatResult:
    usage = None
    if r.usage is not None:
        usage = Usage(prompt_tokens=r.usage.prompt_tokens,
                      completion_tokens=r.usage.completion_tokens,
                      total_tokens=r.usage.total_tokens)
    choices = sorted(r.choices, key=lambda c: c.index or 0)
    return ChatResult(model=r.model, choices=[(c.message.content if c.message else None) or ""
                                              for c in choices],
                      finish_reasons=[c.finish_reason for c in choices], usage=usage)
