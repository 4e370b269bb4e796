"""Provider-neutral records that the screens see.

Backends (OpenAI today; other providers or a local trainer later) convert their own
objects into these, so nothing above core ever depends on one provider's SDK.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar

T = TypeVar("T")

JobStatus = Literal[
    "validating_files", "queued", "running", "paused", "succeeded", "failed", "cancelled"
]
FINISHED_STATUSES: frozenset[str] = frozenset({"succeeded", "failed", "cancelled"})


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a cursor-paged list; pass `last_id` as `after` for the next page."""

    items: list[T]
    has_more: bool = False

    @property
    def last_id(self) -> str | None:
        return getattr(self.items[-1], "id", None) if self.items else None


@dataclass(frozen=True)
class RemoteFile:
    id: str
    filename: str
    purpose: str
    bytes: int
    created_at: int
    status: str | None = None


@dataclass(frozen=True)
class JobError:
    code: str | None
    message: str
    param: str | None = None


@dataclass(frozen=True)
class Job:
    id: str
    model: str
    status: str
    created_at: int
    fine_tuned_model: str | None = None
    finished_at: int | None = None
    trained_tokens: int | None = None
    training_file: str | None = None
    validation_file: str | None = None
    suffix: str | None = None
    method: str = "supervised"
    hyperparameters: dict[str, Any] = field(default_factory=dict)
    seed: int | None = None
    estimated_finish: int | None = None
    result_files: list[str] = field(default_factory=list)
    metadata: dict[str, str] | None = None
    error: JobError | None = None

    @property
    def finished(self) -> bool:
        return self.status in FINISHED_STATUSES


@dataclass(frozen=True)
class JobEvent:
    id: str
    created_at: int
    level: str
    message: str
    type: str = "message"
    data: dict[str, Any] | None = None


@dataclass(frozen=True)
class Checkpoint:
    id: str
    created_at: int
    job_id: str
    model: str  # the checkpoint's model name, usable in chat
    step_number: int
    metrics: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class ModelInfo:
    id: str
    created: int
    owned_by: str
    fine_tunable: bool = False
    shutdown_date: str | None = None  # ISO date, when the provider announces one


@dataclass(frozen=True)
class JobSpec:
    """Everything a fine-tuning job can be launched with."""

    model: str
    training_file: str
    validation_file: str | None = None
    suffix: str | None = None
    method: Literal["supervised", "dpo"] = "supervised"
    # Values are "auto" or numbers; keys as the API names them (n_epochs, batch_size,
    # learning_rate_multiplier, beta for DPO).
    hyperparameters: dict[str, Any] = field(default_factory=dict)
    seed: int | None = None
    metadata: dict[str, str] | None = None
    wandb_project: str | None = None


@dataclass(frozen=True)
class ChatRequest:
    model: str
    messages: list[dict[str, Any]]
    temperature: float | None = None
    top_p: float | None = None
    n: int | None = None
    stop: list[str] | None = None
    max_completion_tokens: int | None = None
    seed: int | None = None


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


@dataclass(frozen=True)
class ChatDelta:
    """One piece of a streamed answer: text for choice `index`, and at the end usage."""

    index: int = 0
    text: str = ""
    finish_reason: str | None = None
    usage: Usage | None = None


@dataclass(frozen=True)
class ChatResult:
    model: str
    choices: list[str]
    finish_reasons: list[str | None]
    usage: Usage | None = None


@dataclass(frozen=True)
class TransferProgress:
    """Bytes moved so far; the UI derives rate and time left from successive values."""

    done: int
    total: int
