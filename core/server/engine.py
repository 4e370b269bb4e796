"""The training engine interface, and the simulated engine behind the sandbox.

The job runner (jobs.py) owns statuses, storage and files; an engine only turns a
`TrainingPlan` into steps, metrics and checkpoints through a `RunControl`. A real local
trainer can implement `TrainingEngine` later and plug into the same runner.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from ftui.core.dataset.stats import default_epochs  # noqa: F401  OpenAI's "auto" epochs: one copy, cited there

CHECKPOINT_EPOCHS = 3  # checkpoints are kept for the last three epochs


def default_batch_size(examples: int) -> int:
    # About 0.2% of the examples, as OpenAI's auto setting does, within [1, 256].
    return max(1, min(256, round(examples * 0.002)))


def default_learning_rate_multiplier(batch_size: int) -> float:
    return 2.0 if batch_size <= 4 else 1.0


@dataclass(frozen=True)
class TrainingPlan:
    job_id: str
    base_model: str
    method: str  # supervised | dpo
    seed: int
    examples: int
    tokens_per_epoch: int
    n_epochs: int
    batch_size: int
    learning_rate_multiplier: float
    has_validation: bool
    beta: float | None = None
    # What a real engine also needs (the simulated one ignores them): the files' paths on disk and the
    # engine's extra hyperparameters (LoRA rank, alpha, dropout, target modules), resolved.
    training_path: str | None = None
    validation_path: str | None = None
    extra: dict[str, Any] | None = None

    @property
    def steps_per_epoch(self) -> int:
        return max(1, math.ceil(self.examples / self.batch_size))

    @property
    def total_steps(self) -> int:
        return self.steps_per_epoch * self.n_epochs

    @property
    def run_seconds(self) -> float:
        """Simulated wall time of the running phase at speed 1: a demo takes seconds."""
        return min(30.0, max(15.0, self.total_steps * 0.25))


class JobCancelled(Exception):
    """Raised inside an engine when the job was cancelled; the runner records it."""


class EngineError(Exception):
    """Raised by an engine when training failed for a reason a person can act on; the runner fails the
    job with this code and message (never a traceback)."""

    def __init__(self, message: str, code: str = "training_failed") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class RunControl(Protocol):
    start_step: int  # steps already done (a job resumed after a restart continues from here)

    async def wait(self, seconds: float) -> None:
        """Let `seconds` of simulated time pass (scaled by speed); blocks while paused,
        raises JobCancelled once cancelled."""

    @property
    def paused(self) -> bool:
        """True while the user has the job paused (a real engine holds at its next step boundary)."""

    @property
    def cancelled(self) -> bool: ...

    def metrics(self, step: int, data: dict[str, Any], message: str) -> None: ...
    def message(self, text: str, level: str = "info") -> None: ...
    def checkpoint(self, step: int, metrics: dict[str, float], adapter: str | None = None) -> None: ...
    def progress(self, step: int, seconds_left: float) -> None: ...
    def record(self, **fields: Any) -> None:
        """Keep engine results on the job (e.g. adapter=..., trained_tokens=...) for when it succeeds."""


@runtime_checkable
class TrainingEngine(Protocol):
    """Optional attributes the runner uses when an engine has them: `name_tag` (the part of fine-tuned model
    names after the base, default "sandbox"), `phase_seconds` (time spent validating and queued),
    `slot()` (an async context manager held from queued to the end: a job waits `queued` for it),
    `model_error(model) -> str | None` (which base models exist), `methods` (training methods it runs) and
    `extra_hyperparameters` (names beyond OpenAI's that it accepts, with their rules)."""

    async def train(self, plan: TrainingPlan, control: RunControl) -> list[dict[str, Any]]:
        """Run every step from control.start_step; return one metrics row per step
        (keys: step, train_loss, train_accuracy, valid_loss, valid_mean_token_accuracy)."""


class SimulatedEngine:
    """Loss curves that fall over steps, deterministic for a seed, at a pace set by speed."""

    name_tag = "sandbox"  # fine-tuned model names: ft:<base>:sandbox:<suffix>:<id>

    def curve(self, plan: TrainingPlan, step: int) -> dict[str, Any]:
        shape = random.Random(plan.seed)
        start = 1.8 + shape.random() * 1.2
        floor = (0.05 + shape.random() * 0.25) / min(2.0, max(0.5, plan.learning_rate_multiplier))
        progress = step / plan.total_steps
        smooth = floor + (start - floor) * math.exp(-4.0 * progress)
        noise = random.Random(plan.seed * 1_000_003 + step)
        spread = 0.06 * (start - floor) * math.exp(-2.0 * progress) + 0.01
        train_loss = max(0.001, smooth + noise.gauss(0.0, spread))
        accuracy = min(1.0, max(0.0, 1.0 - train_loss / (start + 0.6) + noise.gauss(0.0, 0.02)))
        row: dict[str, Any] = {"step": step, "total_steps": plan.total_steps,
                               "train_loss": round(train_loss, 5),
                               "train_mean_token_accuracy": round(accuracy, 5)}
        if plan.has_validation:
            valid = max(0.001, smooth * (1.05 + 0.15 * progress) + noise.gauss(0.0, spread))
            row["valid_loss"] = round(valid, 5)
            row["valid_mean_token_accuracy"] = round(
                min(1.0, max(0.0, 1.0 - valid / (start + 0.6) + noise.gauss(0.0, 0.02))), 5)
            if step % plan.steps_per_epoch == 0:
                full = smooth * (1.08 + 0.1 * progress)
                row["full_valid_loss"] = round(full, 5)
                row["full_valid_mean_token_accuracy"] = round(1.0 - full / (start + 0.6), 5)
        return row

    async def train(self, plan: TrainingPlan, control: RunControl) -> list[dict[str, Any]]:
        total = plan.total_steps
        per_step = plan.run_seconds / total
        metrics_every = max(1, math.ceil(total / 1000))
        message_every = max(1, total // 10)
        first_checkpoint_epoch = max(1, plan.n_epochs - CHECKPOINT_EPOCHS + 1)
        rows = [self.curve(plan, s) for s in range(1, control.start_step + 1)]
        for step in range(control.start_step + 1, total + 1):
            await control.wait(per_step)
            row = self.curve(plan, step)
            rows.append(row)
            loss_text = f"training loss={row['train_loss']:.4f}"
            if "valid_loss" in row:
                loss_text += f", validation loss={row['valid_loss']:.4f}"
            epoch_end = step % plan.steps_per_epoch == 0
            if step % metrics_every == 0 or epoch_end:
                control.metrics(step, row, f"Step {step}/{total}: {loss_text}")
            if step % message_every == 0 or step == total:
                control.message(f"Step {step}/{total}: {loss_text}")
            if epoch_end and step // plan.steps_per_epoch >= first_checkpoint_epoch:
                keep = {k: v for k, v in row.items() if k != "total_steps"}
                control.checkpoint(step, keep)
            control.progress(step, (total - step) * per_step)
        return rows
