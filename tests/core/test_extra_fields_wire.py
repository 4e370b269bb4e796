"""Extra request fields, from the launch form's `key = value` text to the bytes on the wire:
build_spec parses them (typed), OpenAIProvider.create_job passes them as the SDK's extra_body,
and the request body the sandbox receives carries each at its top level. The bytes are recorded
by an httpx transport under the real SDK client; nothing of ftui's is replaced. Also: what is
remembered for one profile is not what another gets."""

from __future__ import annotations

import json

import httpx
from openai import AsyncOpenAI

from ftui.core.backends.openai_backend import OpenAIProvider
from ftui.core.launch.fields import FormValues, build_spec
from ftui.core.launch.form_fields import load_extra_fields, save_extra_fields
from tests.core.conftest import FAKE_KEY

TYPED = 'lora = true\nlora_r = 16\nlearning_rate = 2e-4\npacking = "yes"\nnote = free text\nlimits = {"a": [1, 2]}'


class Recording(httpx.AsyncBaseTransport):
    """Passes every request on to a real transport, keeping (method, path, body bytes)."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.sent: list[tuple[str, str, bytes]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        self.sent.append((request.method, request.url.path, body))
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


async def test_extra_fields_reach_the_server_in_the_request_body(sandbox_handle, jsonl):
    wire = Recording()
    client = AsyncOpenAI(api_key=FAKE_KEY, base_url=sandbox_handle.base_url, max_retries=0,
                         http_client=httpx.AsyncClient(transport=wire))
    provider = OpenAIProvider(client, name="compatible")
    try:
        uploaded = await provider.upload_file(jsonl(2000))
        spec, errors = build_spec(FormValues(model="gpt-4o-mini-2024-07-18", training_file=uploaded.id,
                                             n_epochs="2", extra_fields=TYPED))
        assert errors == {} and spec is not None
        job = await provider.create_job(spec)
    finally:
        await provider.aclose()
    [body] = [b for method, path, b in wire.sent if method == "POST" and path.endswith("/fine_tuning/jobs")]
    sent = json.loads(body)
    assert {k: sent[k] for k in ("lora", "lora_r", "learning_rate", "packing", "note", "limits")} == {
        "lora": True, "lora_r": 16, "learning_rate": 2e-4, "packing": "yes", "note": "free text",
        "limits": {"a": [1, 2]}}
    # beside, not instead of, what ftui itself sends
    assert sent["model"] == "gpt-4o-mini-2024-07-18" and sent["training_file"] == uploaded.id
    assert sent["method"]["supervised"]["hyperparameters"]["n_epochs"] == 2
    assert job.id


def test_each_profile_keeps_its_own_extra_fields(tmp_path, monkeypatch):
    monkeypatch.setenv("FTUI_DATA_DIR", str(tmp_path))
    save_extra_fields("nebius", "lora_r = 16\npacking = true")
    save_extra_fields("azure", 'trainingType = "Standard"')
    assert load_extra_fields("nebius") == "lora_r = 16\npacking = true"
    assert load_extra_fields("azure") == 'trainingType = "Standard"'
    save_extra_fields("nebius", "lora_r = 32")  # a later launch on one profile leaves the other's
    assert load_extra_fields("nebius") == "lora_r = 32"
    assert load_extra_fields("azure") == 'trainingType = "Standard"'
    save_extra_fields("azure", "")  # launched with none: nothing remembered for it, the other kept
    assert load_extra_fields("azure") == "" and load_extra_fields("nebius") == "lora_r = 32"
    assert load_extra_fields("openai") == ""
