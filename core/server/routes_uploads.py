"""/v1/uploads: create, add parts (streamed to disk), complete (order, size, md5), cancel."""

from __future__ import annotations

import asyncio

from aiohttp import BodyPartReader, web

from ftui.core.server.api_errors import bad_request, not_found
from ftui.core.server.context import PRIVATE
from ftui.core.server.http_util import ctx_of, json_body, multipart_errors, ok, require_str
from ftui.core.server.ids import new_id, now
from ftui.core.server.routes_files import check_fine_tune_name, check_purpose
from ftui.core.server.streaming_body import concatenate, part_to_file

UPLOAD_PURPOSES = ("assistants", "batch", "fine-tune", "vision", "user_data", "evals")
MAX_UPLOAD_BYTES = 8 * 1024**3
MAX_PART_BYTES = 64 * 1024**2
EXPIRES_AFTER = 3600

routes = web.RouteTableDef()


def get_upload(request: web.Request, *, pending: bool = False) -> dict:
    upload_id = request.match_info["upload_id"]
    obj = ctx_of(request).store.get("uploads", upload_id)
    if obj is None:
        raise not_found(f"No such Upload object: {upload_id}", param="upload_id")
    if obj["status"] == "pending" and obj["expires_at"] < now():
        obj["status"] = "expired"
        ctx_of(request).store.update("uploads", obj)
    if pending and obj["status"] != "pending":
        raise bad_request(f"Upload {upload_id} is already {obj['status']}; only a pending upload "
                          "can take parts, be completed or be cancelled.", param="upload_id",
                          code="invalid_upload_state")
    return obj


@routes.post("/v1/uploads")
async def create_upload(request: web.Request) -> web.Response:
    body = await json_body(request)
    filename = require_str(body, "filename")
    purpose = check_purpose(body.get("purpose"), UPLOAD_PURPOSES)
    require_str(body, "mime_type")
    size = body.get("bytes")
    if not isinstance(size, int) or isinstance(size, bool) or not 0 <= size <= MAX_UPLOAD_BYTES:
        raise bad_request(f"Invalid 'bytes': expected an integer between 0 and {MAX_UPLOAD_BYTES}.",
                          param="bytes", code="invalid_value")
    check_fine_tune_name(filename, purpose)
    created = now()
    obj = {"id": new_id("upload_"), "object": "upload", "bytes": size, "created_at": created,
           "filename": filename, "purpose": purpose, "status": "pending",
           "expires_at": created + EXPIRES_AFTER, "file": None,
           PRIVATE: {"mime_type": body["mime_type"]}}
    ctx_of(request).store.put("uploads", obj)
    return ok(obj)


@routes.post("/v1/uploads/{upload_id}/parts")
async def add_part(request: web.Request) -> web.Response:
    ctx = ctx_of(request)
    upload = get_upload(request, pending=True)
    if not request.content_type.startswith("multipart/"):
        raise bad_request("Expected a multipart/form-data body with a 'data' part.", param="data")
    part_id = new_id("part_")
    path = ctx.store.blob_path("parts", part_id)
    size = None
    try:
        with multipart_errors():
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                if isinstance(part, BodyPartReader) and part.name == "data" and size is None:
                    size = await part_to_file(part, path, request, MAX_PART_BYTES)
                else:
                    await part.release()
    except BaseException:
        path.unlink(missing_ok=True)  # a part read whole before the body broke is not kept
        raise
    if size is None:
        raise bad_request("Missing required parameter: 'data'.", param="data",
                          code="missing_required_parameter")
    obj = {"id": part_id, "object": "upload.part", "created_at": now(), "upload_id": upload["id"],
           PRIVATE: {"bytes": size}}
    ctx.store.put("parts", obj, upload_id=upload["id"])
    return ok(obj)


@routes.post("/v1/uploads/{upload_id}/complete")
async def complete_upload(request: web.Request) -> web.Response:
    ctx = ctx_of(request)
    upload = get_upload(request, pending=True)
    body = await json_body(request)
    part_ids = body.get("part_ids")
    if not isinstance(part_ids, list) or not all(isinstance(p, str) for p in part_ids):
        raise bad_request("Missing or invalid 'part_ids': expected a list of part ids.",
                          param="part_ids", code="invalid_value")
    if len(set(part_ids)) != len(part_ids):
        raise bad_request("'part_ids' lists a part more than once.", param="part_ids",
                          code="invalid_value")
    md5 = body.get("md5")
    if md5 is not None and not isinstance(md5, str):
        raise bad_request("Invalid 'md5': expected a hex string.", param="md5", code="invalid_type")
    paths = []
    total = 0
    for part_id in part_ids:
        part = ctx.store.get("parts", part_id)
        if part is None or part["upload_id"] != upload["id"]:
            raise bad_request(f"Part {part_id} does not belong to upload {upload['id']}.",
                              param="part_ids", code="invalid_value")
        paths.append(ctx.store.blob_path("parts", part_id))
        total += part[PRIVATE]["bytes"]
    if total != upload["bytes"]:
        raise bad_request(f"The parts add up to {total} bytes but the upload was created with "
                          f"bytes={upload['bytes']}.", param="part_ids", code="bytes_mismatch")
    blob = ctx.temp_blob("upload-")
    try:
        size, digest = await asyncio.to_thread(concatenate, paths, blob)
        if md5 and md5.lower() != digest:
            raise bad_request(f"The md5 checksum {md5} does not match the uploaded bytes "
                              f"(md5 {digest}).", param="md5", code="md5_mismatch")
        # Re-read the upload: a cancel may have landed while parts were joined.
        if ctx.store.existing("uploads", upload["id"])["status"] != "pending":
            raise bad_request(f"Upload {upload['id']} was cancelled.", param="upload_id",
                              code="invalid_upload_state")
        file = ctx.add_file(filename=upload["filename"], purpose=upload["purpose"], blob=blob,
                            size=size)
    finally:
        blob.unlink(missing_ok=True)
    upload.update(status="completed", file=file)
    ctx.store.update("uploads", upload)
    _drop_parts(request, upload["id"])
    return ok(upload)


@routes.post("/v1/uploads/{upload_id}/cancel")
async def cancel_upload(request: web.Request) -> web.Response:
    ctx = ctx_of(request)
    upload = get_upload(request, pending=True)
    upload["status"] = "cancelled"
    ctx.store.update("uploads", upload)
    _drop_parts(request, upload["id"])
    return ok(upload)


def _drop_parts(request: web.Request, upload_id: str) -> None:
    store = ctx_of(request).store
    for part in store.find("parts", "upload_id = ?", (upload_id,)):
        store.blob_path("parts", part["id"]).unlink(missing_ok=True)
        store.delete("parts", part["id"])
