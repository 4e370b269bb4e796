"""Together dedicated endpoints (SDK 3.1.1: /v2 endpoints with deployments under them) as
our Deployment and Hardware records."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from ftui.core.backends.together_convert import epoch
from ftui.core.types import Deployment, Hardware

# Together's DEPLOYMENT_STATE_* -> ours
_STATES = {"PROVISIONING": "provisioning", "READY": "ready", "SCALING": "scaling",
           "DEGRADED": "degraded", "FAILED": "failed", "STOPPED": "stopped", "STOPPING": "stopping"}
AUTO_STOP_MINUTES = 30  # an idle endpoint stops itself after this long (the API's minimum)


def hardware(h: Any) -> Hardware:
    return Hardware(id=h.id, name=h.name, gpu_type=h.gpu_type, gpu_count=h.gpu_count,
                    price_per_minute=h.price_cents_per_hour / 100 / 60, description=h.description)


def endpoint_name(model: str) -> str:
    """An endpoint name from the model's name: letters, digits and dashes, at most 50."""
    tail = model.rsplit("/", 1)[-1].lower()
    return (re.sub(r"[^a-z0-9-]+", "-", tail).strip("-") or "model")[:44] + "-ftui"


def deployment_args(model: str, hardware_id: str) -> dict[str, Any]:
    # Hardware comes from the config revision the API picks for the model; the chosen
    # instance type is what the price is read from.
    return {"name": "main", "model": model,
            "autoscaling": {"min_replicas": 1, "max_replicas": 1},
            "inactive_timeout": AUTO_STOP_MINUTES}


def _state(raw: str) -> str:
    return _STATES.get(raw.removeprefix("DEPLOYMENT_STATE_"), raw.lower())


def deployment(d: Any, endpoint: Any, price: float | None) -> Deployment:
    raw = d.status.state
    return Deployment(id=f"{endpoint.id}/{d.id}", endpoint_id=endpoint.id, model=d.api_model_id or d.model,
                      chat_model=endpoint.name, hardware=d.hardware, state=_state(raw),
                      state_detail=f"{raw}: {d.status.message}" if d.status.message else raw,
                      created_at=epoch(d.created_at), price_per_minute=price)


def from_summary(s: Any, endpoint: Any, price: float | None) -> Deployment:
    return Deployment(id=f"{endpoint.id}/{s.id}", endpoint_id=endpoint.id, model=s.api_model_id or s.model,
                      chat_model=endpoint.name, hardware=s.hardware or "", state=_state(s.state),
                      state_detail=s.state, created_at=epoch(s.created_at), price_per_minute=price)


def stopped(d: Deployment) -> Deployment:
    return replace(d, state="stopped", state_detail="deleted by ftui")
