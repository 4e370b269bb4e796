"""A Together sandbox account with fixed contents, for pictures that must not change: one finished
fine-tune with a known id and times, written to a data folder before the sandbox opens it (the
sandbox keeps its state there between runs), and an app whose Models screen reads a fixed clock."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from ftui.core.server.context import PRIVATE
from ftui.core.server.store import Store
from ftui.core.server.together import catalog
from ftui.core.server.together.shapes import TOGETHER
from ftui.tui.screens.models.models import ModelsScreen
from ftui.tui.shell.app import FtuiApp

ROOT = Path(__file__).resolve().parents[3]
JOB_ID = "ft-5a1e0f1x3d0000000000marv"
BASE = catalog.FINE_TUNABLE[0]
TUNED = f"ft:{BASE}:sandbox:marv:{JOB_ID[-8:]}"
FINISHED_AT = 1_764_000_000  # 2025-11-24 16:00 UTC
ENDPOINT_AGE = 754.0  # seconds the endpoint has run when the picture is taken: $0.30 so far on an L40S


def seed_finished_job(data_dir: Path) -> None:
    """Store a succeeded LoRA job and its model as the sandbox itself records them."""
    asked = {"n_epochs": 2, "batch_size": 8, "n_checkpoints": 1, "n_evals": 0, "learning_rate": 1e-5,
             "warmup_ratio": 0.0, "max_grad_norm": 1.0, "weight_decay": 0.0, "lr_scheduler": None,
             "suffix": "marv", "random_seed": None,
             "training_type": {"type": "Lora", "lora_r": 16, "lora_alpha": 32, "lora_dropout": 0.0,
                               "lora_trainable_modules": "all-linear"},
             "training_method": {"method": "sft", "train_on_inputs": "auto"}, "train_on_inputs": "auto"}
    job = {"id": JOB_ID, "object": "fine_tuning.job", "created_at": FINISHED_AT - 600, "error": None,
           "fine_tuned_model": TUNED, "finished_at": FINISHED_AT,
           "hyperparameters": {"n_epochs": 2, "batch_size": 8}, "model": BASE,
           "organization_id": "org-sandbox", "result_files": [], "status": "succeeded", "trained_tokens": 4200,
           "training_file": "file-marv000000000000000", "validation_file": None, "integrations": None,
           "seed": 42, "estimated_finish": None, "metadata": None, "user_provided_suffix": "marv",
           "method": {"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": 2, "batch_size": 8}}},
           PRIVATE: {"requested": {}, "step": 0, TOGETHER: asked}}
    model = {"id": TUNED, "object": "model", "created": FINISHED_AT, "owned_by": "org-sandbox",
             PRIVATE: {"job_id": JOB_ID, "base": BASE}}
    store = Store(data_dir)
    try:
        store.put("jobs", job)
        store.put("models", model, job_id=JOB_ID)
    finally:
        store.close()


def fixed_clock_app(session, clock) -> FtuiApp:
    """The real app whose Models screen takes "now" from `clock`."""

    class FixedClockApp(FtuiApp):
        CSS_PATH = [str(ROOT / "tui" / "shell" / p) for p in FtuiApp.CSS_PATH]  # beside app.py, not here
        MODES = {**FtuiApp.MODES, "models": partial(ModelsScreen, clock=clock)}

    return FixedClockApp(session)
