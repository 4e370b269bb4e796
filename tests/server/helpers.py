"""Small helpers the sandbox tests share: spec-checked raw bodies, waiting for job states."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import openai

from tests.spec_check import check_response, check_stream_chunk

FINISHED = ("succeeded", "failed", "cancelled")


def checked(operation_id: str, raw) -> dict[str, Any]:
    """The JSON body of a `with_raw_response` call, validated against the spec."""
    assert raw.status_code == 200, raw.text
    return check_response(operation_id, json.loads(raw.content))


async def wait_job(client: openai.AsyncOpenAI, job_id: str, statuses=FINISHED,
                   timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while True:
        job = await client.fine_tuning.jobs.retrieve(job_id)
        if job.status in statuses:
            return job
        assert time.monotonic() < deadline, f"job {job_id} stuck in {job.status}"
        await asyncio.sleep(0.01)


def sse_chunks(lines: list[str]) -> tuple[list[dict[str, Any]], bool]:
    """Parse SSE lines into spec-checked chunks; second value: did it end with [DONE]."""
    chunks, done = [], False
    for line in lines:
        if not line.startswith("data: "):
            continue
        payload = line[len("data: "):]
        if payload == "[DONE]":
            done = True
            continue
        assert not done, "data after [DONE]"
        chunks.append(check_stream_chunk(json.loads(payload)))
    return chunks, done


async def upload(client: openai.AsyncOpenAI, path, purpose: str = "fine-tune"):
    return await client.files.create(file=path, purpose=purpose)


def raw_request(method: str, url: str, *, headers: dict[str, str] | None = None,
                body: bytes | None = None, timeout: float = 10.0):
    """A plain HTTP request (stdlib), for what the official client will not send.
    Returns (status, headers, parsed JSON or None)."""
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, head, data = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, head, data = error.code, error.headers, error.read()
    try:
        parsed = json.loads(data) if data else None
    except ValueError:
        parsed = None
    return status, head, parsed
