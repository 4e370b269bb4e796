"""Together's /v1/files as the together SDK uses it: POST /v1/files (multipart: purpose,
file_name, file_type, checksum) answers 302 with Location and X-Together-File-Id; the bytes
are PUT to that Location (no API key: the URL itself is the permission); POST
/v1/files/{id}/preprocess then makes the file. List, retrieve, content and delete as usual."""

from __future__ import annotations

import secrets
from typing import Any

from aiohttp import BodyPartReader, web

from ftui.core.server.api_errors import bad_request, not_found
from ftui.core.server.http_util import ctx_of, multipart_errors
from ftui.core.server.ids import new_id, now
from ftui.core.server.together.shapes import file_object

routes = web.RouteTableDef()
PENDING = web.AppKey("together_pending_uploads", dict)
PUT_PREFIX = "/sandbox-upload/"  # presigned PUT targets; auth is the token in the URL
PURPOSES = ("fine-tune", "eval", "batch-api")


def _file(request: web.Request) -> dict[str, Any]:
    file_id = request.match_info["file_id"]
    found = ctx_of(request).store.get("files", file_id)
    if found is None:
        raise not_found(f"File {file_id} not found", param="id", code="file_not_found")
    return found


@routes.post("/v1/files")
async def start_upload(request: web.Request) -> web.Response:
    fields: dict[str, str] = {}
    with multipart_errors():
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if isinstance(part, BodyPartReader):
                fields[part.name or ""] = (await part.read(decode=True)).decode()
            else:  # a nested multipart: no field of ours
                await part.release()
    for name in ("purpose", "file_name", "file_type"):
        if not fields.get(name):
            raise bad_request(f"Missing required field: '{name}'.", param=name)
    if fields["purpose"] not in PURPOSES:
        raise bad_request(f"Invalid purpose {fields['purpose']!r}.", param="purpose")
    file_id = new_id("file-", 22)
    token = secrets.token_urlsafe(16)
    request.app[PENDING][file_id] = {"token": token, "purpose": fields["purpose"],
                                     "filename": fields["file_name"], "data": None}
    location = f"{request.scheme}://{request.host}{PUT_PREFIX}{file_id}?token={token}"
    return web.Response(status=302, headers={"Location": location, "X-Together-File-Id": file_id})


@routes.put(PUT_PREFIX + "{file_id}")
async def put_bytes(request: web.Request) -> web.Response:
    pending = request.app[PENDING].get(request.match_info["file_id"])
    if pending is None or not secrets.compare_digest(request.query.get("token", ""), pending["token"]):
        raise web.HTTPForbidden(reason="This upload URL is not valid.")
    pending["data"] = await request.read()
    return web.Response(status=200)


@routes.post("/v1/files/{file_id}/preprocess")
async def preprocess(request: web.Request) -> web.Response:
    ctx = ctx_of(request)
    file_id = request.match_info["file_id"]
    pending = request.app[PENDING].get(file_id)
    if pending is None or pending["data"] is None:
        raise bad_request(f"File {file_id} has no uploaded bytes to process.", param="id")
    del request.app[PENDING][file_id]
    ctx.store.blob_path("files", file_id).write_bytes(pending["data"])
    obj = {"id": file_id, "object": "file", "bytes": len(pending["data"]), "created_at": now(),
           "filename": pending["filename"], "purpose": pending["purpose"], "status": "processed"}
    ctx.store.put("files", obj, purpose=pending["purpose"])
    return web.json_response(file_object(obj))


@routes.get("/v1/files")
async def list_files(request: web.Request) -> web.Response:
    # The runner's step-metrics files (OpenAI's result files) are not Together's: left out.
    found = [f for f in ctx_of(request).store.find("files") if f["purpose"] in PURPOSES]
    return web.json_response({"data": [file_object(f) for f in found]})


@routes.get("/v1/files/{file_id}")
async def retrieve_file(request: web.Request) -> web.Response:
    return web.json_response(file_object(_file(request)))


@routes.get("/v1/files/{file_id}/content")
async def file_content(request: web.Request) -> web.StreamResponse:
    found = _file(request)
    return web.FileResponse(ctx_of(request).file_blob(found["id"]),
                            headers={"Content-Type": "application/octet-stream"})


@routes.delete("/v1/files/{file_id}")
async def delete_file(request: web.Request) -> web.Response:
    found = _file(request)
    ctx = ctx_of(request)
    ctx.store.delete("files", found["id"])
    ctx.file_blob(found["id"]).unlink(missing_ok=True)
    return web.json_response({"id": found["id"], "deleted": True})
