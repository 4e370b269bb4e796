"""Compare tests talk to the real sandbox over loopback through our OpenAI provider."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from ftui.core.types import JobSpec

ROOT = Path(__file__).resolve().parents[2]
BASE = "gpt-4o-mini-2024-07-18"
HOLDOUT = ROOT / "examples" / "marv_holdout.jsonl"


def make(sandbox):
    from ftui.core.connect import make_provider
    from ftui.core.settings import load_settings

    return make_provider(load_settings("sandbox", env={}), sandbox_base_url=sandbox.base_url)


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    """Compare history goes to a tmp folder, never the user's."""
    folder = tmp_path / "ftui-data"
    monkeypatch.setenv("FTUI_DATA_DIR", str(folder))
    return folder


@pytest.fixture
async def provider(sandbox):
    p = make(sandbox)
    yield p
    await p.aclose()


@pytest.fixture
async def slow_provider(sandbox_factory):
    """Tokens ~4 ms apart, so two streams visibly overlap."""
    sb = sandbox_factory(speed=8.0)
    p = make(sb)
    p.sandbox = sb
    yield p
    await p.aclose()


async def train(provider, marv_path) -> tuple[str, str]:
    """A succeeded fine-tune on the Marv data: (job id, fine-tuned model)."""
    f = await provider.upload_file(marv_path)
    job = await provider.create_job(JobSpec(model=BASE, training_file=f.id,
                                            hyperparameters={"n_epochs": 2}))
    for _ in range(400):
        job = await provider.retrieve_job(job.id)
        if job.finished:
            break
        await asyncio.sleep(0.05)
    assert job.status == "succeeded", job
    return job.id, job.fine_tuned_model


@pytest.fixture
async def tuned(provider, marv_path):
    return await train(provider, marv_path)

