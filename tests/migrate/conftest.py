"""Fixtures for the sunset radar, upload records, archive and migration: a private data folder and
config file per test, and a helper that trains a job on a sandbox through the real provider."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest
from openai import AsyncOpenAI

from ftui.core.backends.openai_backend import OpenAIProvider
from ftui.core.types import Job, JobSpec

OLD_KEY = "sk-old-SECRET-0123456789abcdef"  # must never appear in any output


@pytest.fixture
def home(tmp_path, monkeypatch) -> dict[str, Path]:
    """FTUI_DATA_DIR and FTUI_CONFIG inside tmp; no OpenAI key in the environment."""
    places = {"data": tmp_path / "ftui-data", "config": tmp_path / "config" / "config.toml"}
    places["data"].mkdir()
    places["config"].parent.mkdir()
    places["config"].write_text("")
    monkeypatch.setenv("FTUI_DATA_DIR", str(places["data"]))
    monkeypatch.setenv("FTUI_CONFIG", str(places["config"]))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "FTUI_PROFILE", "TOGETHER_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OLD_KEY", OLD_KEY)
    return places


def sdk_provider(base_url: str, name: str, key: str = OLD_KEY) -> OpenAIProvider:
    client = AsyncOpenAI(api_key=key, base_url=base_url, max_retries=0, timeout=20)
    return OpenAIProvider(client, name=name, key_source="env OLD_KEY")


async def finished(provider, job_id: str, timeout: float = 30.0) -> Job:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while True:
        job = await provider.retrieve_job(job_id)
        if job.finished:
            return job
        if loop.time() > end:
            raise AssertionError(f"job {job_id} still {job.status}")
        await asyncio.sleep(0.1)


async def train(provider, path: Path, *, model: str = "gpt-4o-mini-2024-07-18",
                validation: Path | None = None, **spec) -> Job:
    """Upload and train to the end, as a user of ftui would."""
    training = await provider.upload_file(path)
    valid = await provider.upload_file(validation) if validation else None
    job = await provider.create_job(JobSpec(model=model, training_file=training.id,
                                            validation_file=valid.id if valid else None, **spec))
    return await finished(provider, job.id)


def ftui_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()}
    env.update(extra)
    return env


FTUI = [sys.executable, "-m", "ftui.tui"]


@pytest.fixture
async def closed_account(home, sandbox_factory, marv_path, tmp_path):
    """A sandbox that trained one job, restarted as after the wind-down (new jobs refused), with a
    `compatible` profile "old" pointing at it."""
    folder = tmp_path / "sandbox-old"
    first = sandbox_factory(data_dir=folder)
    provider = sdk_provider(first.base_url, "old")
    local_copy = tmp_path / "work" / "train.jsonl"  # the user's file, which tests may move or change
    local_copy.parent.mkdir()
    local_copy.write_bytes(marv_path.read_bytes())
    job = await train(provider, local_copy, suffix="marv", seed=42,
                      hyperparameters={"n_epochs": 2, "batch_size": 1, "learning_rate_multiplier": 2.0})
    await provider.aclose()
    first.stop()
    closed = sandbox_factory(data_dir=folder, new_jobs_closed=True)
    home["config"].write_text(
        f'[profiles.old]\nkind = "compatible"\nbase_url = "{closed.base_url}"\napi_key_env = "OLD_KEY"\n'
        '[profiles.nokey]\nkind = "openai"\napi_key_env = "NOT_SET_ANYWHERE"\n')
    return {"sandbox": closed, "job": job, "folder": folder, "local_copy": local_copy}
