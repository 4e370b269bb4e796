"""Together's dedicated endpoints as the together SDK 3.1.1 calls them: /v3/whoami for the
project, /v2/public/inference-instance-types for hardware and prices, /v2/projects/{p}/configs
for the hardware configs a model runs on, and /v2/projects/{p}/endpoints with deployments
under them. A deployment is simulated: PROVISIONING until PROVISION_SECONDS have passed
(scaled by --speed), then READY; zero replicas stop it (STOPPING, then STOPPED)."""

from __future__ import annotations

import time
from typing import Any

from aiohttp import web

from ftui.core.server.api_errors import ApiError, bad_request, not_found
from ftui.core.server.http_util import ctx_of, json_body
from ftui.core.server.ids import new_id
from ftui.core.server.routes_models import trained_job_of
from ftui.core.server.together import catalog
from ftui.core.server.together.shapes import iso

routes = web.RouteTableDef()
PROJECT = "/v2/projects/{project_id}"
READY = "DEPLOYMENT_STATE_READY"


def _project(request: web.Request) -> None:
    if request.match_info["project_id"] != catalog.PROJECT_ID:
        raise not_found(f"Project {request.match_info['project_id']} not found", param="project_id")


def _deployable(ctx: Any, model: Any) -> str:
    if not isinstance(model, str) or not model:
        raise bad_request("Missing required parameter: 'model'.", param="model")
    if model in catalog.FINE_TUNABLE or trained_job_of(ctx, model) is not None:
        return model
    raise not_found(f"Model {model} not found in project {catalog.PROJECT_ID}", param="model")


# ------------------------------------------------------------------ identity, hardware, configs
@routes.get("/v3/whoami")
async def whoami(request: web.Request) -> web.Response:
    return web.json_response({
        "type": "project_api_key", "api_key": {"id": "key_sandbox"},
        "organization": {"id": catalog.ORGANIZATION_ID, "name": "Sandbox"},
        "project": {"id": catalog.PROJECT_ID, "name": "Sandbox", "slug": catalog.PROJECT_SLUG}})


def _instance(h: dict[str, Any]) -> dict[str, Any]:
    return {**h, "regions": [{"name": "sandbox-1"}]}


@routes.get("/v2/public/inference-instance-types")
async def hardware(request: web.Request) -> web.Response:
    return web.json_response({"object": "list", "data": [_instance(h) for h in catalog.HARDWARE],
                              "next_cursor": None})


def _config(h: dict[str, Any], model: str) -> dict[str, Any]:
    return {"id": f"cfg_{h['id']}", "projectId": catalog.PROJECT_ID, "certifications": [],
            "referenceModel": f"projects/{catalog.PROJECT_ID}/models/{model}", "referenceModelId": model,
            "selectors": [{"key": "accelerator_type", "value": h["gpuType"]},
                          {"key": "accelerator_count", "value": str(h["gpuCount"])}]}


@routes.get(PROJECT + "/configs")
async def configs(request: web.Request) -> web.Response:
    _project(request)
    model = request.query.get("referenceModelId") or request.query.get("referenceModel", "")
    model = model.removeprefix(f"projects/{catalog.PROJECT_ID}/models/")
    model = _deployable(ctx_of(request), model)
    return web.json_response({"data": [_config(h, model) for h in catalog.HARDWARE], "next_cursor": None})


def _hardware_of_config(config: Any) -> dict[str, Any]:
    config_id = str(config or "").rsplit("/", 1)[-1]
    for h in catalog.HARDWARE:
        if f"cfg_{h['id']}" == config_id:
            return h
    raise bad_request(f"Config {config!r} not found or not compatible with the model", param="config")


# ------------------------------------------------------------------ deployment state
def _state(d: dict[str, Any], speed: float) -> tuple[str, str]:
    now = time.time()
    if d.get("stopped_at") is not None:
        if (now - d["stopped_at"]) * speed >= catalog.STOP_SECONDS:
            return "DEPLOYMENT_STATE_STOPPED", "stopped: zero replicas"
        return "DEPLOYMENT_STATE_STOPPING", "releasing replicas"
    if (now - d["created_at"]) * speed >= catalog.PROVISION_SECONDS:
        return READY, "serving"
    return "DEPLOYMENT_STATE_PROVISIONING", "provisioning replicas (simulated)"


def _deployment(d: dict[str, Any], speed: float) -> dict[str, Any]:
    state, message = _state(d, speed)
    ready = 1 if state == READY else 0
    h = d["hardware"]
    return {
        "id": d["id"], "endpointId": d["endpoint_id"], "projectId": catalog.PROJECT_ID,
        "name": f"{catalog.PROJECT_SLUG}/{d['endpoint_name']}/{d['name']}",
        "model": f"projects/{catalog.PROJECT_ID}/models/{d['model']}", "modelId": d["model"],
        "modelRevisionId": "rev_1", "config": f"projects/{catalog.PROJECT_ID}/configs/cfg_{h['id']}",
        "configId": f"cfg_{h['id']}", "hardware": h["name"], "autoscaling": d["autoscaling"],
        "inactiveTimeout": d.get("inactive_timeout"), "etag": d["etag"],
        "createdAt": iso(d["created_at"]), "updatedAt": iso(d.get("stopped_at") or d["created_at"]),
        "trafficMode": "TRAFFIC_MODE_LIVE", "desiredReplicas": d["autoscaling"].get("minReplicas", 1),
        "status": {"state": state, "message": message, "readyReplicas": ready, "scheduledReplicas": ready},
    }


