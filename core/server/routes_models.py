"""/v1/models: base models plus this server's fine-tunes; fine-tunes can be deleted.

The base models are the sandbox's catalog, or with real generation (ctx.chat) the local models."""

from __future__ import annotations

import json
from pathlib import Path

from aiohttp import web

from ftui.core.server.api_errors import ApiError, not_found
from ftui.core.server.catalog import BASE_MODELS, BASE_MODELS_BY_ID, model_object
from ftui.core.server.context import PRIVATE, SandboxContext
from ftui.core.server.http_util import ctx_of, list_body, ok
from ftui.core.server.simulated_chat import BaseResponder, TrainedResponder, TrainingPair

routes = web.RouteTableDef()


def model_not_found(model_id: str, param: str = "model") -> ApiError:
    return not_found(f"The model `{model_id}` does not exist or you do not have access to it.",
                     param=param, code="model_not_found")


def trained_job_of(ctx: SandboxContext, model_id: str) -> str | None:
    """The job that trained a fine-tuned model or checkpoint called `model_id`."""
    model = ctx.store.get("models", model_id)
    if model is not None:
        return model[PRIVATE]["job_id"]
    return ctx.store.scalar("SELECT job_id FROM checkpoints WHERE model = ?", (model_id,))


def responder_for(ctx: SandboxContext, model_id: str) -> BaseResponder | TrainedResponder:
    if model_id in BASE_MODELS_BY_ID:
        return BaseResponder()
    job_id = trained_job_of(ctx, model_id)
    if job_id is None:
        raise model_not_found(model_id)
    if job_id not in ctx.responders:
        path = ctx.store.blob_path("models", f"{job_id}.json")
        pairs = [TrainingPair(**p) for p in json.loads(path.read_text(encoding="utf-8"))]
        ctx.responders[job_id] = TrainedResponder(pairs)
    return ctx.responders[job_id]


def checkpoint_model(ctx: SandboxContext, model_id: str) -> dict | None:
    row = ctx.store.find("checkpoints", "model = ?", (model_id,), limit=1)
    if not row:
        return None
    return {"id": model_id, "object": "model", "created": row[0]["created_at"],
            "owned_by": "org-sandbox"}


def _created(path: Path) -> int:
    try:
        return int(path.stat().st_mtime)
    except OSError:
        return 0


def base_models(ctx: SandboxContext) -> dict[str, dict]:
    """The base models this server answers with, as API objects by id."""
    if ctx.chat is None:
        return {m.id: model_object(m) for m in BASE_MODELS}
    # "description" is not in OpenAI's Model object, which allows extra fields: it says what
    # each local model is and where it lives.
    return {m.id: {"id": m.id, "object": "model", "created": _created(m.path), "owned_by": "local",
                   "description": m.description} for m in ctx.chat.base_models()}


@routes.get("/v1/models")
async def list_models(request: web.Request) -> web.Response:
    ctx = ctx_of(request)
    tuned = ctx.store.find("models", newest_first=False)
    return web.json_response(list_body(list(base_models(ctx).values()) + tuned, False))


@routes.get("/v1/models/{model}")
async def retrieve_model(request: web.Request) -> web.Response:
    ctx = ctx_of(request)
    model_id = request.match_info["model"]
    base = base_models(ctx).get(model_id)
    if base is not None:
        return ok(base)
    found = ctx.store.get("models", model_id) or checkpoint_model(ctx, model_id)
    if found is None:
        raise model_not_found(model_id)
    return ok(found)


@routes.delete("/v1/models/{model}")
async def delete_model(request: web.Request) -> web.Response:
    ctx = ctx_of(request)
    model_id = request.match_info["model"]
    if model_id in base_models(ctx) or checkpoint_model(ctx, model_id):
        raise ApiError(403, f"You have insufficient permissions to delete model {model_id}: only "
                            "fine-tuned models your organization owns can be deleted.",
                       param="model", code="insufficient_permissions", type="invalid_request_error")
    if not ctx.store.delete("models", model_id):
        raise model_not_found(model_id)
    return ok({"id": model_id, "object": "model", "deleted": True})
