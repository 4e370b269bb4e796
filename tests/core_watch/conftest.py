"""A provider on the sandbox with no client-side retries, so injected faults reach the follower."""

from __future__ import annotations

import json
from pathlib import Path

import openai
import pytest

from ftui.core.backends.openai_backend import OpenAIProvider
from ftui.core.types import JobSpec

MODEL = "gpt-4o-mini-2024-07-18"


def make_dataset(folder: Path, n: int = 40) -> Path:
    path = folder / "train.jsonl"
    path.write_text("".join(json.dumps({"messages": [
        {"role": "user", "content": f"question {i}"},
        {"role": "assistant", "content": f"answer {i}"}]}) + "\n" for i in range(n)))
    return path


@pytest.fixture
def slow_sandbox(sandbox_factory):
    """Jobs take a couple of seconds here, so a follower sees them move."""
    return sandbox_factory(speed=30)


@pytest.fixture
async def bare_provider(slow_sandbox):
    client = openai.AsyncOpenAI(base_url=slow_sandbox.base_url, api_key="test-key", max_retries=0,
                                timeout=5)
    provider = OpenAIProvider(client, name="sandbox", simulated=True)
    yield provider
    await provider.aclose()


@pytest.fixture
async def started_job(bare_provider, tmp_path):
    uploaded = await bare_provider.upload_file(make_dataset(tmp_path))
    return await bare_provider.create_job(JobSpec(model=MODEL, training_file=uploaded.id))


async def all_events(provider, job_id: str) -> list:
    """Every event of the job, oldest first, by plain paging (the truth to compare with)."""
    found, after = [], None
    while True:
        page = await provider.list_events(job_id, after=after, limit=100)
        found.extend(page.items)
        if not page.has_more:
            return list(reversed(found))
        after = page.last_id
