"""Together dedicated endpoints (SDK 3.1.1: /v2 endpoints with deployments under them) as
our Deployment and Hardware records."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from ftui.core.backends.together_convert import epoch
from ftui.core.errors import CoreError
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
    name = re.sub(r"[^a-z0-9-]+", "-", tail).strip("-") or "model"
    if len(name) > 44:  # keep both ends: tuned models of one base differ only in their tail (the job id)
        name = name[:21].rstrip("-") + "--" + name[-21:].lstrip("-")
    return name + "-ftui"


def deployment_args(model: str, config: Any) -> dict[str, Any]:
    """One replica of `model` on the hardware `config` selects, stopping itself when idle."""
    return {"name": "main", "model_id": model, "config": f"projects/{config.project_id}/configs/{config.id}",
            "autoscaling": {"min_replicas": 1, "max_replicas": 1},
            "inactive_timeout": AUTO_STOP_MINUTES}


def config_for(configs: list[Any], machine: Hardware) -> Any | None:
    """The config whose accelerator selectors name `machine` ("{count}x{type}", as the together
    CLI matches them), or None."""
    for config in configs:
        chosen = {s.key: s.value for s in config.selectors or []}
        if f"{chosen.get('accelerator_count')}x{chosen.get('accelerator_type')}" == machine.name or (
                chosen.get("accelerator_type") == machine.gpu_type
                and chosen.get("accelerator_count") == str(machine.gpu_count)):
            return config
    return None


def project_of(identity: Any) -> str:
    project = getattr(identity, "project", None)
    if project is None or not getattr(project, "id", None):
        raise CoreError("This Together key belongs to no single project", kind="input",
                        hint="set TOGETHER_PROJECT_ID to the project that owns your endpoints")
    return project.id


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
