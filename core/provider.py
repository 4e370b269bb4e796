"""The provider-neutral edge the screens talk to.

A Provider is one account at one service: OpenAI, Azure OpenAI, the sandbox, any
OpenAI-compatible endpoint today; other providers and a local trainer later. Screens ask
it for files, jobs, events, checkpoints, models and chat, never for "OpenAI".
Every method raises `core.errors.CoreError` on failure and nothing else.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Protocol, runtime_checkable

from ftui.core.types import (
    Capabilities,
    ChatDelta,
    ChatRequest,
    ChatResult,
    Checkpoint,
    Deployment,
    Hardware,
    HyperparameterField,
    Job,
    JobEvent,
    JobSpec,
    ModelInfo,
    Page,
    PriceEstimate,
    RemoteFile,
    TransferProgress,
)

ProgressCallback = Callable[[TransferProgress], None]


@runtime_checkable
class Provider(Protocol):
    name: str  # profile name, e.g. "openai", "sandbox"
    label: str  # what the header shows, e.g. "openai", "SANDBOX - simulated training"
    simulated: bool  # True when training is simulated (the sandbox)
    capabilities: Capabilities  # what this provider supports; screens offer only that

    # files
    async def list_files(self, *, purpose: str | None = None, after: str | None = None,
                         limit: int = 100) -> Page[RemoteFile]: ...
    async def upload_file(self, path: Path, *, purpose: str = "fine-tune",
                          progress: ProgressCallback | None = None,
                          cancel: asyncio.Event | None = None) -> RemoteFile: ...
    async def retrieve_file(self, file_id: str) -> RemoteFile: ...
    async def delete_file(self, file_id: str) -> bool: ...
    async def file_content(self, file_id: str) -> bytes: ...
    async def download_file(self, file_id: str, dest: Path,
                            progress: ProgressCallback | None = None) -> Path: ...

    # fine-tuning jobs
    async def create_job(self, spec: JobSpec) -> Job: ...
    async def retrieve_job(self, job_id: str) -> Job: ...
    async def list_jobs(self, *, after: str | None = None, limit: int = 20,
                        status: str | None = None) -> Page[Job]: ...
    async def cancel_job(self, job_id: str) -> Job: ...
    async def pause_job(self, job_id: str) -> Job: ...
    async def resume_job(self, job_id: str) -> Job: ...
    async def list_events(self, job_id: str, *, after: str | None = None,
                          limit: int = 100) -> Page[JobEvent]: ...
    async def list_checkpoints(self, job_id: str, *, after: str | None = None,
                               limit: int = 100) -> Page[Checkpoint]: ...

    # models
    async def list_models(self) -> list[ModelInfo]: ...
    async def retrieve_model(self, model_id: str) -> ModelInfo: ...
    async def delete_model(self, model_id: str) -> bool: ...

    # chat
    async def chat(self, request: ChatRequest) -> ChatResult: ...
    def stream_chat(self, request: ChatRequest) -> AsyncIterator[ChatDelta]: ...

    async def aclose(self) -> None: ...


# What some providers add. `Capabilities` says which apply; these say how to call them.

@runtime_checkable
class MetricsReader(Protocol):
    """Loss and accuracy from their own endpoint (capabilities.metrics_source == "metrics")."""

    async def list_metrics(self, job_id: str) -> list: ...  # list[core.watch.MetricPoint]


@runtime_checkable
class HyperparameterSource(Protocol):
    """Launch-form fields with one base model's bounds and defaults (per_model_limits)."""

    async def hyperparameter_fields(self, model: str) -> list[HyperparameterField]: ...
    async def fine_tunable_models(self) -> list[str]: ...


@runtime_checkable
class PriceQuoter(Protocol):
    """The provider prices a job itself (capabilities.training_cost.quoted)."""

    async def estimate_price(self, spec: JobSpec) -> PriceEstimate: ...


@runtime_checkable
class Deployer(Protocol):
    """Dedicated endpoints, needed before a fine-tuned model answers (deploy_before_chat)."""

    async def list_hardware(self, model: str | None = None) -> list[Hardware]: ...
    async def create_deployment(self, model: str, hardware_id: str) -> Deployment: ...
    async def retrieve_deployment(self, deployment_id: str) -> Deployment: ...
    async def list_deployments(self) -> list[Deployment]: ...
    async def stop_deployment(self, deployment_id: str) -> Deployment: ...


def capabilities_of(provider: object) -> Capabilities:
    """The provider's capabilities; one written before they existed gets the conservative
    defaults (nothing optional offered) rather than an AttributeError."""
    found = getattr(provider, "capabilities", None)
    return found if isinstance(found, Capabilities) else Capabilities()


def deployer_of(provider: object) -> Deployer | None:
    """The provider, where a tuned model needs a dedicated endpoint before it answers; else None."""
    if capabilities_of(provider).deploy_before_chat and isinstance(provider, Deployer):
        return provider
    return None
