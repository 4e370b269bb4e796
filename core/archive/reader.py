"""`open_archive(path)`: a read-only Provider over an archive folder, so the Jobs, Models and Files
screens can show an account that no longer exists. Everything that would write raises."""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from ftui.core.archive import layout as L
from ftui.core.errors import CoreError
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
)

READ_ONLY = "this is an archive (read-only)"
# Nothing can be launched (no methods), paused or cancelled in an archive.
ARCHIVE_CAPABILITIES = Capabilities(pause_resume=False, cancel=False, checkpoints=True, methods=(),
                                    hyperparameters=())


def _read_only(what: str) -> CoreError:
    return CoreError(f"{READ_ONLY}: cannot {what}", kind="input",
                     hint="open the live profile to change anything")


def _page(items: list, after: str | None, limit: int) -> Page:
    start = 0
    if after:
        ids = [getattr(i, "id", None) for i in items]
        if after not in ids:
            raise CoreError(f"No item with id {after!r} to page after", kind="input", hint="refresh the list")
        start = ids.index(after) + 1
    return Page(items[start:start + limit], has_more=start + limit < len(items))


class ArchiveProvider:
    """`core.provider.Provider` over an archive folder, read-only."""

    simulated = False

    def __init__(self, path: Path, manifest: dict[str, Any]) -> None:
        self.path = path
        self.manifest = manifest
        self.name = f"archive:{manifest.get('profile', '?')}"
        self.label = f"ARCHIVE - {manifest.get('profile', '?')}, read-only ({manifest.get('created', '?')[:10]})"
        self.capabilities = ARCHIVE_CAPABILITIES
        rows = L.read_jsonl
        self._jobs = sorted((L.job_from_dict(d) for d in rows(path / L.JOBS)),
                            key=lambda j: j.created_at, reverse=True)
        self._events: dict[str, list[JobEvent]] = {}
        for d in rows(path / L.EVENTS):
            self._events.setdefault(d["job_id"], []).append(L.event_from_dict(d))
        self._checkpoints: dict[str, list[Checkpoint]] = {}
        for d in rows(path / L.CHECKPOINTS):
            self._checkpoints.setdefault(d["job_id"], []).append(L.checkpoint_from_dict(d))
        self._models = [L.model_from_dict(d) for d in rows(path / L.MODELS)]
        self._files = [L.file_from_dict(d) for d in rows(path / L.FILES)]

    def __repr__(self) -> str:
        return f"ArchiveProvider(path={str(self.path)!r})"

    # ------------------------------------------------------------------ what it holds
    async def list_files(self, *, purpose: str | None = None, after: str | None = None,
                         limit: int = 100) -> Page[RemoteFile]:
        files = [f for f in self._files if not purpose or f.purpose == purpose]
        return _page(files, after, limit)

    async def retrieve_file(self, file_id: str) -> RemoteFile:
        for f in self._files:
            if f.id == file_id:
                return f
        raise CoreError(f"No file {file_id!r} in this archive", status=404, kind="input")

    def _content_path(self, file_id: str) -> Path:
        path = self.path / L.RESULTS / file_id
        if "/" in file_id or not path.is_file():
            raise CoreError(f"The content of {file_id} is not in this archive", status=404, kind="input",
                            hint="only result files are archived with their content")
        return path

    async def file_content(self, file_id: str) -> bytes:
        return await asyncio.to_thread(self._content_path(file_id).read_bytes)

    async def download_file(self, file_id: str, dest: Path, progress=None) -> Path:
        source = self._content_path(file_id)
        await asyncio.to_thread(shutil.copyfile, source, dest)
        return Path(dest)

    async def retrieve_job(self, job_id: str) -> Job:
        for job in self._jobs:
            if job.id == job_id:
                return job
        raise CoreError(f"No job {job_id!r} in this archive", status=404, kind="input")

    async def list_jobs(self, *, after: str | None = None, limit: int = 20,
                        status: str | None = None) -> Page[Job]:
        jobs = [j for j in self._jobs if not status or j.status == status]
        return _page(jobs, after, limit)

    async def list_events(self, job_id: str, *, after: str | None = None,
                          limit: int = 100) -> Page[JobEvent]:
        await self.retrieve_job(job_id)
        return _page(self._events.get(job_id, []), after, limit)

    async def list_checkpoints(self, job_id: str, *, after: str | None = None,
                               limit: int = 100) -> Page[Checkpoint]:
        await self.retrieve_job(job_id)
        return _page(self._checkpoints.get(job_id, []), after, limit)

    async def list_models(self) -> list[ModelInfo]:
        return list(self._models)

    async def retrieve_model(self, model_id: str) -> ModelInfo:
        for m in self._models:
            if m.id == model_id:
                return m
        raise CoreError(f"No model {model_id!r} in this archive", status=404, kind="input")

    # ------------------------------------------------------------------ what it refuses
    async def upload_file(self, path: Path, **_: Any) -> RemoteFile:
        raise _read_only("upload files")

    async def delete_file(self, file_id: str) -> bool:
        raise _read_only("delete files")

    async def create_job(self, spec: JobSpec) -> Job:
        raise _read_only("launch jobs")

    async def cancel_job(self, job_id: str) -> Job:
        raise _read_only("cancel jobs")

    async def pause_job(self, job_id: str) -> Job:
        raise _read_only("pause jobs")

    async def resume_job(self, job_id: str) -> Job:
        raise _read_only("resume jobs")

    async def delete_model(self, model_id: str) -> bool:
        raise _read_only("delete models")

    async def chat(self, request: ChatRequest) -> ChatResult:
        raise _read_only("chat (an archived model does not answer)")

    async def stream_chat(self, request: ChatRequest) -> AsyncIterator[ChatDelta]:
        raise _read_only("chat (an archived model does not answer)")
        yield  # pragma: no cover  (makes this an async generator, like the others)

    async def aclose(self) -> None:
        return None


def open_archive(path: Path | str) -> ArchiveProvider:
    """The archive at `path`; CoreError(kind="input") when it is not one, or did not finish."""
    folder = Path(path)
    manifest_path = folder / L.MANIFEST
    if not folder.is_dir():
        raise CoreError(f"{folder} is not a folder", kind="input", hint="name an archive folder")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CoreError(f"{folder} has no {L.MANIFEST}: not an ftui archive, or one that did not finish",
                        kind="input", hint="archive the profile again into an empty folder") from None
    except (OSError, ValueError) as exc:
        raise CoreError(f"{manifest_path} cannot be read: {exc}", kind="input") from None
    if not isinstance(manifest, dict) or manifest.get("format") != L.FORMAT:
        raise CoreError(f"{manifest_path} is not an ftui archive manifest", kind="input")
    if int(manifest.get("version", 0)) > L.VERSION:
        raise CoreError(f"{folder} was written by a newer ftui (archive version {manifest['version']})",
                        kind="input", hint="update ftui to open it")
    try:
        return ArchiveProvider(folder, manifest)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CoreError(f"{folder}: a damaged archive file ({exc})", kind="input") from None
