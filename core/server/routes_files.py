"""/v1/files: upload (multipart), list, retrieve, delete, download content."""

from __future__ import annotations

from aiohttp import BodyPartReader, web

from ftui.core.server.api_errors import bad_request, not_found
from ftui.core.server.http_util import (
    ctx_of,
    limit_param,
    list_body,
    multipart_errors,
    ok,
    page_after,
)
from ftui.core.server.streaming_body import part_to_file

UPLOAD_PURPOSES = ("assistants", "batch", "fine-tune", "vision", "user_data", "evals")
ALL_PURPOSES = (*UPLOAD_PURPOSES, "assistants_output", "batch_output", "fine-tune-results")
MAX_FILE_BYTES = 512 * 1024 * 1024

routes = web.RouteTableDef()


def check_purpose(purpose: str | None, allowed: tuple[str, ...], param: str = "purpose") -> str:
    if not purpose:
        raise bad_request("Missing required parameter: 'purpose'.", param=param,
                          code="missing_required_parameter")
    if purpose not in allowed:
        raise bad_request(f"Invalid value for 'purpose': {purpose!r}. Supported values are: "
                          + ", ".join(repr(p) for p in allowed) + ".", param=param,
                          code="invalid_value")
    return purpose


def check_fine_tune_name(filename: str, purpose: str) -> None:
    if purpose == "fine-tune" and not filename.lower().endswith(".jsonl"):
        raise bad_request(f"Invalid file format for Fine-Tuning API. Must be .jsonl (got {filename!r}).",
                          param="file", code="invalid_file_format")


def get_file(request: web.Request) -> dict:
    file_id = request.match_info["file_id"]
    obj = ctx_of(request).store.get("files", file_id)
    if obj is None:
        raise not_found(f"No such File object: {file_id}", param="id")
    return obj


@routes.post("/v1/files")
async def create_file(request: web.Request) -> web.Response:
    ctx = ctx_of(request)
    if not request.content_type.startswith("multipart/"):
        raise bad_request("Expected a multipart/form-data body with 'file' and 'purpose'.",
                          code="invalid_request")
    purpose: str | None = None
    filename = "upload"
    blob = None
    size = 0
    try:
        with multipart_errors():
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                if not isinstance(part, BodyPartReader):  # a nested multipart: no field of ours
                    await part.release()
                elif part.name == "purpose":
                    purpose = (await part.text()).strip()
                elif part.name == "file":
                    filename = part.filename or "upload"
                    blob = ctx.temp_blob("file-")
                    size = await part_to_file(part, blob, request, MAX_FILE_BYTES)
                else:
                    await part.release()
        if blob is None:
            raise bad_request("Missing required parameter: 'file'.", param="file",
                              code="missing_required_parameter")
        purpose = check_purpose(purpose, UPLOAD_PURPOSES)
        check_fine_tune_name(filename, purpose)
        obj = ctx.add_file(filename=filename, purpose=purpose, blob=blob, size=size)
    finally:
        if blob is not None:
            blob.unlink(missing_ok=True)  # moved away on success
    return ok(obj)


@routes.get("/v1/files")
async def list_files(request: web.Request) -> web.Response:
    limit = limit_param(request, 10000, 10000)
    order = request.query.get("order", "desc")
    if order not in ("asc", "desc"):
        raise bad_request(f"Invalid 'order': {order!r}; use 'asc' or 'desc'.", param="order",
                          code="invalid_value")
    purpose = request.query.get("purpose")
    where, params = ("purpose = ?", (purpose,)) if purpose else ("", ())
    page = page_after(request, "files", where=where, params=params, limit=limit,
                      newest_first=order == "desc")
    return web.json_response(list_body(*page, ids=True))


@routes.get("/v1/files/{file_id}")
async def retrieve_file(request: web.Request) -> web.Response:
    return ok(get_file(request))


@routes.delete("/v1/files/{file_id}")
async def delete_file(request: web.Request) -> web.Response:
    ctx = ctx_of(request)
    obj = get_file(request)
    ctx.store.delete("files", obj["id"])
    ctx.file_blob(obj["id"]).unlink(missing_ok=True)
    return ok({"id": obj["id"], "object": "file", "deleted": True})


@routes.get("/v1/files/{file_id}/content")
async def file_content(request: web.Request) -> web.StreamResponse:
    obj = get_file(request)
    path = ctx_of(request).file_blob(obj["id"])
    return web.FileResponse(path, headers={
        "Content-Type": "application/octet-stream",
        "Content-Disposition": f'attachment; filename="{obj["filename"]}"'})
