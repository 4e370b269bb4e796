"""Uploads are streamed to disk: pushing a big file never holds it in memory."""

from __future__ import annotations

import tracemalloc

import aiohttp

LINE = b'{"messages": [{"role": "user", "content": "' + b"x" * 1000 + b'"}]}\n'
SIZE_MB = 48


async def _lines(megabytes: int):
    per_mb = (1024 * 1024) // len(LINE)
    for _ in range(megabytes):
        yield LINE * per_mb


async def test_big_multipart_upload_keeps_memory_flat(sandbox):
    expected = SIZE_MB * ((1024 * 1024) // len(LINE)) * len(LINE)
    tracemalloc.start()
    try:
        async with aiohttp.ClientSession(headers={"Authorization": "Bearer k"}) as http:
            form = aiohttp.FormData()
            form.add_field("purpose", "fine-tune")
            form.add_field("file", _lines(SIZE_MB), filename="big.jsonl",
                           content_type="application/jsonl")
            async with http.post(f"{sandbox.base_url}/files", data=form) as response:
                body = await response.json()
                assert response.status == 200, body
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert body["bytes"] == expected
    # Client and server share this process: the peak covers both, and stays far below the file.
    assert peak < expected / 4, f"peak {peak / 1e6:.1f} MB for a {expected / 1e6:.0f} MB upload"
