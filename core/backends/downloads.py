"""Streaming a file's content from an SDK's streaming response to disk, the same for every backend."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import aiofiles

from ftui.core.types import TransferProgress


async def stream_to_file(streaming: Any, dest: Path, progress: Any = None) -> Path:
    """Write what `streaming` (an SDK's `with_streaming_response.content(...)` context) yields to `dest`,
    through a temporary file beside it renamed into place when complete, so a broken download leaves no
    half file under the real name."""
    dest = Path(dest)
    partial = dest.with_name(f".{dest.name}.part")
    try:
        async with streaming as response:
            total = int(response.headers.get("content-length") or 0)  # 0: unknown
            done = 0
            if progress is not None:
                progress(TransferProgress(done=0, total=total))
            async with aiofiles.open(partial, "wb") as out:
                async for chunk in response.iter_bytes():
                    await out.write(chunk)
                    done += len(chunk)
                    if progress is not None:
                        progress(TransferProgress(done=done, total=max(total, done)))
        os.replace(partial, dest)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return dest
