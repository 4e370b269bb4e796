"""Provider-neutral records that the screens see.

Backends (OpenAI today; other providers or a local trainer later) convert their own
objects into these, so nothing above core ever depends on one provider's SDK.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeGuard, TypeVar

T = TypeVar("T")

JobStatus = Literal[
    "validating_files", "queued", "running", "paused", "succeeded", "failed", "cancelled"
]
FINISHED_STATUSES: frozenset[str] = frozenset({"succeeded", "failed", "cancelled"})

TrainingMethod = Literal["supervised", "dpo"]  # what a JobSpec can launch
TRAINING_METHODS: tuple[TrainingMethod, ...] = ("supervised", "dpo")


def is_training_method(value: object) -> TypeGuard[TrainingMethod]:
    return value in TRAINING_METHODS


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
    # The provider's own word for the status when it differs from ours (Together's
    # "compressing", "cancel_requested", ...); shown beside `status`.
    provider_status: str | None = None

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
    fine_tuned: bool = False  # made by a fine-tuning job on this account (set by each backend)


@dataclass(frozen=True)
class JobSpec:
    """Everything a fine-tuning job can be launched with."""

    model: str
    training_file: str
    validation_file: str | None = None
    suffix: str | None = None
    method: TrainingMethod = "supervised"
    # Values are "auto" or numbers; keys as the API names them (n_epochs, batch_size,
    # learning_rate_multiplier, beta for DPO).
    hyperparameters: dict[str, Any] = field(default_factory=dict)
    seed: int | None = None
    metadata: dict[str, str] | None = None
    wandb_project: str | None = None
    # Extra request fields (key -> typed value) sent as the SDK's `extra_body`, for
    # OpenAI-compatible services that take more than OpenAI does (Nebius' lora_r, Azure's trainingType).
    extra_body: dict[str, Any] = field(default_factory=dict)


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


# ---------------------------------------------------------------- what a provider can do
# Screens follow these records instead of testing a provider's name.

FieldType = Literal["int", "float", "bool", "choice", "string", "names"]
# "names": one word such as "all-linear", or a list of names (typed as a comma list).


@dataclass(frozen=True)
class HyperparameterField:
    """One launch-form field: its API name (the key in `JobSpec.hyperparameters`), type,
    bounds and default. `default=None` means the provider chooses (shown as "auto")."""

    name: str
    label: str
    type: FieldType
    default: Any = None
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    help: str = ""
    # Shown only while other fields hold these values, e.g. {"training_type": "Lora"};
    # "method" refers to JobSpec.method ("supervised" or "dpo").
    shown_when: dict[str, str] = field(default_factory=dict)

    def check(self, value: Any) -> str | None:
        """What is wrong with `value` for this field, or None when it is acceptable."""
        if value is None or value == "auto":
            return None
        if self.type == "bool":
            return None if isinstance(value, bool) else f"{self.label}: expected true or false"
        if self.type == "choice":
            return None if str(value) in self.choices else \
                f"{self.label}: expected one of {', '.join(self.choices)}"
        if self.type == "string":
            return None if isinstance(value, str) else f"{self.label}: expected text"
        if self.type == "names":
            ok = isinstance(value, str) or (isinstance(value, list) and value
                                            and all(isinstance(v, str) and v for v in value))
            return None if ok else f"{self.label}: expected a name or a comma list of names"
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"{self.label}: expected a number"
        if self.type == "int" and not float(value).is_integer():
            return f"{self.label}: expected a whole number"
        if self.minimum is not None and value < self.minimum:
            return f"{self.label}: at least {self.minimum:g}"
        if self.maximum is not None and value > self.maximum:
            return f"{self.label}: at most {self.maximum:g}"
        return None


CostUnit = Literal["per_token", "per_minute", "local_time"]


@dataclass(frozen=True)
class CostModel:
    """How something is charged: dollars per trained token (hosted training), dollars per
    minute (a dedicated endpoint, billed while it runs, idle or not), or only time on this
    machine (local training). `quoted` is True when the provider prices a job itself
    (`PriceQuoter.estimate_price`), so an estimate should ask it rather than a price table."""

    unit: CostUnit
    quoted: bool = False
    note: str = ""


@dataclass(frozen=True)
class Capabilities:
    pause_resume: bool = False
    cancel: bool = True
    # How the API pages a job's events: "cursor" (after=<id>, newest first) or "full_list"
    # (the whole list each time, no cursor). Either way `Provider.list_events` offers cursor
    # paging; this says what a poll costs.
    event_paging: Literal["cursor", "full_list"] = "cursor"
    # Where loss/accuracy come from: "events" (metric events) or "metrics" (a separate
    # endpoint read through `MetricsReader.list_metrics`).
    metrics_source: Literal["events", "metrics"] = "events"
    checkpoints: bool = True
    # A fine-tuned model answers only after a deployment (`Deployer`); base models chat as they are.
    deploy_before_chat: bool = False
    methods: tuple[str, ...] = ("supervised", "dpo")
    hyperparameters: tuple[HyperparameterField, ...] = ()
    # Bounds and defaults depend on the base model (`HyperparameterSource.hyperparameter_fields`).
    per_model_limits: bool = False
    training_cost: CostModel = CostModel("per_token")
    serving_cost: CostModel | None = None  # None: chat is billed per token as usual
    # The launch may carry extra request fields (key = value), sent as the SDK's extra_body.
    extra_body: bool = False
    # Fine-tuned models are deleted by deleting the job that made them.
    delete_model_via_job: bool = False
    # Which official SDK the launch call is made with ("openai" or "together"), for the
    # "as Python code" view.
    sdk: str = "openai"
    # What a refused launch (403) means on this provider and what the user can still do; "" says nothing.
    refused_launch_note: str = ""

    def hyperparameter(self, name: str) -> HyperparameterField | None:
        return next((f for f in self.hyperparameters if f.name == name), None)


@dataclass(frozen=True)
class PriceEstimate:
    """A provider's own quote for a job, in dollars; `available` False with `reason`."""

    available: bool
    total: float | None = None
    train_tokens: int | None = None
    eval_tokens: int | None = None
    allowed_to_proceed: bool | None = None
    user_limit: float | None = None
    reason: str | None = None


