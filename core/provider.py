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
    ChatDelta,
    ChatRequest,
    ChatResult,
    Checkpoint,
    Job,
    JobEvent,
    JobSpec,
    ModelInfo,
    Page,
    RemoteFile,
    TransferProgress,
)

ProgressCallback = Callable[[TransferProgress], None]


@runtime_checkable
class Provider(Protocol):
    name: str  # profile name, e.g. "openai", "sandbox"
    label: str  # what the header shows, e.g. "openai", "SANDBOX - simulated training"
    simulated: bool  # True when training is simulated (the sandbox)

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
