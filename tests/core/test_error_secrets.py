"""A converted error carries nothing of the SDK exception it came from: a 401 whose server
message holds the whole key must not leak it through `__context__`/`__cause__` or a traceback."""

from __future__ import annotations

import traceback
from pathlib import Path

import pytest
from aiohttp import web
from openai import AsyncOpenAI

from ftui.core.backends.openai_backend import OpenAIProvider
from ftui.core.errors import CoreError
from ftui.core.types import ChatRequest

KEY = "sk-proj-WHOLE-KEY-0123456789abcdef"


async def _echo_key_401(request: web.Request) -> web.Response:
    """Like a server that quotes the key it refused, in full."""
    key = request.headers.get("Authorization", "").partition(" ")[2]
    if request.method == "POST" and request.path == "/v1/uploads":  # let an Upload start
        return web.json_response({"id": "upload_1", "object": "upload", "bytes": 1,
                                  "created_at": 1, "filename": "t.jsonl", "purpose": "fine-tune",
                                  "status": "pending", "expires_at": 2})
    return web.json_response({"error": {"message": f"Incorrect API key provided: {key}.",
                                        "type": "invalid_request_error", "param": None,
                                        "code": "invalid_api_key"}}, status=401)


@pytest.fixture
async def refusing_provider():
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", _echo_key_401)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    client = AsyncOpenAI(api_key=KEY, base_url=f"http://127.0.0.1:{port}/v1", max_retries=0)
    provider = OpenAIProvider(client, name="test", key_source="env TEST_KEY",
                              upload_threshold=1000, part_size=400, part_concurrency=2)
    yield provider
    await provider.aclose()
    await runner.cleanup()


async def _stream(provider: OpenAIProvider) -> None:
    async for _ in provider.stream_chat(ChatRequest(model="gpt-4o-mini", messages=[
            {"role": "user", "content": "hi"}])):
        pass


def _calls(tmp_path: Path):
    small, large = tmp_path / "small.jsonl", tmp_path / "large.jsonl"
    small.write_bytes(b'{"a": 1}\n' * 10)
    large.write_bytes(b'{"a": 1}\n' * 300)  # above the threshold: Uploads API in parts
    return {
        "list_files": lambda p: p.list_files(),
        "chat": lambda p: p.chat(ChatRequest(model="gpt-4o-mini",
                                             messages=[{"role": "user", "content": "hi"}])),
        "stream_chat": _stream,
        "upload_files_api": lambda p: p.upload_file(small),
        "upload_uploads_api": lambda p: p.upload_file(large),
        "download": lambda p: p.download_file("file-1", tmp_path / "out.jsonl"),
    }


@pytest.mark.parametrize("name", ["list_files", "chat", "stream_chat", "upload_files_api",
                                  "upload_uploads_api", "download"])
async def test_a_401_quoting_the_key_leaves_no_trace_of_it(refusing_provider, tmp_path, name):
    with pytest.raises(CoreError) as caught:
        await _calls(tmp_path)[name](refusing_provider)
    err = caught.value
    assert err.status == 401 and err.code == "invalid_api_key"
    assert err.__context__ is None and err.__cause__ is None
    printed = "".join(traceback.format_exception(err))
    assert KEY not in printed and KEY not in repr(err) and KEY not in err.details()
    # not even with the suppression flag off, as a logger walking the chain could do
    err.__suppress_context__ = False
    assert KEY not in "".join(traceback.format_exception(err))
    # nor in the locals of the frames it passed through (rich/Textual tracebacks show them)
    shown = traceback.TracebackException.from_exception(err, capture_locals=True)
    assert KEY not in "".join(shown.format())
