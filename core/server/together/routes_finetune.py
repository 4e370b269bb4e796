"""Together's /v1/fine-tunes over the sandbox's JobRunner: the flat request body is kept
beside an OpenAI-shaped job the runner trains; answers are given in Together's shapes."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ftui.core.server.api_errors import bad_request, not_found
from ftui.core.server.context import ORGANIZATION, PRIVATE
from ftui.core.server.http_util import ctx_of, json_body
from ftui.core.server.ids import new_id, now
from ftui.core.server.job_request import check_file, check_method
from ftui.core.server.jobs import JobRunner
from ftui.core.server.together import catalog
from ftui.core.server.together.shapes import (
    TOGETHER,
    checkpoint_object,
    event_object,
    job_object,
    metric_row,
)

routes = web.RouteTableDef()
FINISHED = ("succeeded", "failed", "cancelled")


def _runner(request: web.Request) -> JobRunner:
    runner = ctx_of(request).runner
    assert runner is not None
    return runner


def _job(request: web.Request) -> dict[str, Any]:
    job_id = request.match_info["job_id"]
    job = ctx_of(request).store.get("jobs", job_id)
    if job is None or TOGETHER not in job[PRIVATE]:
        raise not_found(f"Fine-tune job {job_id} not found", param="id", code="not_found")
    return job


def _model(value: Any) -> str:
    if value not in catalog.FINE_TUNABLE:
        raise bad_request(f"Model {value!r} is not supported for fine-tuning; see "
                          "/v1/fine-tunes/models/supported.", param="model", code="invalid_model")
    return value


def _number(body: dict[str, Any], name: str, low: float, high: float, default: Any) -> Any:
    value = body.get(name, default)
    if value is None or value == "max":
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise bad_request(f"Invalid '{name}': expected a number from {low:g} to {high:g}, got {value!r}.",
                          param=name, code="invalid_value")
    return value


def _training_type(body: dict[str, Any], limits: dict[str, Any]) -> dict[str, Any]:
    kind = body.get("training_type") or {"type": "Lora"}
    if kind.get("type") == "Full":
        return {"type": "Full"}
    if kind.get("type") != "Lora":
        raise bad_request("Invalid 'training_type.type': use 'Lora' or 'Full'.", param="training_type")
    rank = _number(kind, "lora_r", 1, limits["lora_training"]["max_rank"],
                   limits["lora_training"]["default_rank"])
    return {"type": "Lora", "lora_r": rank, "lora_alpha": _number(kind, "lora_alpha", 1, 4096, rank * 2),
            "lora_dropout": _number(kind, "lora_dropout", 0, 0.999, 0.0),
            "lora_trainable_modules": kind.get("lora_trainable_modules") or "all-linear"}


@routes.post("/v1/fine-tunes")
async def create(request: web.Request) -> web.Response:
    ctx = ctx_of(request)
    body = await json_body(request)
    model = _model(body.get("model"))
    limits = catalog.limits(model)
    training_file = check_file(ctx, body.get("training_file"), "training_file")
    validation_file = body.get("validation_file") or None
    if validation_file:
        check_file(ctx, validation_file, "validation_file")
    method = body.get("training_method") or {"method": "sft"}
    if not isinstance(method, dict):
        raise bad_request("Invalid 'training_method': expected an object such as {\"method\": \"sft\"}.",
                          param="training_method")
    kind = {"sft": "supervised", "dpo": "dpo"}.get(str(method.get("method")))
    if kind is None:
        raise bad_request("Invalid 'training_method.method': use 'sft' or 'dpo'.", param="training_method")
    if kind == "supervised":  # Together answers its default where the request left it out
        method = {**method, "train_on_inputs": method.get("train_on_inputs", "auto")}
    epochs = _number(body, "n_epochs", 1, limits["max_num_epochs"], 1)
    batch = _number(body, "batch_size", limits["lora_training"]["min_batch_size"],
                    limits["lora_training"]["max_batch_size"], "max")
    asked = {
        "n_epochs": epochs, "batch_size": batch,
        "n_checkpoints": _number(body, "n_checkpoints", 1, limits["max_num_checkpoints"], 1),
        "n_evals": _number(body, "n_evals", 0, limits["max_num_evals"], 0),
        "learning_rate": _number(body, "learning_rate", limits["min_learning_rate"],
                                 limits["max_learning_rate"], 1e-5),
        "warmup_ratio": _number(body, "warmup_ratio", 0, 1, 0.0),
        "max_grad_norm": _number(body, "max_grad_norm", 0, 1e6, 1.0),
        "weight_decay": _number(body, "weight_decay", 0, 1e6, 0.0),
        "lr_scheduler": body.get("lr_scheduler"), "suffix": body.get("suffix"),
        "random_seed": body.get("random_seed"), "training_type": _training_type(body, limits),
        "training_method": method, "train_on_inputs": method.get("train_on_inputs"),
        # W&B as the SDK sends it: its body says wandb_key where the spec says wandb_api_key. The
        # key itself is never kept, only whether one came.
        "wandb_project_name": body.get("wandb_project_name"), "wandb_name": body.get("wandb_name"),
        "wandb_key_given": bool(body.get("wandb_key") or body.get("wandb_api_key")),
    }
    hp: dict[str, Any] = {"n_epochs": epochs, "batch_size": "auto" if batch == "max" else batch}
    if kind == "dpo" and method.get("dpo_beta") is not None:
        hp["beta"] = method["dpo_beta"]
    shaped, requested = check_method({"method": {"type": kind, kind: {"hyperparameters": hp}}})
    job = {
        "id": new_id("ft-"), "object": "fine_tuning.job", "created_at": now(), "error": None,
        "fine_tuned_model": None, "finished_at": None, "hyperparameters": {}, "model": model,
        "organization_id": ORGANIZATION, "result_files": [], "status": "validating_files",
        "trained_tokens": None, "training_file": training_file, "validation_file": validation_file,
        "integrations": None, "seed": asked["random_seed"] if isinstance(asked["random_seed"], int) else 42,
        "estimated_finish": None, "method": shaped, "metadata": None,
        "user_provided_suffix": asked["suffix"],
        PRIVATE: {"requested": requested, "step": 0, TOGETHER: asked},
    }
    ctx.store.put("jobs", job)
    _runner(request).event(job["id"], f"Created fine-tuning job: {job['id']}")
    _runner(request).launch(job["id"])
    return web.json_response(_shaped(request, job, truncated=True))


def _shaped(request: web.Request, job: dict[str, Any], *, truncated: bool = False) -> dict[str, Any]:
    return job_object(job, truncated=truncated, named=not ctx_of(request).unnamed_outputs)


@routes.get("/v1/fine-tunes")
async def list_jobs(request: web.Request) -> web.Response:
    jobs = [j for j in ctx_of(request).store.find("jobs") if TOGETHER in j[PRIVATE]]
    return web.json_response({"data": [_shaped(request, j, truncated=True) for j in jobs]})


@routes.get("/v1/fine-tunes/models/supported")
async def supported(request: web.Request) -> web.Response:
    return web.json_response({"models": list(catalog.FINE_TUNABLE)})


@routes.get("/v1/fine-tunes/models/limits")
async def model_limits(request: web.Request) -> web.Response:
    return web.json_response(catalog.limits(_model(request.query.get("model_name"))))


@routes.post("/v1/fine-tunes/estimate-price")
async def estimate_price(request: web.Request) -> web.Response:
    ctx = ctx_of(request)
    body = await json_body(request)
    file_id = check_file(ctx, body.get("training_file"), "training_file")
    size = ctx.store.existing("files", file_id)["bytes"]
    tokens = max(1, size // 4) * int(body.get("n_epochs") or 1)  # about 4 bytes a token
    return web.json_response({
        "estimated_total_price": round(tokens / 1e6 * catalog.PRICE_PER_MILLION_TOKENS, 6),
        "estimation_available": True, "allowed_to_proceed": True, "user_limit": 100.0,
        "estimated_train_token_count": tokens, "estimated_eval_token_count": 0})


@routes.get("/v1/fine-tunes/{job_id}")
async def retrieve(request: web.Request) -> web.Response:
    return web.json_response(_shaped(request, _job(request)))


@routes.delete("/v1/fine-tunes/{job_id}")
async def delete(request: web.Request) -> web.Response:
    job = _job(request)
    ctx = ctx_of(request)
    if job["status"] not in FINISHED:
        _runner(request).cancel(job["id"])
    if job.get("fine_tuned_model"):
        ctx.store.delete("models", job["fine_tuned_model"])
    ctx.store.delete("jobs", job["id"])
    return web.json_response({"message": f"Fine-tune job {job['id']} deleted"})


@routes.post("/v1/fine-tunes/{job_id}/cancel")
async def cancel(request: web.Request) -> web.Response:
    job = _job(request)
    if job["status"] in FINISHED:
        raise bad_request(f"Job {job['id']} has already finished ({job['status']}).", param="id")
    _runner(request).cancel(job["id"])
    return web.json_response(_shaped(request, _job(request), truncated=True))


def _events(request: web.Request, job: dict[str, Any]) -> list[dict[str, Any]]:
    return ctx_of(request).store.find("events", "job_id = ?", (job["id"],), newest_first=False)


@routes.get("/v1/fine-tunes/{job_id}/events")
async def events(request: web.Request) -> web.Response:
    job = _job(request)
    return web.json_response({"data": [event_object(e, job) for e in _events(request, job)
                                       if e["type"] != "metrics"]})


@routes.get("/v1/fine-tunes/{job_id}/metrics")
async def metrics(request: web.Request) -> web.Response:
    job = _job(request)
    return web.json_response({"metrics": [metric_row(e) for e in _events(request, job)
                                          if e["type"] == "metrics"]})


@routes.get("/v1/fine-tunes/{job_id}/checkpoints")
async def checkpoints(request: web.Request) -> web.Response:
    job = _job(request)
    found = ctx_of(request).store.find("checkpoints", "job_id = ?", (job["id"],))
    return web.json_response({"data": [checkpoint_object(c, i == 0 and job["status"] == "succeeded")
                                       for i, c in enumerate(found)]})
