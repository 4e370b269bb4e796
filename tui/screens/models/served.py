"""Which name a tuned model answers under, where the provider serves tuned models only on a
dedicated endpoint (Capabilities.deploy_before_chat): Models and the job view both compare
against the ready endpoint, and say the same thing when there is none."""

from __future__ import annotations

from collections.abc import Iterable

from ftui.core.provider import Deployer, capabilities_of
from ftui.core.types import Deployment

# Where a tuned model is deployed from, as the job view says it (Models is section 5, p deploys).
DEPLOY_FROM_MODELS = "deploy it from Models (5, then p)"


def deployer_of(provider: object) -> Deployer | None:
    """The provider, where a tuned model needs a dedicated endpoint before it answers."""
    if capabilities_of(provider).deploy_before_chat and isinstance(provider, Deployer):
        return provider
    return None


def chat_name(deployments: Iterable[Deployment], model: str) -> str | None:
    """The name a ready endpoint serving `model` answers under, or None when none is ready."""
    return next((d.chat_model for d in deployments if d.model == model and d.ready), None)


def not_served(model: str, deployments: Iterable[Deployment], how: str = "press p to deploy it") -> str:
    """Why `model` cannot be compared yet: its endpoint is still starting, or it has none."""
    starting = [d for d in deployments if d.model == model and d.running]
    return (f"{model} answers only on a dedicated endpoint: "
            + (f"it is {starting[0].state}, wait until it is ready." if starting else f"{how}."))
