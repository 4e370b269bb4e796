"""Sending a local file to OpenAI: Files API for ordinary sizes, Uploads API in parts beyond.

Why not the SDK's `uploads.upload_file_chunked`: it sends parts one at a time, reports no
progress, cannot be cancelled and leaves the Upload open when a part fails. Here parts go
out a few at a time, each streamed from disk in small reads (no part is ever held in
memory), the md5 of the whole file is computed in one sequential pass in a thread meanwhile
and sent on completion, and a failed or abandoned Upload is cancelled on the server.
Retries and backoff of each request are still the SDK's.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import mimetypes
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from openai import AsyncOpenAI
from openai.types import FileObject

from ftui.core.errors import CoreError
from ftui.core.provider import ProgressCallback
from ftui.core.types import TransferProgress

T = TypeVar("T")

FILES_API_LIMIT = 512 * 1024 * 1024  # the Files API's size limit per file
DEFAULT_PART_SIZE = 64 * 1024 * 1024  # the Uploads API's size limit per part
DEFAULT_PART_CONCURRENCY = 3


class UploadCancelled(CoreError):
    """The user gave up on a transfer (the cancel event was set)."""


def cancelled_error(path: Path) -> UploadCancelled:
    return UploadCancelled(f"Upload of {path.name} cancelled", kind="cancelled",
                           hint="nothing was kept on the server")


class ProgressReader(io.RawIOBase):
    """A read-only view of a binary file that reports its position as it is read.

    httpx reads multipart file fields in 64 KiB chunks and seeks back to 0 before a retry,
    so the position is exactly the bytes sent in the current attempt.
    """

    def __init__(self, raw: io.BufferedIOBase | io.RawIOBase | io.BytesIO,
                 on_position: Callable[[int], None]) -> None:
        super().__init__()
        self._raw = raw
        self._on_position = on_position

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def fileno(self) -> int:  # lets httpx learn the length from fstat for real files
        return self._raw.fileno()

    def tell(self) -> int:
        return self._raw.tell()

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        pos = self._raw.seek(offset, whence)
        self._on_position(pos)
        return pos

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        self._on_position(self._raw.tell())
        return data

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._raw.close()
        super().close()


def mime_type_for(path: Path) -> str:
    if path.suffix.lower() == ".jsonl":
        return "text/jsonl"
    return mimetypes.guess_type(path.name)[0] or "application/octet-stream"


async def run_cancellable(work: Awaitable[T], cancel: asyncio.Event | None, path: Path) -> T:
    """Await `work`, abandoning it (and raising UploadCancelled) if `cancel` is set first."""
    task = asyncio.ensure_future(work)
    if cancel is None:
        return await task
    waiter = asyncio.ensure_future(cancel.wait())
    try:
        done, _ = await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
    except BaseException:
        task.cancel()
        raise
    finally:
        waiter.cancel()
    if task in done:
        return task.result()
    task.cancel()
    try:
        await task
    except BaseException:  # its own cancellation or failure no longer matters
        pass
    raise cancelled_error(path)


async def upload_via_files_api(client: AsyncOpenAI, path: Path, purpose: str,
                               progress: ProgressCallback | None,
                               cancel: asyncio.Event | None) -> FileObject:
    total = path.stat().st_size

    def report(pos: int) -> None:
        if progress is not None:
            progress(TransferProgress(done=pos, total=total))

    reader = ProgressReader(open(path, "rb"), report)  # noqa: SIM115 - closed below
    try:
        report(0)
        return await run_cancellable(
            client.files.create(file=(path.name, reader, mime_type_for(path)), purpose=purpose),  # type: ignore[arg-type]
            cancel, path)
    finally:
        reader.close()


class FilePartReader(io.RawIOBase):
    """One part of a file, `length` bytes from `offset`, read from disk as it is sent.

    httpx2 (the SDK's HTTP library) sends a multipart file field by seeking to 0 and calling
    `read(64 KiB)` until it gets b""; it learns the field's length from `fileno()` (which
    this view refuses, since fstat would give the whole file's size) or else from
    `seek(0, SEEK_END)`. So a part is never in memory: only the chunk being sent. Every read
    reports the bytes of the part read so far; a seek back to 0 (a retry) reports 0.
    """

    def __init__(self, path: Path, offset: int, length: int,
                 on_position: Callable[[int], None]) -> None:
        super().__init__()
        self._file = open(path, "rb", buffering=0)  # noqa: SIM115 - closed in close()
        self._offset = offset
        self._length = length
        self._pos = 0
        self._on_position = on_position

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._length}[whence]
        self._pos = max(0, min(self._length, base + offset))
        if whence == io.SEEK_SET:  # not the length probe (SEEK_END), which sends nothing
            self._on_position(self._pos)
        return self._pos

    def read(self, size: int = -1) -> bytes:
        left = self._length - self._pos
        size = left if size is None or size < 0 else min(size, left)
        if size <= 0:
            return b""
        self._file.seek(self._offset + self._pos)
        data = self._file.read(size)
        self._pos += len(data)
        self._on_position(self._pos)
        return data

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._file.close()
        super().close()


HASH_CHUNK = 1024 * 1024


def file_md5(path: Path, stop: threading.Event) -> str | None:
    """The md5 of the whole file in one sequential pass (run in a thread, while the parts go
    out); None if `stop` was set before the end."""
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb", buffering=0) as f:
        buffer = bytearray(HASH_CHUNK)
        view = memoryview(buffer)
        while not stop.is_set():
            got = f.readinto(buffer)
            if not got:
                return digest.hexdigest()
            digest.update(view[:got])
    return None


def _first_real_error(group: BaseExceptionGroup) -> BaseException:
    for exc in group.exceptions:
        if isinstance(exc, BaseExceptionGroup):
            return _first_real_error(exc)
        if not isinstance(exc, asyncio.CancelledError):
            return exc
    return group.exceptions[0]


async def upload_via_uploads_api(client: AsyncOpenAI, path: Path, purpose: str,
                                 progress: ProgressCallback | None,
                                 cancel: asyncio.Event | None, *,
                                 part_size: int = DEFAULT_PART_SIZE,
                                 concurrency: int = DEFAULT_PART_CONCURRENCY) -> FileObject:
    if part_size <= 0 or concurrency <= 0:
        raise CoreError("part_size and concurrency must be positive", kind="input")
    total = path.stat().st_size
    upload = await client.uploads.create(bytes=total, filename=path.name,
                                         mime_type=mime_type_for(path), purpose=purpose)  # type: ignore[arg-type]
    try:
        part_ids, md5 = await run_cancellable(
            _send_parts(client, upload.id, path, total, progress, part_size, concurrency),
            cancel, path)
        done = await client.uploads.complete(upload.id, part_ids=part_ids, md5=md5)
    except BaseException:
        # Whatever went wrong (user cancel, task cancelled, a part failing after the SDK's
        # retries), do not leave a half-finished Upload on the server.
        cleanup = asyncio.ensure_future(_cancel_quietly(client, upload.id))
        try:
            await asyncio.shield(cleanup)
        except BaseException:
            pass
        raise
    if done.file is None:
        raise CoreError(f"Upload {upload.id} completed without a file (status {done.status})",
                        hint="try the upload again")
    return done.file


async def _cancel_quietly(client: AsyncOpenAI, upload_id: str) -> None:
    try:
        await client.with_options(max_retries=1).uploads.cancel(upload_id)
    except Exception:
        pass  # best effort: an Upload that is not completed expires on its own after an hour


async def _send_parts(client: AsyncOpenAI, upload_id: str, path: Path, total: int,
                      progress: ProgressCallback | None, part_size: int,
                      concurrency: int) -> tuple[list[str], str]:
    """Send the parts, up to `concurrency` at once, each streamed from disk; hash the whole
    file in a thread meanwhile. Returns the part ids in file order and the md5."""
    positions: dict[int, int] = {}  # part index -> bytes of it sent so far
    part_ids: dict[int, str] = {}
    slots = asyncio.Semaphore(concurrency)
    stop_hashing = threading.Event()

    def report() -> None:
        if progress is not None:
            progress(TransferProgress(done=sum(positions.values()), total=total))

    async def send(index: int) -> None:
        offset = index * part_size
        length = min(part_size, total - offset)

        def on_position(pos: int) -> None:
            positions[index] = pos
            report()

        try:
            reader = FilePartReader(path, offset, length, on_position)
            try:
                part = await client.uploads.parts.create(upload_id, data=("part", reader))  # type: ignore[arg-type]
            finally:
                reader.close()
            part_ids[index] = part.id
            positions[index] = length
            report()
        finally:
            slots.release()

    report()
    hashing = asyncio.ensure_future(asyncio.to_thread(file_md5, path, stop_hashing))
    # If the parts fail first, the hash's own outcome is never awaited; do not warn about it.
    hashing.add_done_callback(lambda t: t.cancelled() or t.exception())
    try:
        async with asyncio.TaskGroup() as group:
            for index in range(-(-total // part_size)):
                await slots.acquire()  # at most `concurrency` parts on the wire
                group.create_task(send(index))
        md5 = await hashing
    except BaseExceptionGroup as group_error:
        raise _first_real_error(group_error) from None
    finally:
        stop_hashing.set()  # a failed or cancelled upload needs no md5: end the thread soon
        hashing.cancel()
    if md5 is None:  # cannot happen unless stopped, which only the finally above does
        raise CoreError("the md5 of the file could not be computed", kind="io")
    return [part_ids[i] for i in sorted(part_ids)], md5
