"""The radar against a real sandbox through the official client, in-process and as `ftui sunset`."""

from __future__ import annotations

import datetime as dt
import json
import subprocess

import pytest

from ftui.core.errors import CoreError
from ftui.core.sunset.radar import radar
from ftui.core.types import JobSpec
from tests.migrate.conftest import FTUI, OLD_KEY, ftui_env, sdk_provider

TODAY = dt.date(2026, 12, 5)  # 40 days before 2027-01-14, 32 before 2027-01-06


async def test_radar_lists_each_fine_tune_with_days_left_and_remembers_a_refusal(closed_account):
    provider = sdk_provider(closed_account["sandbox"].base_url, "old")
    job = closed_account["job"]
    try:
        before = await radar(provider, "old", today=TODAY)
        assert before.kind == "compatible" and before.can_create_jobs and before.refusal is None
        with pytest.raises(CoreError) as info:
            await provider.create_job(JobSpec(model="gpt-4o-mini-2024-07-18", training_file=job.training_file))
        assert info.value.status == 403
        after = await radar(provider, "old", today=TODAY)
    finally:
        await provider.aclose()
    assert after.can_create_jobs is False
    assert after.refusal and after.refusal.status == 403 and "no longer available" in after.refusal.message
    (model,) = after.models
    assert model.model == job.fine_tuned_model and model.job_id == job.id
    assert model.base_model == "gpt-4o-mini-2024-07-18"
    assert (model.shutdown_date, model.days_left) == ("2027-01-14", 40)
    assert any("answers from" in s for s in model.stops)


def run_sunset(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*FTUI, "sunset", *args], capture_output=True, text=True, timeout=120,
                          env=ftui_env())


async def test_sunset_cli_covers_every_profile_and_never_prints_the_key(closed_account, home):
    home["config"].with_name("sunset.toml").write_text('[new_jobs_until]\nold = "2027-01-01"\n')
    done = run_sunset("--json", "--today", "2026-12-05")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    by_name = {p["profile"]: p for p in report["profiles"]}
    assert set(by_name) >= {"old", "nokey", "openai", "sandbox"}
    assert by_name["nokey"]["checked"] is False and "NOT_SET_ANYWHERE" in by_name["nokey"]["problem"]
    assert by_name["openai"]["checked"] is False
    old = by_name["old"]
    assert old["checked"] and old["new_jobs_until"] == "2027-01-01" and old["new_jobs_days_left"] == 27
    assert [(m["model"], m["days_left"]) for m in old["models"]] == \
        [(closed_account["job"].fine_tuned_model, 40)]
    assert report["nearest_deadline"] == {"profile": "old", "what": "new fine-tuning jobs",
                                          "date": "2027-01-01", "days_left": 27}
    text = run_sunset("--profile", "old", "--today", "2026-12-05")
    assert text.returncode == 0 and "(40 days left)" in text.stdout and "Nearest deadline" in text.stdout
    for out in (done.stdout, done.stderr, text.stdout, text.stderr):
        assert OLD_KEY not in out


def test_sunset_cli_sandbox_rehearses_openai(home):
    done = run_sunset("--sandbox", "--json", "--today", "2026-12-10")
    assert done.returncode == 0, done.stderr
    (sandbox,) = json.loads(done.stdout)["profiles"]
    assert sandbox["profile"] == "sandbox" and sandbox["new_jobs_days_left"] == 27
    assert json.loads(done.stdout)["nearest_deadline"]["days_left"] == 27


@pytest.mark.parametrize("args, says", [
    (["--today", "soon"], "not a date"),
    (["--profile", "nope"], "Unknown profile"),
    (["--profile", "a", "--sandbox"], "not allowed with"),
    (["--data-dir", "x"], "goes with --sandbox"),
])
def test_sunset_cli_bad_arguments_exit_2(home, args, says):
    done = run_sunset(*args)
    assert done.returncode == 2 and says in done.stderr and "Traceback" not in done.stderr
