"""Migration planning between two sandboxes at once: the source refuses new jobs (as OpenAI after
2027-01-06), the target takes the job with the mapped hyperparameters."""

from __future__ import annotations

import pytest

from ftui.core.backends.together_backend import make_sandbox_provider
from ftui.core.errors import CoreError
from ftui.core.migrate.plan import launch_migration, plan_migration
from ftui.core.migrate.records import list_migrations, load_migration, save_verdict
from ftui.core.migrate.sizes import size_class, suggest_base
from tests.migrate.conftest import sdk_provider


@pytest.fixture
async def both(closed_account, sandbox_factory):
    source = sdk_provider(closed_account["sandbox"].base_url, "old")
    target = sdk_provider(sandbox_factory().base_url, "new", key="sk-new")
    yield source, target, closed_account
    await source.aclose()
    await target.aclose()


async def test_plan_uses_the_recorded_local_copy_and_launches_with_mapped_hyperparameters(both, home):
    source, target, account = both
    old = account["job"]
    plan = await plan_migration(source, "old", old.fine_tuned_model, target, "new",
                                source_kind="openai", target_kind="sandbox")
    assert plan.source_job.id == old.id and plan.target_model == "gpt-4o-mini-2024-07-18"
    assert "same base model" in plan.suggestion.reason
    assert plan.training.ready and plan.training.path == str(account["local_copy"].resolve())
    assert "upload record" in plan.training.how
    rows = {r.label: (r.source_value, r.target_name, r.target_value) for r in plan.rows}
    assert rows["Learning rate"] == (2.0, "learning_rate_multiplier", 2.0)
    assert rows["Epochs"] == (2, "n_epochs", 2) and rows["Seed"] == (42, "seed", 42)
    job, _ = await launch_migration(plan, target)
    launched = await target.retrieve_job(job.id)
    assert launched.hyperparameters["n_epochs"] == 2 and launched.hyperparameters["learning_rate_multiplier"] == 2.0
    assert launched.seed == 42 and launched.suffix == "marv" and launched.model == "gpt-4o-mini-2024-07-18"
    assert load_migration(plan.id)["target"]["job_id"] == job.id
    save_verdict(plan.id, {"win_rate": 0.55, "ci": [0.4, 0.7], "summary": "as good"})
    (saved,) = list_migrations()
    assert saved["verdict"]["win_rate"] == 0.55 and saved["source"]["job_id"] == old.id


async def test_a_missing_copy_asks_the_user_and_a_different_file_is_refused(both, home, tmp_path):
    source, target, account = both
    old = account["job"]
    moved = tmp_path / "moved.jsonl"
    account["local_copy"].rename(moved)
    await source.delete_file(old.training_file)  # and the provider cannot hand it back
    plan = await plan_migration(source, "old", old.id, target, "new", source_kind="openai",
                                target_kind="sandbox")
    assert not plan.ready and "is gone" in plan.training.needs_user
    assert "size, line count, sha256" in plan.waiting_for()[0]
    with pytest.raises(CoreError, match="cannot launch yet"):
        await launch_migration(plan, target)
    lines = moved.read_bytes().splitlines(keepends=True)
    shorter = tmp_path / "shorter.jsonl"
    shorter.write_bytes(b"".join(lines[:-1]))
    with pytest.raises(CoreError) as info:
        await plan_migration(source, "old", old.id, target, "new", user_paths={"training": shorter},
                             source_kind="openai", target_kind="sandbox")
    assert "is not the training file" in info.value.message and "lines, not" in info.value.message
    edited = tmp_path / "edited.jsonl"
    data = bytearray(moved.read_bytes())
    at = next(i for i in range(len(data) // 2, len(data)) if chr(data[i]).isalpha())
    data[at] ^= 0x20  # one letter's case: same size and lines, other content
    edited.write_bytes(bytes(data))
    with pytest.raises(CoreError, match="sha256 differs"):
        await plan_migration(source, "old", old.id, target, "new", user_paths={"training": edited},
                             source_kind="openai", target_kind="sandbox")
    good = await plan_migration(source, "old", old.id, target, "new", user_paths={"training": moved},
                                source_kind="openai", target_kind="sandbox")
    assert good.ready and good.training.how.startswith("your file")
    job, _ = await launch_migration(good, target)
    assert (await target.retrieve_job(job.id)).hyperparameters["n_epochs"] == 2


async def test_plan_for_together_turns_the_multiplier_into_a_rate_and_keeps_its_bounds(
        closed_account, sandbox_factory, home):
    source = sdk_provider(closed_account["sandbox"].base_url, "old")
    target = make_sandbox_provider(sandbox_factory(dialect="together").base_url)
    try:
        plan = await plan_migration(source, "old", closed_account["job"].id, target, "together",
                                    source_kind="openai", target_kind="together")
        assert plan.target_model == "meta-llama/Meta-Llama-3.1-8B-Instruct-Reference"
        assert "small" in plan.suggestion.reason
        rows = {r.label: r for r in plan.rows}
        assert rows["Learning rate"].target_name == "learning_rate"
        assert rows["Learning rate"].target_value == pytest.approx(2e-5)
        assert rows["Batch size"].target_value == 8 and "bounds" in rows["Batch size"].note
        job, _ = await launch_migration(plan, target)
        launched = await target.retrieve_job(job.id)
    finally:
        await source.aclose()
        await target.aclose()
    assert launched.hyperparameters["learning_rate"] == pytest.approx(2e-5)
    assert launched.hyperparameters["n_epochs"] == 2 and launched.hyperparameters["batch_size"] == 8


def test_suggest_a_small_open_model_for_gpt_4o_mini_on_the_local_engine():
    found = suggest_base("ft:gpt-4o-mini-2024-07-18:org:marv:abc", ["SmolLM2-135M-Instruct"])
    assert found.model == "SmolLM2-135M-Instruct"
    assert "135M parameters" in found.reason and "smaller" in found.reason
    assert size_class("mistralai/Mixtral-8x7B-Instruct").parameters == 56
    assert size_class("Qwen/Qwen2.5-7B-Instruct").name == "small"
    assert suggest_base("gpt-4o-2024-08-06", ["Qwen/Qwen2.5-7B", "Qwen/Qwen2.5-72B"]).model == "Qwen/Qwen2.5-72B"
    assert suggest_base("x", []).model is None