@dataclass(frozen=True)
class TimeEstimate:
    """How long training would take on the machine that trains (a local engine), from its measured
    speed; `seconds` is None when no token count was given."""

    tokens_per_second: float
    seconds: float | None
    measured_at: int  # Unix time of the measurement
    cached: bool  # an earlier measurement, not one made for this request
    trained_tokens: int | None = None


@dataclass(frozen=True)
class Hardware:
    """A machine type a dedicated endpoint can run on."""

    id: str
    name: str
    gpu_type: str
    gpu_count: int
    price_per_minute: float  # dollars
    description: str = ""


DeploymentState = Literal["provisioning", "ready", "scaling", "degraded", "failed", "stopping",
                          "stopped"]


@dataclass(frozen=True)
class Deployment:
    """A dedicated endpoint serving one model; `chat_model` is the name to chat with."""

    id: str
    endpoint_id: str
    model: str
    chat_model: str
    hardware: str
    state: str  # one of DeploymentState
    state_detail: str  # the provider's own words (e.g. DEPLOYMENT_STATE_READY, its message)
    created_at: int
    price_per_minute: float | None = None

    @property
    def ready(self) -> bool:
        return self.state == "ready"

    @property
    def running(self) -> bool:
        """Billing: everything but stopped and failed costs money."""
        return self.state not in ("stopped", "failed")

    def cost_so_far(self, now: float) -> float | None:
        if self.price_per_minute is None:
            return None
        return max(0.0, now - self.created_at) / 60 * self.price_per_minute
