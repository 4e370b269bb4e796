"""What the endpoints pane of Models shows for each running dedicated endpoint."""

from __future__ import annotations

from ftui.core.types import Deployment

ENDPOINT_COLUMNS = ("Endpoint", "Model", "Hardware", "$/min", "So far", "State")


def _money(value: float | None, digits: int) -> str:
    return "?" if value is None else f"${value:.{digits}f}"


def endpoint_row(d: Deployment, now: float) -> tuple[str, ...]:
    """Cost so far is minutes since it was created times the price: what it has billed."""
    return (d.chat_model, d.model, d.hardware, _money(d.price_per_minute, 4),
            _money(d.cost_so_far(now), 2), d.state)


def endpoints_summary(running: list[Deployment], now: float) -> str:
    if not running:
        return "No running endpoints: a fine-tuned model answers once deployed (p)."
    per_minute = sum(d.price_per_minute or 0.0 for d in running)
    so_far = sum(d.cost_so_far(now) or 0.0 for d in running)
    count = len(running)
    return (f"{count} running endpoint{'s' if count != 1 else ''}: ${per_minute:.4f}/min together, "
            f"${so_far:.2f} so far (they bill until stopped, s)")
