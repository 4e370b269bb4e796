"""The dated sunset table, the user's sunset.toml over it, and remembered refusals."""

from __future__ import annotations

import datetime as dt

import pytest

from ftui.core.errors import CoreError
from ftui.core.sunset.facts import load_sunset
from ftui.core.sunset.radar import Deadline, ModelSunset, ProfileRadar, nearest_deadline
from ftui.core.sunset.refusals import load_refusals, record_refusal, refusal_for


def test_built_in_windows_name_their_source_and_date(home):
    table = load_sunset()
    openai = table.window("openai")
    assert (openai.new_jobs_until, openai.serving_until) == ("2027-01-06", "2027-01-14")
    azure = table.window("azure")
    assert azure.new_jobs_until.startswith("2027-04") and azure.serving_until.startswith("2027-10")
    assert azure.approximate
    for kind in ("together", "local", "sandbox"):
        assert table.window(kind).new_jobs_until is None
    for kind in ("openai", "azure", "together", "local", "sandbox", "compatible"):
        w = table.window(kind)
        assert w.source and dt.date.fromisoformat(w.taken_on)


def test_model_shutdown_prefers_the_api_then_the_user_then_the_table(home):
    table = load_sunset()
    ft = "ft:gpt-4o-mini-2024-07-18:org:marv:abc123"
    assert table.model_shutdown(ft, kind="openai")[0] == "2027-01-14"
    # Azure serves OpenAI's models longer than OpenAI does.
    assert table.model_shutdown(ft, kind="azure")[0].startswith("2027-10")
    assert table.model_shutdown(ft, kind="openai", api_date="2027-02-01") == \
        ("2027-02-01", "the provider's shutdown_date")
    assert table.model_shutdown("meta-llama/Llama-3-8B", kind="together") == (None, "no shutdown announced")
    home["config"].with_name("sunset.toml").write_text(
        'taken_on = "2026-12-04"\n[shutdown]\n"gpt-4o-mini" = "2027-01-20"\n'
        '[new_jobs_until]\nold = "2026-12-20"\n')
    mine = load_sunset()
    date, source = mine.model_shutdown(ft, kind="openai")
    assert date == "2027-01-20" and "sunset.toml" in source
    assert mine.window("compatible", "old").new_jobs_until == "2026-12-20"
    assert mine.window("compatible", "other").new_jobs_until is None


@pytest.mark.parametrize("text, says", [
    ("[shutdown\n", "not valid TOML"),
    ('[shutdown]\n"gpt-4o" = "soon"\n', "is not a date"),
    ('shutdown = 3\n', "must be a table"),
])
def test_a_bad_sunset_file_is_explained(home, text, says):
    home["config"].with_name("sunset.toml").write_text(text)
    with pytest.raises(CoreError) as info:
        load_sunset()
    assert says in info.value.message and "sunset.toml" in info.value.message


def test_refusals_are_remembered_per_profile(home):
    assert record_refusal("old", CoreError("nope", status=400)) is None
    err = CoreError("Creating fine-tuning jobs is no longer available", status=403,
                    code="training_not_available")
    record_refusal("old", err, today=dt.date(2027, 1, 7))
    record_refusal("other", err, today=dt.date(2027, 1, 8))
    assert refusal_for("old").date == "2027-01-07" and refusal_for("old").code == "training_not_available"
    assert set(load_refusals()) == {"old", "other"}
    assert (home["data"] / "refusals.json").exists()


def test_nearest_deadline_is_the_closest_under_30_days():
    today = dt.date(2026, 12, 20)
    def model(name, date, left):
        return ModelSunset(name, "b", None, date, left, "t")
    radars = [
        ProfileRadar("a", "openai", today.isoformat(), can_create_jobs=True, new_jobs_until="2027-01-06",
                     new_jobs_days_left=17, models=(model("m1", "2027-01-14", 25),)),
        ProfileRadar("b", "openai", today.isoformat(), can_create_jobs=False, new_jobs_until="2026-12-25",
                     new_jobs_days_left=5, models=(model("m2", "2026-12-10", -10),)),
        ProfileRadar("c", "azure", today.isoformat(), checked=False, problem="no key"),
    ]
    assert nearest_deadline(radars, today) == Deadline("a", "new fine-tuning jobs", "2027-01-06", 17)
    assert nearest_deadline(radars[:1], today, within_days=17) is None
    assert "in 17 days" in nearest_deadline(radars, today).headline()
