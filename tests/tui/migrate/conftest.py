"""Two sandboxes at once as two `compatible` profiles: "old" trained a job (with a validation
file) and now refuses new jobs, as OpenAI after 2027-01-06; "new" is the target."""

from __future__ import annotations

import pytest

from tests.migrate.conftest import home, sdk_provider, train  # noqa: F401  (home is a fixture)

NEW_KEY = "sk-new-SECRET-abcdef0123456789"
TODAY = "2026-12-20"  # 25 days before 2027-01-14: the header shows the deadline


@pytest.fixture
async def two_accounts(home, sandbox_factory, marv_path, tmp_path, monkeypatch):  # noqa: F811
    folder = tmp_path / "sandbox-old"
    first = sandbox_factory(data_dir=folder)
    work = tmp_path / "work"
    work.mkdir()
    lines = marv_path.read_bytes().splitlines(keepends=True)
    training, validation = work / "train.jsonl", work / "valid.jsonl"
    training.write_bytes(b"".join(lines[:-10]))
    validation.write_bytes(b"".join(lines[-10:]))  # OpenAI needs 10
    provider = sdk_provider(first.base_url, "old")
    job = await train(provider, training, validation=validation, suffix="marv", seed=42,
                      hyperparameters={"n_epochs": 2, "batch_size": 1, "learning_rate_multiplier": 2.0})
    await provider.aclose()
    first.stop()
    closed = sandbox_factory(data_dir=folder, new_jobs_closed=True)
    target = sandbox_factory()
    monkeypatch.setenv("NEW_KEY", NEW_KEY)
    monkeypatch.setenv("FTUI_TODAY", TODAY)
    home["config"].write_text(
        f'default_profile = "old"\n'
        f'[profiles.old]\nkind = "compatible"\nbase_url = "{closed.base_url}"\napi_key_env = "OLD_KEY"\n'
        f'[profiles.new]\nkind = "compatible"\nbase_url = "{target.base_url}"\napi_key_env = "NEW_KEY"\n')
    return {"old": closed, "new": target, "job": job, "training": training, "validation": validation}
