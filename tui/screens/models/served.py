"""What Models and the job view say when a tuned model cannot be compared yet, where the provider
serves tuned models only on a dedicated endpoint (Capabilities.deploy_before_chat; which name a
ready endpoint answers under is core.compare.models.chat_name)."""

from __future__ import annotations

from collections.abc import Iterable

from ftui.core.types import Deployment

# Where a tuned model is deployed from, as the job view says it (Models is section 5, p deploys).
DEPLOY_FROM_MODELS = "deploy it from Models (5, then p)"


def not_served(model: str, deployments: Iterable[Deployment], how: str = "press p to deploy it") -> str:
    """Why `model` cannot be compared yet: its endpoint is still starting, or it has none."""
    starting = [d for d in deployments if d.model == model and d.running]
    return (f"{model} answers only on a dedicated endpoint: "
            + (f"it is {starting[0].state}, wait until it is ready." if starting else f"{how}."))
