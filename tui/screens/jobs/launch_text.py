"""The launch form's words that depend on what the provider can do (its capabilities): the
methods offered, the estimate in the provider's cost model, the note on the Python view's key."""

from __future__ import annotations

from pathlib import Path

from ftui.core.launch.estimates import Estimate
from ftui.core.types import Capabilities, PriceEstimate, TimeEstimate
from ftui.widgets.formats import when

METHOD_LABELS = {"supervised": "supervised", "dpo": "DPO (preference)"}
LOCAL_TIME = "time on this machine is measured when the job starts"
MEASURING = "measuring this machine's speed with a few training steps… esc stops"
MEASURE_STOPPED = "speed not measured (stopped); F5 measures"
BUSY = "busy: estimate after the running job"


def method_options(methods: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(METHOD_LABELS.get(m, m), m) for m in methods] or [("supervised", "supervised")]


def quote_text(q: PriceEstimate) -> str:
    if not q.available or q.total is None:
        return f"the provider gives no price ({q.reason or 'not available'})"
    tokens = f" for {q.train_tokens:,} training tokens" if q.train_tokens else ""
    limit = ""
    if q.allowed_to_proceed is False:
        limit = " — over your account's limit" + (f" of ${q.user_limit:,.2f}" if q.user_limit else "")
    return f"quoted ${q.total:,.2f}{tokens}{limit}"


def measured_when(t: TimeEstimate) -> str:
    if not t.cached:
        return "just now"
    return when(t.measured_at)


def local_time_text(measured: TimeEstimate | str | None) -> str:
    """$0 and the time: measured minutes, a note (measuring, busy, stopped), or when it is measured."""
    if measured is None:
        return f"$0, {LOCAL_TIME}"
    if isinstance(measured, str):
        return f"$0 · {measured}"
    minutes = max(1, round((measured.seconds or 0) / 60))
    return (f"$0 · about {minutes} min on this machine (measured: {measured.tokens_per_second:,.0f} tok/s, "
            f"{measured_when(measured)})")


def _cost(e: Estimate, caps: Capabilities, train, quote: PriceEstimate | None, simulated: bool,
          measured: TimeEstimate | str | None = None) -> str:
    unit = caps.training_cost
    if unit.unit == "local_time":
        return local_time_text(measured)
    if unit.quoted:
        if quote is not None:
            text = quote_text(quote)
        elif isinstance(train, Path):
            text = "priced by the provider once the file is uploaded (asked before the job is sent)"
        else:
            text = "no price yet"
    elif e.cost is None:
        text = "price unknown"
    else:
        text = f"≈ ${e.cost:,.2f}" if e.currency == "USD" else f"≈ {e.cost:,.2f} {e.currency}"
    return text + (" (sandbox: nothing is billed)" if simulated else "")


def estimate_text(e: Estimate, caps: Capabilities, train, valid, quote: PriceEstimate | None = None,
                  *, simulated: bool = False, measured: TimeEstimate | str | None = None) -> str:
    where = f"valid: {Path(valid).name if isinstance(valid, Path) else valid}" if valid else "no validation"
    tokens = "billable tokens" if caps.training_cost.unit == "per_token" else "tokens"
    return (f"[b]Estimate[/]: {e.examples} examples × {e.epochs} epochs = {e.billable_tokens:,} "
            f"{tokens}, {_cost(e, caps, train, quote, simulated, measured)} · {where}")


def key_note(app, caps: Capabilities) -> str:
    """What the Python view says about the key (never the key itself)."""
    if getattr(app, "simulated", False):
        return "The sandbox takes any key; it only has to be set."
    if caps.training_cost.unit == "local_time":
        return ("ftui's own local engine answers only this session; for scripts run `ftui local` "
                "and use its URL.")
    return ""
