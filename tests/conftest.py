"""Shared fixtures: a real sandbox server on loopback, and official OpenAI clients for it.

Other test packages use these names; keep them stable:
- `sandbox`: a running sandbox (`.base_url` like "http://127.0.0.1:PORT/v1", `.set_faults(...)`).
- `client` / `sync_client`: `openai.AsyncOpenAI` / `openai.OpenAI` pointed at it.
- `sandbox_factory`: start more sandboxes with other options (speed, data_dir, faults).
- `marv_path`: a valid chat training file (examples/marv.jsonl).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import openai
import pytest

from ftui.core.server.runner import SandboxThread

ROOT = Path(__file__).resolve().parents[1]
TEST_SPEED = 400.0  # a job runs in a fraction of a second
TEST_KEY = "test-key"


@pytest.fixture(autouse=True)
def private_data_dir(tmp_path_factory, monkeypatch) -> Path:
    """ftui's own files (upload records, refusals, estimates, compare sessions) go to a fresh folder per
    test, never to the user's real data folder; tests that need a known place set FTUI_DATA_DIR again."""
    folder = tmp_path_factory.mktemp("ftui-data")
    monkeypatch.setenv("FTUI_DATA_DIR", str(folder))
    return folder


@pytest.fixture
def sandbox_factory() -> Iterator[Callable[..., SandboxThread]]:
    started: list[SandboxThread] = []

    def start(**options) -> SandboxThread:
        options.setdefault("speed", TEST_SPEED)
        thread = SandboxThread(**options)
        thread.start()
        started.append(thread)
        return thread

    yield start
    for thread in reversed(started):
        thread.stop()


@pytest.fixture
def sandbox(sandbox_factory) -> SandboxThread:
    return sandbox_factory()


@pytest.fixture
async def client(sandbox) -> openai.AsyncOpenAI:
    api = openai.AsyncOpenAI(base_url=sandbox.base_url, api_key=TEST_KEY)
    yield api
    await api.close()


@pytest.fixture
def sync_client(sandbox) -> Iterator[openai.OpenAI]:
    api = openai.OpenAI(base_url=sandbox.base_url, api_key=TEST_KEY)
    yield api
    api.close()


def _stand_in_marv(folder: Path) -> Path:
    questions = [(f"What is the capital of country number {i}?",
                  f"Capital number {i}, obviously. Look it up next time.") for i in range(40)]
    path = folder / "marv.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for question, answer in questions:
            out.write(json.dumps({"messages": [
                {"role": "system", "content": "Marv is a factual chatbot that is also sarcastic."},
                {"role": "user", "content": question},
                {"role": "assistant", "content": answer}]}) + "\n")
    return path


@pytest.fixture
def marv_path(tmp_path) -> Path:
    """examples/marv.jsonl; if another branch has not added it yet, an equivalent file."""
    real = ROOT / "examples" / "marv.jsonl"
    return real if real.exists() else _stand_in_marv(tmp_path)
