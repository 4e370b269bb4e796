"""Stored (OpenAI-shaped) sandbox records in Together's shapes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ftui.core.server.context import PRIVATE
from ftui.core.server.together import catalog

# The JobRunner's statuses -> Together's
STATUS = {"validating_files": "pending", "queued": "queued", "running": "running",
          "paused": "running", "succeeded": "completed", "failed": "error", "cancelled": "cancelled"}
TOGETHER = "together"  # key in job[PRIVATE] holding the Together request


def iso(seconds: int | float | None) -> str | None:
    if seconds is None:
        return None
    return datetime.fromtimestamp(seconds, UTC).isoformat().replace("+00:00", "Z")


def file_object(f: dict[str, Any]) -> dict[str, Any]:
    name = f["filename"]
    kind = name.rsplit(".", 1)[-1] if name.rsplit(".", 1)[-1] in ("jsonl", "parquet", "csv") else "jsonl"
    return {"id": f["id"], "object": "file", "created_at": f["created_at"], "filename": name,
            "bytes": f["bytes"], "purpose": f["purpose"], "FileType": kind, "Processed": True,
            "processing_status": "COMPLETED"}


def _batch_size(value: Any, model: str, asked: dict[str, Any]) -> int:
    """"max" (the request's default) answered as the number it stands for, as Together does."""
    if isinstance(value, int):
        return value
    kind = "full_training" if asked["training_type"].get("type") == "Full" else "lora_training"
    return catalog.limits(model)[kind]["max_batch_size"]


def job_object(job: dict[str, Any], *, truncated: bool = False, named: bool = True) -> dict[str, Any]:
    """`named` False leaves out the output model's name (SandboxContext.unnamed_outputs)."""
    asked = job[PRIVATE][TOGETHER]
    status = STATUS[job["status"]]
    updated = job.get("finished_at") or job["created_at"]
    hp = job.get("hyperparameters") or {}
    out: dict[str, Any] = {
        "id": job["id"], "status": status, "model": job["model"],
        "created_at": iso(job["created_at"]), "updated_at": iso(updated),
        "training_file": job["training_file"], "validation_file": job.get("validation_file") or "",
        "n_epochs": hp.get("n_epochs", asked.get("n_epochs", 1)),
        "n_checkpoints": asked.get("n_checkpoints", 1), "n_evals": asked.get("n_evals", 0),
        "batch_size": _batch_size(hp.get("batch_size", asked.get("batch_size", "max")), job["model"], asked),
        "learning_rate": asked.get("learning_rate", 1e-5),
        "warmup_ratio": asked.get("warmup_ratio", 0.0),
        "max_grad_norm": asked.get("max_grad_norm", 1.0),
        "weight_decay": asked.get("weight_decay", 0.0),
        "training_method": asked["training_method"],
        "training_type": asked["training_type"],
        "token_count": job.get("trained_tokens") or 0,
    }
    if asked.get("lr_scheduler"):
        out["lr_scheduler"] = asked["lr_scheduler"]
    if asked.get("suffix"):
        out["suffix"] = asked["suffix"]
    if asked.get("wandb_project_name"):
        out["wandb_project_name"] = asked["wandb_project_name"]
    if asked.get("random_seed") is not None:
        out["random_seed"] = asked["random_seed"]
    if named and job.get("fine_tuned_model"):
        out["model_output_name"] = job["fine_tuned_model"]
    if not truncated and asked.get("train_on_inputs") is not None:
        out["train_on_inputs"] = asked["train_on_inputs"]
    if job.get("estimated_finish") and status == "running":
        left = max(0, int(job["estimated_finish"] - datetime.now(UTC).timestamp()))
        out["progress"] = {"estimate_available": True, "seconds_remaining": left}
    return out


def _event_type(e: dict[str, Any], job: dict[str, Any]) -> str:
    text = e["message"].lower()
    if e["level"] == "error":
        return "job_error"
    for needle, kind in (("created fine-tuning job", "job_pending"), ("validating", "training_data_downloading"),
                         ("files validated", "training_data_download_complete"),
                         ("job started", "training_start"), ("checkpoint", "checkpoint_save"),
                         ("new fine-tuned model", "model_upload_complete"),
                         ("successfully completed", "job_complete"), ("cancelled", "job_stopped")):
        if needle in text:
            return kind
    return "warning" if e["level"] == "warn" else "epoch_complete" if e["type"] == "metrics" else "job_start"


def event_object(e: dict[str, Any], job: dict[str, Any]) -> dict[str, Any]:
    data = e.get("data") or {}
    level = {"warn": "warning"}.get(e["level"], e["level"])
    return {"object": "fine-tune-event", "created_at": iso(e["created_at"]), "message": e["message"],
            "type": _event_type(e, job), "level": level if level in ("info", "warning", "error") else "info",
            "param_count": 0, "token_count": 0, "total_steps": int(data.get("total_steps") or 0),
            "wandb_url": "", "step": int(data.get("step") or 0), "checkpoint_path": "",
            "model_path": "", "training_offset": 0, "hash": e["id"]}


def metric_row(e: dict[str, Any]) -> dict[str, float]:
    data = e.get("data") or {}
    row = {"train/global_step": float(data["step"]), "train/loss": float(data["train_loss"])}
    if data.get("total_steps") is not None:
        row["train/total_steps"] = float(data["total_steps"])
    if data.get("train_mean_token_accuracy") is not None:
        row["train/mean_token_accuracy"] = float(data["train_mean_token_accuracy"])
    if data.get("valid_loss") is not None:
        row["eval/loss"] = float(data["valid_loss"])
    return row


def checkpoint_object(c: dict[str, Any], final: bool) -> dict[str, Any]:
    return {"step": c["step_number"], "created_at": iso(c["created_at"]),
            "path": c["fine_tuned_model_checkpoint"],
            "checkpoint_type": f"{'Final' if final else 'Intermediate'} checkpoint, step {c['step_number']}",
            "object_name": c["fine_tuned_model_checkpoint"]}
