"""The Provider for Together AI, over the official async SDK (`together.AsyncTogether`).

The SDK does the HTTP, retries, the upload dance (POST /v1/files, PUT to the returned
Location, POST /v1/files/{id}/preprocess) and the checks fine_tuning.create makes against the
model's limits; this class converts records and errors and fills what Together lacks:
events have no cursor (followed here by content ids), fine-tuned models are listed from the
jobs that made them and deleted with the job. Together has no pause/resume.
SDK version followed: together 3.1.1 (deployments: its v2 endpoints/deployments API).
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator, Callable, Coroutine
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

import httpx
from together import APIConnectionError, AsyncTogether
from together._models import BaseModel as SdkModel
from together.lib.utils.files import check_file

from ftui.core.backends import together_convert as convert
from ftui.core.backends import together_deploy as deploy
from ftui.core.backends.downloads import stream_to_file
from ftui.core.backends.openai_uploads import run_cancellable
from ftui.core.backends.together_capabilities import TOGETHER_CAPABILITIES, fields_for
from ftui.core.backends.together_errors import KEY_ENV, to_core_error
from ftui.core.errors import CoreError
from ftui.core.provider import ProgressCallback
from ftui.core.sunset.refusals import note_create_job_failure
from ftui.core.types import (
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
    Usage,
)
from ftui.core.uploads_record import note_upload
from ftui.core.watch import MetricPoint

R = TypeVar("R")
P = ParamSpec("P")


class _SupportedModels(SdkModel):  # GET /v1/fine-tunes/models/supported (no SDK method yet)
    models: list[str]


def _core_errors_only(
        method: Callable[Concatenate[TogetherProvider, P], Coroutine[Any, Any, R]],
) -> Callable[Concatenate[TogetherProvider, P], Coroutine[Any, Any, R]]:
    """The one place SDK/OS exceptions become CoreError (cancellation passes through)."""

    @functools.wraps(method)
    async def wrapper(self: TogetherProvider, /, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await method(self, *args, **kwargs)
        except Exception as exc:
            failure: Exception = exc
        err = self._converted(failure, method.__name__)
        del failure
        raise err

    return wrapper


def _page(items: list, after: str | None, limit: int) -> Page:
    """Cursor paging over a list the API returns whole (newest first)."""
    start = 0
    if after:
        ids = [getattr(i, "id", None) for i in items]
        if after not in ids:
            raise CoreError(f"No item with id {after!r} to page after", kind="input",
                            hint="refresh the list")
        start = ids.index(after) + 1
    chunk = items[start:start + limit]
    return Page(chunk, has_more=start + limit < len(items))


class TogetherProvider:
    """`core.provider.Provider` (plus MetricsReader, HyperparameterSource, PriceQuoter,
    Deployer) over the together SDK."""

    def __init__(self, client: AsyncTogether, *, name: str = "together", label: str | None = None,
                 simulated: bool = False, key_source: str | None = None) -> None:
        self.name = name
        self.label = label or name
        self.simulated = simulated
        self.capabilities = TOGETHER_CAPABILITIES
        self._client = client
        self._key_source = key_source
        self._hardware: dict[str, Hardware] = {}  # by id and by name (deployments name it)
        self._project: str | None = None  # the project of the v2 endpoint paths, once known

    def __repr__(self) -> str:  # never the client's repr
        return f"TogetherProvider(name={self.name!r}, base_url={self.base_url!r})"

    @property
    def base_url(self) -> str:
        return str(self._client.base_url)

    def _converted(self, exc: Exception, operation: str) -> CoreError:
        """Detached from `exc` (whose text may quote the key) and raised outside `except`."""
        key = getattr(self._client, "api_key", None)
        err = to_core_error(exc, key_source=self._key_source, operation=operation,
                            secrets=[key if isinstance(key, str) else None])
        err.__cause__ = err.__context__ = None
        err.__suppress_context__ = False
        return err

    # ------------------------------------------------------------------ files
    @_core_errors_only
    async def list_files(self, *, purpose: str | None = None, after: str | None = None,
                         limit: int = 100) -> Page[RemoteFile]:
        files = [convert.remote_file(f) for f in (await self._client.files.list()).data]
        if purpose:
            files = [f for f in files if f.purpose == purpose]
        files.sort(key=lambda f: f.created_at, reverse=True)
        return _page(files, after, limit)

    @_core_errors_only
    async def upload_file(self, path: Path, *, purpose: str = "fine-tune",
                          progress: ProgressCallback | None = None,
                          cancel: asyncio.Event | None = None) -> RemoteFile:
        path = Path(path)
        if not path.is_file():
            raise CoreError(f"{path} is not a file", kind="input")
        # The SDK's own local check, in a thread: it reads the whole file.
        report = await asyncio.to_thread(check_file, path, purpose)
        if not report.get("is_check_passed"):
            raise CoreError(f"Together's file check failed: {report.get('message')}", kind="input",
                            hint="fix the file (Data screen) and upload again")

        def on_progress(p: Any) -> None:
            if progress is not None:
                progress(TransferProgress(done=p.uploaded_bytes, total=p.total_bytes))

        work = self._client.files.upload(path, purpose=purpose, check=False,
                                         progress_callback=on_progress)
        uploaded = convert.remote_file(await run_cancellable(work, cancel, path))
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
        return await (await self._client.files.content(file_id)).read()

    @_core_errors_only
    async def download_file(self, file_id: str, dest: Path,
                            progress: ProgressCallback | None = None) -> Path:
        return await stream_to_file(self._client.files.with_streaming_response.content(file_id), dest, progress)

    # ------------------------------------------------------------------ jobs
    @_core_errors_only
    async def create_job(self, spec: JobSpec) -> Job:
        if spec.extra_body:
            raise CoreError("Together's launch takes no extra request fields", kind="input",
                            hint="remove them; use the form's Together fields instead")
        # The SDK first asks /fine-tunes/models/limits and /fine-tunes/estimate-price.
        try:
            made = await self._client.fine_tuning.create(**convert.job_create_args(spec))
        except Exception as exc:  # a 403 is remembered for the sunset radar; never raises
            note_create_job_failure(self.name, self._converted(exc, "create_job"))
            raise
        return convert.job(made)

    @_core_errors_only
    async def retrieve_job(self, job_id: str) -> Job:
        return convert.job(await self._client.fine_tuning.retrieve(job_id))

    async def _all_jobs(self) -> list[Job]:
        jobs = [convert.job(j) for j in (await self._client.fine_tuning.list()).data]
        return sorted(jobs, key=lambda j: j.created_at, reverse=True)

    @_core_errors_only
    async def list_jobs(self, *, after: str | None = None, limit: int = 20,
                        status: str | None = None) -> Page[Job]:
        jobs = await self._all_jobs()
        if status:
            jobs = [j for j in jobs if j.status == status]
        return _page(jobs, after, limit)

    @_core_errors_only
    async def cancel_job(self, job_id: str) -> Job:
        return convert.job(await self._client.fine_tuning.cancel(job_id))

    async def pause_job(self, job_id: str) -> Job:
        raise CoreError("Together cannot pause a fine-tuning job", kind="input",
                        hint="cancel it instead, or let it run")

    async def resume_job(self, job_id: str) -> Job:
        raise CoreError("Together cannot pause or resume a fine-tuning job", kind="input",
                        hint="start a new job from its last checkpoint instead")

    @_core_errors_only
    async def list_events(self, job_id: str, *, after: str | None = None,
                          limit: int = 100) -> Page[JobEvent]:
        """Together returns every event each time, oldest first and without ids; here they are
        newest first with stable ids, paged back with `after` as core.watch expects."""
        listed = (await self._client.fine_tuning.list_events(job_id)).data
        events = list(reversed(convert.job_events(job_id, listed)))
        return _page(events, after, limit)

    @_core_errors_only
    async def list_checkpoints(self, job_id: str, *, after: str | None = None,
                               limit: int = 100) -> Page[Checkpoint]:
        listed = (await self._client.fine_tuning.list_checkpoints(job_id)).data
        found = sorted((convert.checkpoint(job_id, c) for c in listed),
                       key=lambda c: c.step_number, reverse=True)
        return _page(found, after, limit)

    @_core_errors_only
    async def list_metrics(self, job_id: str) -> list[MetricPoint]:
        rows = (await self._client.fine_tuning.list_metrics(job_id)).metrics or []
        return convert.metric_points(rows)

    # ------------------------------------------------------------------ launch form, price
    @_core_errors_only
    async def hyperparameter_fields(self, model: str) -> list[HyperparameterField]:
        return fields_for(await self._client.fine_tuning.model_limits(model_name=model))

    @_core_errors_only
    async def fine_tunable_models(self) -> list[str]:
        found = await self._client.get("/v1/fine-tunes/models/supported", cast_to=_SupportedModels)
        return list(found.models)

    @_core_errors_only
    async def estimate_price(self, spec: JobSpec) -> PriceEstimate:
        args = convert.job_create_args(spec)
        estimate = await self._client.fine_tuning.estimate_price(
            **convert.estimate_args(args, await self._client.fine_tuning.model_limits(
                model_name=spec.model)))
        return convert.price_estimate(estimate)

    # ------------------------------------------------------------------ models
    async def _tuned(self) -> list[tuple[Job, ModelInfo]]:
        """Fine-tuned models, from the finished jobs that name their output."""
        return [(j, ModelInfo(id=j.fine_tuned_model, created=j.finished_at or j.created_at,
                              owned_by="you", fine_tunable=False, fine_tuned=True))
                for j in await self._all_jobs() if j.status == "succeeded" and j.fine_tuned_model]

    @_core_errors_only
    async def list_models(self) -> list[ModelInfo]:
        base = await self.fine_tunable_models()
        return [m for _, m in await self._tuned()] + [
            ModelInfo(id=name, created=0, owned_by="together", fine_tunable=True) for name in base]

    @_core_errors_only
    async def retrieve_model(self, model_id: str) -> ModelInfo:
        for _, model in await self._tuned():
            if model.id == model_id:
                return model
        if model_id in await self.fine_tunable_models():
            return ModelInfo(id=model_id, created=0, owned_by="together", fine_tunable=True)
        raise CoreError(f"No model {model_id!r} on this account", status=404, kind="api",
                        hint="no such fine-tuned model (check the name, or its job was deleted)")

    @_core_errors_only
    async def delete_model(self, model_id: str) -> bool:
        """Together deletes a fine-tuned model with the job that made it (DELETE /fine-tunes/{id})."""
        for job, model in await self._tuned():
            if model.id == model_id:
                await self._client.fine_tuning.delete(job.id)
                return True
        raise CoreError(f"No fine-tuned model {model_id!r} on this account", status=404,
                        hint="no such fine-tuned model (check the name, or its job was deleted)")

    # ------------------------------------------------------------------ chat
    @_core_errors_only
    async def chat(self, request: ChatRequest) -> ChatResult:
        return convert.chat_result(await self._client.chat.completions.create(**convert.chat_args(request)))

    async def stream_chat(self, request: ChatRequest) -> AsyncIterator[ChatDelta]:
        """Yield text as it arrives; the last delta carries the usage when Together sends it."""
        failure: Exception | None = None
        started = False
        try:
            stream = await self._client.chat.completions.create(**convert.chat_args(request),
                                                               stream=True)
            async with stream:
                async for chunk in stream:
                    started = True
                    for choice in chunk.choices or []:
                        text = (choice.delta.content if choice.delta else None) or ""
                        if text or choice.finish_reason:
                            yield ChatDelta(index=choice.index, text=text,
                                            finish_reason=choice.finish_reason)
                    usage = getattr(chunk, "usage", None)
                    if usage is not None:
                        yield ChatDelta(usage=Usage(prompt_tokens=usage.prompt_tokens,
                                                    completion_tokens=usage.completion_tokens,
                                                    total_tokens=usage.total_tokens))
        except Exception as exc:
            failure = exc
        if failure is not None:
            # The together SDK lets httpx's own error out of a stream cut mid-body (the openai SDK
            # wraps it as APIConnectionError): either way the answer broke off.
            if started and isinstance(failure, (APIConnectionError, httpx.TransportError)):
                err = CoreError("The answer stream broke off before it finished", kind="connection",
                                retryable=True, hint="what arrived is kept; send again")
            else:
                err = self._converted(failure, "stream_chat")
            del failure
            raise err

    # ------------------------------------------------------------------ deployments
    async def _project_id(self) -> str:
        """The project the v2 endpoint paths name: the client's (TOGETHER_PROJECT_ID), else the
        one a project API key belongs to (/v3/whoami)."""
        if self._project is None:
            self._project = self._client.project_id or deploy.project_of(await self._client.whoami())
        return self._project

    @_core_errors_only
    async def list_hardware(self, model: str | None = None) -> list[Hardware]:
        found = [deploy.hardware(h) for h in (await self._client.endpoints.hardware.list()).data]
        self._hardware = {h.id: h for h in found} | {h.name: h for h in found}
        return sorted(found, key=lambda h: h.price_per_minute)

    async def _hardware_named(self, id_or_name: str) -> Hardware | None:
        if id_or_name not in self._hardware:
            try:
                await self.list_hardware()
            except CoreError:
                return None
        return self._hardware.get(id_or_name)

    async def _price(self, id_or_name: str) -> float | None:
        found = await self._hardware_named(id_or_name)
        return found.price_per_minute if found else None

    @_core_errors_only
    async def create_deployment(self, model: str, hardware_id: str) -> Deployment:
        """A dedicated endpoint for `model` on one replica of `hardware_id`: the model's config
        for that hardware, an endpoint, then a deployment under it."""
        project = await self._project_id()
        machine = await self._hardware_named(hardware_id)
        if machine is None:
            raise CoreError(f"No hardware {hardware_id!r} on Together", kind="input",
                            hint="pick one from the list (it is refreshed each time it opens)")
        configs = [c async for c in self._client.models.configs.list(project_id=project,
                                                                     reference_model_id=model)]
        config = deploy.config_for(configs, machine)
        if config is None:
            raise CoreError(f"{model} has no configuration on {machine.description or machine.name}",
                            kind="input", hint="pick other hardware")
        endpoint = await self._client.endpoints.create(project_id=project, name=deploy.endpoint_name(model))
        try:
            made = await self._client.endpoints.deployments.create(
                endpoint.id, project_id=project, **deploy.deployment_args(model, config))
        except Exception:  # no empty endpoint left behind
            await self._client.endpoints.delete(endpoint.id, project_id=project)
            raise
        return deploy.deployment(made, endpoint, machine.price_per_minute)

    @_core_errors_only
    async def retrieve_deployment(self, deployment_id: str) -> Deployment:
        project = await self._project_id()
        endpoint_id, _, dep_id = deployment_id.partition("/")
        endpoint = await self._client.endpoints.retrieve(endpoint_id, project_id=project)
        made = await self._client.endpoints.deployments.retrieve(dep_id, endpoint_id=endpoint_id,
                                                                 project_id=project)
        return deploy.deployment(made, endpoint, await self._price(made.hardware))

    @_core_errors_only
    async def list_deployments(self) -> list[Deployment]:
        project = await self._project_id()
        out: list[Deployment] = []
        async for endpoint in self._client.endpoints.list(project_id=project):
            for summary in endpoint.deployments:
                price = await self._price(summary.hardware or "")
                out.append(deploy.from_summary(summary, endpoint, price))
        return out

    @_core_errors_only
    async def stop_deployment(self, deployment_id: str) -> Deployment:
        """Delete the deployment and its endpoint: billing stops with it."""
        project = await self._project_id()
        endpoint_id, _, dep_id = deployment_id.partition("/")
        endpoint = await self._client.endpoints.retrieve(endpoint_id, project_id=project)
        made = await self._client.endpoints.deployments.retrieve(dep_id, endpoint_id=endpoint_id,
                                                                 project_id=project)
        await self._client.endpoints.deployments.delete(dep_id, endpoint_id=endpoint_id, project_id=project)
        await self._client.endpoints.delete(endpoint_id, project_id=project)
        stopped = deploy.deployment(made, endpoint, await self._price(made.hardware))
        return deploy.stopped(stopped)

    async def aclose(self) -> None:
        try:
            await self._client.close()
        except Exception:  # closing must never be what fails
            pass


def make_together_provider(settings: Any) -> TogetherProvider:
    """The provider for a resolved profile of kind "together" (core.settings.Settings)."""
    key = settings.api_key.get_secret_value() if settings.api_key is not None else None
    if not key:
        raise CoreError("No Together API key", kind="input",
                        hint=f"set {settings.key_source or KEY_ENV} or the profile's api_key_env")
    kwargs: dict[str, Any] = {"api_key": key}
    if settings.base_url:  # else the SDK's own hosts (chat goes to api-inference.together.ai)
        kwargs["base_url"] = settings.base_url
    if getattr(settings, "timeout", None) is not None:
        kwargs["timeout"] = settings.timeout
    if getattr(settings, "max_retries", None) is not None:
        kwargs["max_retries"] = settings.max_retries
    client = AsyncTogether(**kwargs)
    return TogetherProvider(client, name=settings.profile_name, label=settings.profile_name,
                            key_source=settings.key_source)


SANDBOX_LABEL = "SANDBOX (Together API) - simulated training"


def make_sandbox_provider(base_url: str) -> TogetherProvider:
    """The provider for the in-process sandbox speaking Together's dialect (`ftui --sandbox --dialect together`)."""
    from ftui.core.settings import SANDBOX_KEY

    client = AsyncTogether(api_key=SANDBOX_KEY, base_url=base_url, max_retries=2)
    return TogetherProvider(client, name="sandbox", label=SANDBOX_LABEL, simulated=True, key_source="sandbox")
