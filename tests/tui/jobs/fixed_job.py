"""A sandbox account holding one finished job with fixed ids and times, its three checkpoints,
metric events and result file, written to a data folder before the sandbox opens it (the sandbox
keeps its state there between runs): pictures of the job view that must not change."""

from __future__ import annotations

from pathlib import Path

from ftui.core.server.context import PRIVATE
from ftui.core.server.store import Store

JOB_ID = "ftjob-fixed0000000000marv01"
BASE = "gpt-4o-mini-2024-07-18"
TUNED = f"ft:{BASE}:sandbox:marv:AbC123xy"
RESULT_ID = "file-result00000000000001"
FINISHED_AT = 1_764_000_000  # 2025-11-24 16:00 UTC
STARTED_AT = FINISHED_AT - 754
STEPS = 30


def loss(step: int) -> float:
    return round(2.0 * 0.93 ** step + 0.05, 4)


def seed_finished_job(data_dir: Path) -> None:
    """Store the job, its events, checkpoints (steps 10, 20, 30), result CSV and model."""
    job = {"id": JOB_ID, "object": "fine_tuning.job", "created_at": STARTED_AT, "error": None,
           "fine_tuned_model": TUNED, "finished_at": FINISHED_AT, "model": BASE,
           "hyperparameters": {"n_epochs": 3, "batch_size": 1, "learning_rate_multiplier": 1.8},
           "organization_id": "org-sandbox", "result_files": [RESULT_ID], "status": "succeeded",
           "trained_tokens": 48_213, "training_file": "file-marv000000000000000", "validation_file": None,
           "integrations": None, "seed": 42, "estimated_finish": None, "metadata": None,
           "user_provided_suffix": "marv",
           "method": {"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": 3}}},
           PRIVATE: {"requested": {}, "step": STEPS}}
    store = Store(data_dir)
    try:
        store.put("jobs", job)
        for step in range(1, STEPS + 1):
            data = {"step": step, "total_steps": STEPS, "train_loss": loss(step),
                    "train_mean_token_accuracy": round(1 - loss(step) / 2.5, 4)}
            store.put("events", {"object": "fine_tuning.job.event", "id": f"ftevent-fixed{step:04d}",
                                 "created_at": STARTED_AT + step * 20, "level": "info", "type": "metrics",
                                 "message": f"Step {step}/{STEPS}: training loss={loss(step):.4f}",
                                 "data": data}, job_id=JOB_ID)
        for n, step in enumerate((10, 20, 30)):
            name = f"{TUNED}:ckpt-step-{step}" if step < STEPS else TUNED
            store.put("checkpoints", {
                "object": "fine_tuning.job.checkpoint", "id": f"ftckpt_fixed{n}",
                "created_at": STARTED_AT + step * 20, "fine_tuned_model_checkpoint": name,
                "fine_tuning_job_id": JOB_ID, "step_number": step,
                "metrics": {"train_loss": loss(step), "full_valid_loss": loss(step) + 0.2,
                            "train_mean_token_accuracy": round(1 - loss(step) / 2.5, 4)}},
                job_id=JOB_ID, model=name)
        rows = ["step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy"]
        rows += [f"{s},{loss(s)},{round(1 - loss(s) / 2.5, 4)},{'' if s % 5 else loss(s) + 0.2},"
                 for s in range(1, STEPS + 1)]
        content = ("\n".join(rows) + "\n").encode()
        store.blob_path("files", RESULT_ID).write_bytes(content)
        store.put("files", {"id": RESULT_ID, "object": "file", "bytes": len(content),
                            "created_at": FINISHED_AT, "filename": "step_metrics.csv",
                            "purpose": "fine-tune-results", "status": "processed"},
                  purpose="fine-tune-results")
        store.put("models", {"id": TUNED, "object": "model", "created": FINISHED_AT,
                             "owned_by": "org-sandbox", PRIVATE: {"job_id": JOB_ID, "base": BASE}},
                  job_id=JOB_ID)
    finally:
        store.close()
