"""SDK exceptions -> CoreError: real failures from the sandbox and the network, plus the
statuses the sandbox never produces (403, 409, insufficient_quota) built as the SDK builds them."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import httpx2
import openai
import pytest

from ftui.core.error_map import redact, to_core_error
from ftui.core.errors import CoreError
from ftui.core.types import ChatRequest, JobSpec

from .conftest import FAKE_KEY

CHAT = ChatRequest(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens once the socket is closed


def _no_secret(err: CoreError) -> None:
    for text in (str(err), repr(err), err.details(), err.hint, err.message):
        assert "SECRET123" not in text


# ---------------------------------------------------------------- real failures
async def test_401_says_which_key_to_check(make_sdk_provider):
    p = make_sdk_provider(headers={"Authorization": "Basic eA=="})  # no bearer key reaches it
    with pytest.raises(CoreError) as info:
        await p.list_files()
    err = info.value
    assert err.status == 401 and not err.retryable and err.request_id
    assert "key" in err.hint and "TEST_KEY" in err.hint
    _no_secret(err)


async def test_404_model_not_found(make_sdk_provider):
    with pytest.raises(CoreError) as info:
        await make_sdk_provider().chat(ChatRequest(model="ft:nope", messages=CHAT.messages))
    err = info.value
    assert err.status == 404 and err.code == "model_not_found" and "model" in err.hint
    _no_secret(err)


async def test_429_rate_limited_after_retries(make_sdk_provider, sandbox_handle):
    sandbox_handle.set_faults("rate429=1.0")
    with pytest.raises(CoreError) as info:
        await make_sdk_provider(max_retries=1).list_models()
    err = info.value
    assert err.status == 429 and err.retryable and "rate limited" in err.hint
    assert err.code == "rate_limit_exceeded"
    _no_secret(err)


async def test_5xx_server_error_after_retries(make_sdk_provider, sandbox_handle):
    sandbox_handle.set_faults("error5xx=1.0")
    with pytest.raises(CoreError) as info:
        await make_sdk_provider(max_retries=1).retrieve_job("ftjob-x")
    err = info.value
    assert err.status in (500, 502, 503) and err.retryable and "server error" in err.hint


async def test_sdk_retries_ride_out_occasional_faults(make_sdk_provider, sandbox_handle):
    sandbox_handle.set_faults("rate429=0.2,error5xx=0.2,seed=4")
    p = make_sdk_provider(max_retries=6)
    for _ in range(10):
        assert await p.list_models()


async def test_connection_refused(make_sdk_provider):
    p = make_sdk_provider(base_url=f"http://127.0.0.1:{_closed_port()}/v1")
    with pytest.raises(CoreError) as info:
        await p.list_files()
    err = info.value
    assert err.kind == "connection" and err.status is None and "base URL" in err.hint
    assert "127.0.0.1" in err.message
    _no_secret(err)


async def test_timeout(make_sdk_provider, sandbox_handle):
    sandbox_handle.set_faults("latency=2000")
    with pytest.raises(CoreError) as info:
        await make_sdk_provider(timeout=0.3).list_models()
    assert info.value.kind == "timeout" and "network" in info.value.hint


async def _drain(stream):
    return [d async for d in stream]


@pytest.mark.parametrize("call", [
    lambda p, t: p.list_files(),
    lambda p, t: p.upload_file(t),
    lambda p, t: p.retrieve_file("file-x"),
    lambda p, t: p.delete_file("file-x"),
    lambda p, t: p.file_content("file-x"),
    lambda p, t: p.download_file("file-x", t.parent / "out.bin"),
    lambda p, t: p.create_job(JobSpec(model="gpt-4o-mini-2024-07-18", training_file="file-x")),
    lambda p, t: p.retrieve_job("ftjob-x"),
    lambda p, t: p.list_jobs(),
    lambda p, t: p.list_jobs(status="running"),
    lambda p, t: p.cancel_job("ftjob-x"),
    lambda p, t: p.pause_job("ftjob-x"),
    lambda p, t: p.resume_job("ftjob-x"),
    lambda p, t: p.list_events("ftjob-x"),
    lambda p, t: p.list_checkpoints("ftjob-x"),
    lambda p, t: p.list_models(),
    lambda p, t: p.retrieve_model("gpt-4o"),
    lambda p, t: p.delete_model("ft:x"),
    lambda p, t: p.chat(CHAT),
    lambda p, t: _drain(p.stream_chat(CHAT)),
], ids=lambda c: "")
async def test_every_method_raises_only_core_error(make_sdk_provider, tmp_path: Path, call):
    p = make_sdk_provider(base_url=f"http://127.0.0.1:{_closed_port()}/v1")
    small = tmp_path / "t.jsonl"
    small.write_text('{"messages": []}\n')
    with pytest.raises(CoreError) as info:
        await call(p, small)
    assert info.value.kind == "connection"


# ---------------------------------------------------------------- statuses built as the SDK does
def _status_error(cls, status: int, body: dict, headers: dict | None = None):
    request = httpx2.Request("POST", "https://api.openai.com/v1/fine_tuning/jobs")
    response = httpx2.Response(status, json={"error": body}, request=request,
                               headers={"x-request-id": "req_123", **(headers or {})})
    return cls(f"Error code: {status} - {body}", response=response, body=body)


def test_403_on_job_creation_explains_the_wind_down():
    exc = _status_error(openai.PermissionDeniedError, 403,
                        {"message": "Fine-tuning is not available for this organization.",
                         "type": "invalid_request_error", "code": None})
    err = to_core_error(exc, operation="create_job")
    assert err.status == 403 and err.request_id == "req_123"
    for words in ("2027-01-06", "2027-01-14", "download", "sandbox"):
        assert words in err.hint
    other = to_core_error(exc, operation="list_files")
    assert "2027" not in other.hint and "permission" in other.hint


def test_409_and_quota_and_model_not_found():
    conflict = to_core_error(_status_error(openai.ConflictError, 409, {"message": "Job already done"}))
    assert conflict.status == 409 and "conflict" in conflict.hint
    quota = to_core_error(_status_error(openai.RateLimitError, 429, {
        "message": "You exceeded your current quota", "type": "insufficient_quota",
        "code": "insufficient_quota"}))
    assert quota.code == "insufficient_quota" and "billing" in quota.hint and not quota.retryable
    missing = to_core_error(_status_error(openai.NotFoundError, 404, {
        "message": "The model `x` does not exist", "code": "model_not_found"}))
    assert missing.code == "model_not_found" and "model" in missing.hint


def test_key_in_a_server_message_is_redacted():
    exc = _status_error(openai.AuthenticationError, 401, {
        "message": f"Incorrect API key provided: {FAKE_KEY}. You can find your API key at ...",
        "code": "invalid_api_key"})
    err = to_core_error(exc, key_source="env OPENAI_API_KEY", secrets=[FAKE_KEY])
    _no_secret(err)
    assert "OPENAI_API_KEY" in err.hint and err.code == "invalid_api_key"
    assert "SECRET" not in redact(f"key {FAKE_KEY[:-3]}*** failed")  # partly masked keys too


def test_other_exceptions():
    assert to_core_error(FileNotFoundError(2, "No such file or directory", "/x.jsonl")).kind == "io"
    missing = to_core_error(openai.OpenAIError("Missing credentials. Please pass an `api_key`"))
    assert missing.kind == "input"
    same = CoreError("kept")
    assert to_core_error(same) is same
    assert "boom" in to_core_error(ValueError("boom")).message


async def test_cancellation_is_not_turned_into_an_error(make_sdk_provider, sandbox_handle):
    sandbox_handle.set_faults("latency=2000")
    task = asyncio.create_task(make_sdk_provider().list_models())
    await asyncio.sleep(0.1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
