"""/v1/fine_tuning/jobs: create, list, retrieve, cancel, pause, resume, events, checkpoints."""

from __future__ import annotations

import re

from aiohttp import web

from ftui.core.server.api_errors import ApiError, bad_request, not_found
from ftui.core.server.context import ORGANIZATION, PRIVATE
from ftui.core.server.http_util import ctx_of, json_body, limit_param, list_body, ok, page_after
from ftui.core.server.ids import new_id, now
from ftui.core.server.job_request import (
    check_file,
    check_integrations,
    check_metadata,
    check_method,
    check_model,
    check_seed,
    check_suffix,
)
from ftui.core.server.jobs import JobRunner

routes = web.RouteTableDef()
_METADATA_QUERY = re.compile(r"^metadata\[(.+)\]$")


def runner_of(request: web.Request) -> JobRunner:
    runner = ctx_of(request).runner
    assert runner is not None
    return runner


def get_job(request: web.Request) -> dict:
    job_id = request.match_info["job_id"]
    job = ctx_of(request).store.get("jobs", job_id)
    if job is None:
        raise not_found(f"No such fine-tuning job: {job_id}", param="fine_tuning_job_id",
                        code="fine_tuning_job_not_found")
    return job


@routes.post("/v1/fine_tuning/jobs")
async def create_job(request: web.Request) -> web.Response:
    ctx = ctx_of(request)
    if ctx.new_jobs_closed:
        raise ApiError(403, "Creating fine-tuning jobs is no longer available for this organization.",
                       type="invalid_request_error", code="fine_tuning_unavailable")
    body = await json_body(request)
    model = check_model(ctx, body.get("model"))
    training_file = check_file(ctx, body.get("training_file"), "training_file")
    validation_file = body.get("validation_file")
    if validation_file is not None:
        check_file(ctx, validation_file, "validation_file")
    suffix = check_suffix(body.get("suffix"))
    method, requested = check_method(body, ctx)
    seed = check_seed(body.get("seed"))
    metadata = check_metadata(body.get("metadata"))
    integrations = check_integrations(body.get("integrations"))
    shown = method[method["type"]]["hyperparameters"]
    job_id = new_id("ftjob-")
    job = {
        "id": job_id, "object": "fine_tuning.job", "created_at": now(), "error": None,
        "fine_tuned_model": None, "finished_at": None,
        "hyperparameters": {k: shown[k] for k in ("batch_size", "learning_rate_multiplier", "n_epochs")},
        "model": model, "organization_id": ORGANIZATION, "result_files": [],
        "status": "validating_files", "trained_tokens": None, "training_file": training_file,
        "validation_file": validation_file, "integrations": integrations, "seed": seed,
        "estimated_finish": None, "method": method, "metadata": metadata,
        "user_provided_suffix": suffix,
        PRIVATE: {"requested": requested, "step": 0},
    }
    ctx.store.put("jobs", job)
    runner = runner_of(request)
    runner.event(job_id, f"Created fine-tuning job: {job_id}")
    runner.launch(job_id)
    return ok(job)


@routes.get("/v1/fine_tuning/jobs")
async def list_jobs(request: web.Request) -> web.Response:
    limit = limit_param(request, 20, 100)
    clauses, params = [], []
    for key, value in request.query.items():
        if match := _METADATA_QUERY.match(key):
            clauses.append("json_extract(obj, ?) = ?")
            params += ['$.metadata."' + match.group(1).replace('"', "") + '"', value]
    page = page_after(request, "jobs", where=" AND ".join(clauses), params=tuple(params), limit=limit)
    return web.json_response(list_body(*page))


@routes.get("/v1/fine_tuning/jobs/{job_id}")
async def retrieve_job(request: web.Request) -> web.Response:
    return ok(get_job(request))


@routes.post("/v1/fine_tuning/jobs/{job_id}/cancel")
async def cancel_job(request: web.Request) -> web.Response:
    job = get_job(request)
    if job["status"] in ("succeeded", "failed", "cancelled"):
        raise bad_request(f"Job {job['id']} has already {job['status']} and cannot be cancelled.",
                          param="fine_tuning_job_id", code="invalid_job_state")
    runner_of(request).cancel(job["id"])
    return ok(get_job(request))


@routes.post("/v1/fine_tuning/jobs/{job_id}/pause")
async def pause_job(request: web.Request) -> web.Response:
    job = get_job(request)
    if job["status"] != "running":
        raise bad_request(f"Job {job['id']} is {job['status']}; only a running job can be paused.",
                          param="fine_tuning_job_id", code="invalid_job_state")
    runner_of(request).pause(job["id"])
    return ok(get_job(request))


@routes.post("/v1/fine_tuning/jobs/{job_id}/resume")
async def resume_job(request: web.Request) -> web.Response:
    job = get_job(request)
    if job["status"] != "paused":
        raise bad_request(f"Job {job['id']} is {job['status']}; only a paused job can be resumed.",
                          param="fine_tuning_job_id", code="invalid_job_state")
    runner_of(request).resume(job["id"])
    return ok(get_job(request))


@routes.get("/v1/fine_tuning/jobs/{job_id}/events")
async def list_events(request: web.Request) -> web.Response:
    job = get_job(request)
    limit = limit_param(request, 20, 1000)
    page = page_after(request, "events", where="job_id = ?", params=(job["id"],), limit=limit)
    return web.json_response(list_body(*page))


@routes.get("/v1/fine_tuning/jobs/{job_id}/checkpoints")
async def list_checkpoints(request: web.Request) -> web.Response:
    job = get_job(request)
    limit = limit_param(request, 10, 100)
    page = page_after(request, "checkpoints", where="job_id = ?", params=(job["id"],), limit=limit)
    return web.json_response(list_body(*page, ids=True))
