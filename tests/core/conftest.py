"""Fixtures for core tests: a real sandbox on loopback in the test's own event loop, and
providers talking to it through the official OpenAI SDK."""

from __future__ import annotations

from pathlib import Path

import pytest
from openai import AsyncOpenAI

from ftui.core.backends.openai_backend import OpenAIProvider
from ftui.core.connect import make_provider
from ftui.core.server import start_sandbox
from ftui.core.settings import load_settings

FAKE_KEY = "sk-test-SECRET123"


@pytest.fixture
async def sandbox_handle():
    """A fresh sandbox per test; fast simulated training so jobs finish in about a second."""
    handle = await start_sandbox(speed=200)
    yield handle
    await handle.stop()


@pytest.fixture
def no_config(tmp_path: Path) -> Path:
    path = tmp_path / "empty-config.toml"
    path.write_text("")
    return path


@pytest.fixture
async def provider(sandbox_handle, no_config):
    """The provider the app itself builds for the sandbox profile."""
    p = make_provider(load_settings("sandbox", env={}, config_path=no_config),
                      sandbox_base_url=sandbox_handle.base_url)
    yield p
    await p.aclose()


@pytest.fixture
async def make_sdk_provider(sandbox_handle):
    """Build an OpenAIProvider on the sandbox with a chosen key, retries, timeout, headers."""
    made: list[OpenAIProvider] = []

    def build(*, key: str = FAKE_KEY, max_retries: int = 0, timeout: float = 10.0,
              base_url: str | None = None, headers: dict[str, str] | None = None,
              **options) -> OpenAIProvider:
        client = AsyncOpenAI(api_key=key, base_url=base_url or sandbox_handle.base_url,
                             max_retries=max_retries, timeout=timeout, default_headers=headers)
        p = OpenAIProvider(client, name="test", key_source="env TEST_KEY", **options)
        made.append(p)
        return p

    yield build
    for p in made:
        await p.aclose()


@pytest.fixture
def jsonl(tmp_path: Path):
    """Write a chat JSONL of about `size` bytes and return its path."""

    def write(size: int, name: str = "train.jsonl") -> Path:
        line = (b'{"messages": [{"role": "user", "content": "What is the capital of France?"}, '
                b'{"role": "assistant", "content": "Paris, obviously."}]}\n')
        path = tmp_path / name
        with open(path, "wb") as f:
            written = 0
            while written < size:
                f.write(line)
                written += len(line)
        return path

    return write
