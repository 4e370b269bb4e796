"""What Compare offers on Together, whose tuned models answer only on a ready dedicated endpoint:
the picker's choices and the default pair name the endpoint, never an undeployed tuned model."""

from __future__ import annotations

from ftui.core.compare.models import default_pair, model_choices
from tests.together.test_deployments import BASE, _ready, _tuned_model


async def test_undeployed_tuned_models_are_not_offered(provider, together_sandbox):
    model = await _tuned_model(provider)
    choices = {c.id: c for c in await model_choices(provider)}
    assert BASE in choices and choices[BASE].kind == "model"
    assert not [c for c in choices.values() if c.kind != "model"]  # neither the model nor its checkpoints
    assert await default_pair(provider) is None

    together_sandbox.ctx.speed = 1e6  # provisioning done at once
    made = await provider.create_deployment(model, (await provider.list_hardware())[0].id)
    endpoint = (await _ready(provider, made.id)).chat_model
    choices = {c.id: c for c in await model_choices(provider)}
    assert model not in choices
    assert choices[endpoint].kind == "fine-tune" and model in choices[endpoint].note
    assert await default_pair(provider) == (BASE, endpoint)
