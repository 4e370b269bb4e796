"""The job view's line on what a finished job cost, in the provider's cost model: tokens and
dollars where training is billed, tokens and time where it ran on this machine."""

from __future__ import annotations

from ftui.core.launch.estimates import Estimate
from ftui.core.launch.pricing import billed_cost
from ftui.core.types import CostModel, Job
from ftui.widgets.formats import human_seconds


def money(value: float | None, currency: str = "USD") -> str:
    if value is None:
        return "unknown price"
    return f"${value:,.2f}" if currency == "USD" else f"{value:,.2f} {currency}"


def training_time(job: Job) -> str:
    """' in 32 min 05 s' from creation to finish (queueing included: the machine was taken)."""
    if job.finished_at is None:
        return ""
    return f" in {human_seconds(max(0, job.finished_at - job.created_at))}"


def billing_text(job: Job, cost: CostModel, estimate: Estimate | None) -> str:
    tokens = job.trained_tokens or 0
    if cost.unit == "local_time":  # nothing is billed: the price is this machine's time
        done = f"Trained {tokens:,} tokens on this machine{training_time(job)} · $0"
        if estimate is None:
            return done
        return f"{done} · estimated before launch: {estimate.billable_tokens:,} tokens"
    if cost.quoted:  # the provider prices its jobs itself: its quote is the figure ftui has
        done = f"Trained {tokens:,} tokens · priced by the provider"
        if estimate is None:
            return f"{done} (its bill is on its dashboard)"
        return f"{done}: quoted {money(estimate.cost, estimate.currency)} before launch"
    billed = f"Billed: {tokens:,} tokens, {money(billed_cost(job.model, job.trained_tokens))}"
    if estimate is None:
        return f"{billed} · no estimate was recorded for this job"
    return (f"{billed} · estimated before launch: {estimate.billable_tokens:,} tokens, "
            f"{money(estimate.cost, estimate.currency)}")
