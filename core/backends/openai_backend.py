"""The Provider for OpenAI and everything that speaks its API: Azure OpenAI, the sandbox,
any OpenAI-compatible endpoint. One `openai.AsyncOpenAI` (or `AsyncAzureOpenAI`) does the
HTTP, retries and backoff; this class only converts records and errors.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator, Callable, Coroutine
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from openai import APIConnectionError, AsyncOpenAI

from ftui.core.backends import openai_convert as convert
from ftui.core.backends.downloads import stream_to_file
from ftui.core.backends.openai_capabilities import OPENAI_CAPABILITIES
from ftui.core.backends.openai_uploads import (
    DEFAULT_PART_CONCURRENCY,
    DEFAULT_PART_SIZE,
    FILES_API_LIMIT,
    upload_via_files_api,
    upload_via_uploads_api,
)
from ftui.core.error_map import to_core_error
from ftui.core.errors import CoreError
from ftui.core.provider import ProgressCallback
from ftui.core.sunset.refusals import note_create_job_failure
from ftui.core.types import (
    Capabilities,
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
    TimeEstimate,
    Usage,
)
from ftui.core.uploads_record import note_upload

R = TypeVar("R")
P = ParamSpec("P")


def _core_errors_only(
        method: Callable[Concatenate[OpenAIProvider, P], Coroutine[Any, Any, R]],
) -> Callable[Concatenate[OpenAIProvider, P], Coroutine[Any, Any, R]]:
    """The one place SDK/OS exceptions become CoreError (cancellation passes through)."""

    @functools.wraps(method)
    async def wrapper(self: OpenAIProvider, /, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await method(self, *args, **kwargs)
        except Exception as exc:
            failure: Exception = exc
        err = self._converted(failure, method.__name__)
        del failure  # nor in this frame's locals, which a traceback with locals would show
        raise err

    return wrapper


class OpenAIProvider:
    """`core.provider.Provider` over the official OpenAI SDK."""

    STATUS_FILTER_MAX_PAGES = 10

    def __init__(self, client: AsyncOpenAI, *, name: str = "openai", label: str | None = None,
                 simulated: bool = False, key_source: str | None = None,
                 deployments: dict[str, str] | None = None,
                 upload_threshold: int = FILES_API_LIMIT, part_size: int = DEFAULT_PART_SIZE,
                 part_concurrency: int = DEFAULT_PART_CONCURRENCY,
                 capabilities: Capabilities = OPENAI_CAPABILITIES) -> None:
        self.name = name
        self.label = label or name
        self.simulated = simulated
        self.capabilities = capabilities
        self._client = client
        self._key_source = key_source
        self._deployments = dict(deployments or {})  # Azure: model name -> deployment name
        # Files larger than this go through the Uploads API in parts of `part_size`.
        self.upload_threshold = upload_threshold
        self.part_size = part_size
        self.part_concurrency = part_concurrency

    def __repr__(self) -> str:  # never the client's repr, which could carry the key
        return f"OpenAIProvider(name={self.name!r}, base_url={str(self._client.base_url)!r})"

    @property
    def base_url(self) -> str:
        return str(self._client.base_url)

    def _error(self, exc: BaseException, operation: str) -> CoreError:
        key = getattr(self._client, "api_key", None)
        return to_core_error(exc, key_source=self._key_source, operation=operation,
                             secrets=[key if isinstance(key, str) else None])

    def _converted(self, exc: Exception, operation: str) -> CoreError:
        """The CoreError to raise for `exc`, detached from it and from whatever it was
        raised while handling. Called outside any `except` block, so raising the result adds
        no implicit `__context__` either: an SDK exception (whose message may quote the key
        in full on a 401) never travels with the error, not even hidden behind
        `__suppress_context__`."""
        err = self._error(exc, operation)
        err.__cause__ = err.__context__ = None
        err.__suppress_context__ = False
        return err

    # ------------------------------------------------------------------ files
    @_core_errors_only
    async def list_files(self, *, purpose: str | None = None, after: str | None = None,
                         limit: int = 100) -> Page[RemoteFile]:
        kwargs: dict[str, Any] = {"limit": limit, "order": "desc"}
        if purpose:
            kwargs["purpose"] = purpose
        if after:
            kwargs["after"] = after
        page = await self._client.files.list(**kwargs)
        return Page([convert.remote_file(f) for f in page.data], has_more=bool(page.has_more))

    @_core_errors_only
    async def upload_file(self, path: Path, *, purpose: str = "fine-tune",
                          progress: ProgressCallback | None = None,
                          cancel: asyncio.Event | None = None) -> RemoteFile:
        path = Path(path)
        if not path.is_file():
            raise CoreError(f"{path} is not a file", kind="input")
        if path.stat().st_size > self.upload_threshold:
            made = await upload_via_uploads_api(self._client, path, purpose, progress, cancel,
                                                part_size=self.part_size,
                                                concurrency=self.part_concurrency)
        else:
            made = await upload_via_files_api(self._client, path, purpose, progress, cancel)
        uploaded = convert.remote_file(made)
        await note_upload(self.name, path, uploaded.id, purpose)  # for migrations; never raises
        return uploaded

    @_core_errors_only
    async def retrieve_file(self, file_id: str) -> RemoteFile:
        return convert.remote_file(await self._client.files.retrieve(file_id))

    @_core_errors_only
    async def delete_file(self, file_id: str) -> bool:
        return bool((await self._client.files.delete(file_id)).deleted)

    @_core_errors_only
    async def file_content(self, file_id: str) -> bytes:
        return (await self._client.files.content(file_id)).content

    @_core_errors_only
    async def download_file(self, file_id: str, dest: Path,
                            progress: ProgressCallback | None = None) -> Path:
        return await stream_to_file(self._client.files.with_streaming_response.content(file_id), dest, progress)

    # ------------------------------------------------------------------ jobs
    @_core_errors_only
    async def create_job(self, spec: JobSpec) -> Job:
        args = convert.job_create_args(spec)
        if spec.extra_body:  # fields OpenAI lacks, for compatible services; the SDK merges them
            args["extra_body"] = {**args.get("extra_body", {}), **spec.extra_body}
        try:
            made = await self._client.fine_tuning.jobs.create(**args)
        except Exception as exc:  # a 403 is remembered for the sunset radar; never raises
            note_create_job_failure(self.name, self._error(exc, "create_job"))
            raise
        return convert.job(made)

    @_core_errors_only
    async def estimate_time(self, spec: JobSpec, trained_tokens: int) -> TimeEstimate:
        """How long `trained_tokens` (dataset tokens x epochs) take on the engine's machine, measured there
        (ftui's /fine_tuning/estimates extension); only for a provider whose cost is local time."""
        if self.capabilities.training_cost.unit != "local_time":
            raise CoreError("Only a local engine measures training time; this provider prices by tokens.",
                            kind="input")
        body: dict[str, Any] = {"model": spec.model, "hyperparameters": spec.hyperparameters,
                                "trained_tokens": trained_tokens}
        if spec.training_file.startswith("file-"):  # an uploaded file is sampled; else a fixed sample
            body["training_file"] = spec.training_file
        answer = await self._client.post("/fine_tuning/estimates", cast_to=object, body=body)
        if not isinstance(answer, dict) or not isinstance(answer.get("tokens_per_second"), (int, float)):
            raise CoreError("The engine's estimate answer has no tokens_per_second.", kind="api")
        seconds = answer.get("seconds")
        return TimeEstimate(tokens_per_second=float(answer["tokens_per_second"]),
                            seconds=float(seconds) if isinstance(seconds, (int, float)) else None,
                            measured_at=int(answer.get("measured_at") or 0), cached=bool(answer.get("cached")),
                            trained_tokens=answer.get("trained_tokens"))

    @_core_errors_only
    async def retrieve_job(self, job_id: str) -> Job:
        return convert.job(await self._client.fine_tuning.jobs.retrieve(job_id))

    @_core_errors_only
    async def list_jobs(self, *, after: str | None = None, limit: int = 20,
                        status: str | None = None) -> Page[Job]:
        kwargs: dict[str, Any] = {"limit": limit}
        if after:
            kwargs["after"] = after
        page = await self._client.fine_tuning.jobs.list(**kwargs)
        if not status:
            return Page([convert.job(j) for j in page.data], has_more=bool(page.has_more))
        # The API has no status filter: read on (a bounded number of pages) until `limit`
        # matches. Paging on from the last match re-reads skipped jobs but never loses one.
        matches: list[Job] = []
        for _ in range(self.STATUS_FILTER_MAX_PAGES):
            matches += [j for j in map(convert.job, page.data) if j.status == status]
            if len(matches) >= limit or not page.has_more or not page.data:
                break
            page = await self._client.fine_tuning.jobs.list(limit=limit, after=page.data[-1].id)
        return Page(matches[:limit], has_more=bool(page.has_more) or len(matches) > limit)

    @_core_errors_only
    async def cancel_job(self, job_id: str) -> Job:
        return convert.job(await self._client.fine_tuning.jobs.cancel(job_id))

    @_core_errors_only
    async def pause_job(self, job_id: str) -> Job:
        return convert.job(await self._client.fine_tuning.jobs.pause(job_id))

    @_core_errors_only
    async def resume_job(self, job_id: str) -> Job:
        return convert.job(await self._client.fine_tuning.jobs.resume(job_id))

    @_core_errors_only
    async def list_events(self, job_id: str, *, after: str | None = None,
                          limit: int = 100) -> Page[JobEvent]:
        kwargs: dict[str, Any] = {"limit": limit}
        if after:
            kwargs["after"] = after
        page = await self._client.fine_tuning.jobs.list_events(job_id, **kwargs)
        return Page([convert.job_event(e) for e in page.data], has_more=bool(page.has_more))

    @_core_errors_only
    async def list_checkpoints(self, job_id: str, *, after: str | None = None,
                               limit: int = 100) -> Page[Checkpoint]:
        kwargs: dict[str, Any] = {"limit": limit}
        if after:
            kwargs["after"] = after
        page = await self._client.fine_tuning.jobs.checkpoints.list(job_id, **kwargs)
        return Page([convert.checkpoint(c) for c in page.data], has_more=bool(page.has_more))

    # ------------------------------------------------------------------ models
    @_core_errors_only
    async def list_models(self) -> list[ModelInfo]:
        return [convert.model_info(m) async for m in self._client.models.list()]

    @_core_errors_only
    async def retrieve_model(self, model_id: str) -> ModelInfo:
        return convert.model_info(await self._client.models.retrieve(model_id))

    @_core_errors_only
    async def delete_model(self, model_id: str) -> bool:
        return bool((await self._client.models.delete(model_id)).deleted)

    # ------------------------------------------------------------------ chat
    def _chat_args(self, request: ChatRequest) -> dict[str, Any]:
        return convert.chat_args(request, self._deployments.get(request.model, request.model))

    @_core_errors_only
    async def chat(self, request: ChatRequest) -> ChatResult:
        return convert.chat_result(await self._client.chat.completions.create(**self._chat_args(request)))

    async def stream_chat(self, request: ChatRequest) -> AsyncIterator[ChatDelta]:
        """Yield text as it arrives; the last delta carries the usage of the whole answer."""
        failure: Exception | None = None
        started = False  # a break after the first chunk is a cut answer, not a failed connect
        try:
            stream = await self._client.chat.completions.create(
                **self._chat_args(request), stream=True, stream_options={"include_usage": True})
            async with stream:
                async for chunk in stream:
                    started = True
                    for choice in chunk.choices:
                        text = (choice.delta.content if choice.delta else None) or ""
                        if text or choice.finish_reason:
                            yield ChatDelta(index=choice.index, text=text,
                                            finish_reason=choice.finish_reason)
                    if chunk.usage is not None:
                        u = chunk.usage
                        yield ChatDelta(usage=Usage(prompt_tokens=u.prompt_tokens,
                                                    completion_tokens=u.completion_tokens,
                                                    total_tokens=u.total_tokens))
        except Exception as exc:
            failure = exc
        if failure is not None:  # converted out here, for the reason given in _converted
            if started and isinstance(failure, APIConnectionError):
                err = CoreError("The answer stream broke off before it finished", kind="connection",
                                retryable=True, hint="what arrived is kept; send again")
            else:
                err = self._converted(failure, "stream_chat")
            del failure
            raise err

    async def aclose(self) -> None:
        try:
            await self._client.close()
        except Exception:  # closing must never be what fails
            pass
