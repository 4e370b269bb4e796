"""Copying request bodies to disk chunk by chunk, so no upload is ever held in memory."""

from __future__ import annotations

import hashlib
from pathlib import Path

from aiohttp import BodyPartReader, web

CHUNK = 256 * 1024
# Set by the fault middleware on requests it chose to break.
DROP_UPLOAD = web.RequestKey("sandbox_drop_upload", bool)
CUT_STREAM_AFTER = web.RequestKey("sandbox_cut_stream_after", int)


class DropConnection(Exception):
    """Raised to make the fault middleware close the connection without an answer."""


async def part_to_file(part: BodyPartReader, path: Path, request: web.Request,
                       max_bytes: int | None = None) -> int:
    """Stream one multipart part into `path`; returns its size. Nothing is kept on failure."""
    size = 0
    try:
        with path.open("wb") as out:
            while chunk := await part.read_chunk(CHUNK):
                size += len(chunk)
                if request.get(DROP_UPLOAD) and size > 0:
                    raise DropConnection
                if max_bytes is not None and size > max_bytes:
                    raise PartTooLarge(max_bytes)
                out.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return size


class PartTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit


def concatenate(sources: list[Path], dest: Path) -> tuple[int, str]:
    """Join files into `dest`; returns (bytes, md5 hex) computed on the way."""
    digest = hashlib.md5(usedforsecurity=False)
    size = 0
    with dest.open("wb") as out:
        for source in sources:
            with source.open("rb") as fh:
                while chunk := fh.read(1024 * 1024):
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
    return size, digest.hexdigest()
