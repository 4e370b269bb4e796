"""The job view's cost line follows the provider's cost model (never its name)."""

from __future__ import annotations

from ftui.core.launch.estimates import Estimate
from ftui.core.types import CostModel, Job
from ftui.tui.screens.jobs.billing import billing_text

JOB = Job(id="ftjob-1", model="gpt-4o-mini-2024-07-18", status="succeeded", created_at=1_000,
          finished_at=1_000 + 32 * 60 + 5, trained_tokens=6_855)
ESTIMATE = Estimate(model=JOB.model, examples=10, dataset_tokens=3_216, epochs=2, billable_tokens=6_432, cost=0.0)


def test_local_time_is_tokens_and_minutes_on_this_machine():
    text = billing_text(JOB, CostModel("local_time"), ESTIMATE)
    assert text == ("Trained 6,855 tokens on this machine in 32 min 05 s · $0 · "
                    "estimated before launch: 6,432 tokens")
    alone = billing_text(JOB, CostModel("local_time"), None)
    assert alone == "Trained 6,855 tokens on this machine in 32 min 05 s · $0"


def test_billed_training_keeps_tokens_and_dollars():
    text = billing_text(JOB, CostModel("per_token"), ESTIMATE)
    assert text.startswith("Billed: 6,855 tokens, $") and "estimated before launch: 6,432 tokens, $0.00" in text
    assert "no estimate was recorded" in billing_text(JOB, CostModel("per_token"), None)


def test_a_provider_that_quotes_its_price_shows_its_quote():
    quoted = billing_text(JOB, CostModel("per_token", quoted=True), Estimate(**{**ESTIMATE.__dict__, "cost": 4.2}))
    assert quoted == "Trained 6,855 tokens · priced by the provider: quoted $4.20 before launch"
    assert "unknown price" not in quoted
    assert billing_text(JOB, CostModel("per_token", quoted=True), None).endswith("(its bill is on its dashboard)")