def _summary(d: dict[str, Any], speed: float) -> dict[str, Any]:
    full = _deployment(d, speed)
    return {"id": full["id"], "autoscaling": full["autoscaling"], "createdAt": full["createdAt"],
            "estimatedEffectiveTrafficShare": 1.0 if full["status"]["readyReplicas"] else 0.0,
            "model": full["model"], "modelId": full["modelId"], "name": full["name"],
            "state": full["status"]["state"], "trafficMode": full["trafficMode"],
            "hardware": full["hardware"], "readyReplicas": full["status"]["readyReplicas"],
            "desiredReplicas": full["desiredReplicas"]}


def _deployments_of(ctx: Any, endpoint_id: str) -> list[dict[str, Any]]:
    return ctx.store.find("deployments", "endpoint_id = ?", (endpoint_id,), newest_first=False)


def _endpoint(ctx: Any, e: dict[str, Any]) -> dict[str, Any]:
    deps = _deployments_of(ctx, e["id"])
    return {"id": e["id"], "name": f"{catalog.PROJECT_SLUG}/{e['name']}", "projectId": catalog.PROJECT_ID,
            "endpointType": "ENDPOINT_TYPE_DEDICATED", "visibility": e["visibility"], "etag": e["etag"],
            "createdAt": iso(e["created_at"]), "updatedAt": iso(e["created_at"]),
            "deployments": [_summary(d, ctx.speed) for d in deps],
            "trafficSplit": [{"deploymentId": d["id"], "weight": 1.0} for d in deps]}


def _stored_endpoint(request: web.Request) -> dict[str, Any]:
    _project(request)
    found = ctx_of(request).store.get("endpoints", request.match_info["endpoint_id"])
    if found is None:
        raise not_found(f"Endpoint {request.match_info['endpoint_id']} not found", param="id")
    return found


def _stored_deployment(request: web.Request) -> dict[str, Any]:
    endpoint = _stored_endpoint(request)
    found = ctx_of(request).store.get("deployments", request.match_info["deployment_id"])
    if found is None or found["endpoint_id"] != endpoint["id"]:
        raise not_found(f"Deployment {request.match_info['deployment_id']} not found", param="id")
    return found


# ------------------------------------------------------------------ endpoints
@routes.post(PROJECT + "/endpoints")
async def create_endpoint(request: web.Request) -> web.Response:
    _project(request)
    ctx = ctx_of(request)
    body = await json_body(request)
    name = str(body.get("name") or "").removeprefix(f"{catalog.PROJECT_SLUG}/")
    if not name or len(name) > 50 or not all(c.isalnum() or c == "-" for c in name):
        raise bad_request("Invalid 'name': letters, digits and dashes, at most 50.", param="name")
    if any(e["name"] == name for e in ctx.store.find("endpoints")):
        raise ApiError(409, f"An endpoint named {name} already exists in this project", param="name",
                       code="already_exists")
    endpoint = {"id": new_id("ep_"), "name": name, "visibility": body.get("visibility") or "VISIBILITY_PRIVATE",
                "created_at": time.time(), "etag": new_id("", 8)}
    ctx.store.put("endpoints", endpoint)
    return web.json_response(_endpoint(ctx, endpoint))


@routes.get(PROJECT + "/endpoints")
async def list_endpoints(request: web.Request) -> web.Response:
    _project(request)
    ctx = ctx_of(request)
    return web.json_response({"data": [_endpoint(ctx, e) for e in ctx.store.find("endpoints")],
                              "next_cursor": None})


@routes.get(PROJECT + "/endpoints/{endpoint_id}")
async def retrieve_endpoint(request: web.Request) -> web.Response:
    return web.json_response(_endpoint(ctx_of(request), _stored_endpoint(request)))


@routes.delete(PROJECT + "/endpoints/{endpoint_id}")
async def delete_endpoint(request: web.Request) -> web.Response:
    endpoint = _stored_endpoint(request)
    ctx = ctx_of(request)
    if _deployments_of(ctx, endpoint["id"]):
        raise bad_request(f"Endpoint {endpoint['id']} still has deployments: delete them first.",
                          param="id", code="failed_precondition")
    ctx.store.delete("endpoints", endpoint["id"])
    return web.json_response({})


# ------------------------------------------------------------------ deployments
def _replicas(autoscaling: Any) -> dict[str, int]:
    if not isinstance(autoscaling, dict):
        raise bad_request("Missing required parameter: 'autoscaling'.", param="autoscaling")
    low = autoscaling.get("minReplicas", 1)
    high = autoscaling.get("maxReplicas", low)
    if not all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 8 for v in (low, high)) \
            or high < low:
        raise bad_request("Invalid 'autoscaling': replicas from 0 to 8, maxReplicas >= minReplicas.",
                          param="autoscaling")
    return {"minReplicas": low, "maxReplicas": high}


@routes.post(PROJECT + "/endpoints/{endpoint_id}/deployments")
async def create_deployment(request: web.Request) -> web.Response:
    endpoint = _stored_endpoint(request)
    ctx = ctx_of(request)
    body = await json_body(request)
    name = str(body.get("name") or "")
    if not name:
        raise bad_request("Missing required parameter: 'name'.", param="name")
    model = str(body.get("model") or body.get("modelId") or "")
    model = _deployable(ctx, model.removeprefix(f"projects/{catalog.PROJECT_ID}/models/"))
    h = _hardware_of_config(body.get("config") or body.get("configId"))
    timeout = body.get("inactiveTimeout")
    if timeout not in (None, 0) and not (isinstance(timeout, int) and 30 <= timeout <= 1440):
        raise bad_request("Invalid 'inactiveTimeout': 0, or 30 to 1440 minutes.", param="inactiveTimeout")
    made = {"id": new_id("dep_"), "endpoint_id": endpoint["id"], "endpoint_name": endpoint["name"],
            "name": name, "model": model, "hardware": h, "autoscaling": _replicas(body.get("autoscaling")),
            "inactive_timeout": timeout, "created_at": time.time(), "stopped_at": None,
            "etag": new_id("", 8)}
    ctx.store.put("deployments", made, endpoint_id=endpoint["id"])
    return web.json_response(_deployment(made, ctx.speed))


@routes.get(PROJECT + "/endpoints/{endpoint_id}/deployments")
async def list_deployments(request: web.Request) -> web.Response:
    endpoint = _stored_endpoint(request)
    ctx = ctx_of(request)
    return web.json_response({"data": [_deployment(d, ctx.speed) for d in _deployments_of(ctx, endpoint["id"])],
                              "next_cursor": None})


@routes.get(PROJECT + "/endpoints/{endpoint_id}/deployments/{deployment_id}")
async def retrieve_deployment(request: web.Request) -> web.Response:
    return web.json_response(_deployment(_stored_deployment(request), ctx_of(request).speed))


@routes.patch(PROJECT + "/endpoints/{endpoint_id}/deployments/{deployment_id}")
async def update_deployment(request: web.Request) -> web.Response:
    """Zero replicas stop a deployment; replicas again start it (provisioning anew)."""
    found = _stored_deployment(request)
    ctx = ctx_of(request)
    body = await json_body(request)
    if "autoscaling" in body:
        found["autoscaling"] = _replicas(body["autoscaling"])
        if found["autoscaling"]["maxReplicas"] == 0:
            found["stopped_at"] = found.get("stopped_at") or time.time()
        elif found.get("stopped_at") is not None:
            found.update(stopped_at=None, created_at=time.time())
        found["etag"] = new_id("", 8)
        ctx.store.update("deployments", found)
    return web.json_response(_deployment(found, ctx.speed))


@routes.delete(PROJECT + "/endpoints/{endpoint_id}/deployments/{deployment_id}")
async def delete_deployment(request: web.Request) -> web.Response:
    found = _stored_deployment(request)
    ctx_of(request).store.delete("deployments", found["id"])
    return web.json_response({})


# ------------------------------------------------------------------ what chat asks
def served_model(ctx: Any, name: str) -> str | None:
    """The model behind an endpoint or deployment name, if it is READY; None if `name` names no
    endpoint. A deployment that is not READY answers as Together does (400)."""
    bare = name.removeprefix(f"{catalog.PROJECT_SLUG}/")
    endpoint_name, _, deployment_name = bare.partition("/")
    endpoint = next((e for e in ctx.store.find("endpoints") if e["name"] == endpoint_name), None)
    if endpoint is None:
        return None
    deps = [d for d in _deployments_of(ctx, endpoint["id"]) if not deployment_name or d["name"] == deployment_name]
    ready = [d for d in deps if _state(d, ctx.speed)[0] == READY]
    if ready:
        return ready[0]["model"]
    states = ", ".join(_state(d, ctx.speed)[0] for d in deps) or "no deployments"
    raise ApiError(400, f"Endpoint {name} is not ready to serve requests ({states}).", param="model",
                   code="endpoint_not_ready")


def needs_endpoint(model: str) -> ApiError:
    """A fine-tuned model asked directly, without a dedicated endpoint (Together's own words)."""
    return ApiError(400, f"Unable to access non-serverless model {model}. Please visit "
                         f"https://api.together.ai/models/{model} to create and start a new dedicated "
                         "endpoint for the model.", param="model", code="model_not_available")
