"""Files and multi-part Uploads: streaming to disk, order, size and md5 checks, cancel, paging."""

from __future__ import annotations

import hashlib
import json

import openai
import pytest

from tests.server.helpers import checked
from tests.spec_check import check_error, strict_copy


def jsonl_bytes(count: int, width: int = 60) -> bytes:
    line = json.dumps({"messages": [{"role": "user", "content": "q" * width},
                                    {"role": "assistant", "content": "a"}]}) + "\n"
    return line.encode() * count


async def test_multipart_upload_joins_parts_in_the_given_order(client, tmp_path):
    data = jsonl_bytes(300)
    thirds = [data[:1000], data[1000:5000], data[5000:]]
    uploads = client.uploads.with_raw_response
    upload = checked("createUpload", await uploads.create(
        filename="train.jsonl", purpose="fine-tune", bytes=len(data), mime_type="text/jsonl"))
    assert upload["status"] == "pending" and upload["file"] is None
    # Parts sent out of order; part_ids decide the order of the file.
    ids = {}
    for index in (2, 0, 1):
        part = checked("addUploadPart", await client.uploads.parts.with_raw_response.create(
            upload["id"], data=thirds[index]))
        assert part["upload_id"] == upload["id"]
        ids[index] = part["id"]
    done = checked("completeUpload", await uploads.complete(
        upload["id"], part_ids=[ids[0], ids[1], ids[2]], md5=hashlib.md5(data).hexdigest()))
    assert done["status"] == "completed" and done["file"]["bytes"] == len(data)
    assert (await client.files.content(done["file"]["id"])).content == data


async def test_upload_md5_mismatch_and_size_mismatch_are_refused(client):
    data = jsonl_bytes(20)
    upload = await client.uploads.create(filename="t.jsonl", purpose="fine-tune",
                                         bytes=len(data), mime_type="text/jsonl")
    part = await client.uploads.parts.create(upload.id, data=data)
    with pytest.raises(openai.BadRequestError) as bad_md5:
        await client.uploads.complete(upload.id, part_ids=[part.id], md5="0" * 32)
    assert bad_md5.value.body["param"] == "md5" and bad_md5.value.code == "md5_mismatch"
    check_error(bad_md5.value.response.json())
    extra = await client.uploads.parts.create(upload.id, data=b"{}\n")
    with pytest.raises(openai.BadRequestError) as too_big:
        await client.uploads.complete(upload.id, part_ids=[part.id, extra.id])
    assert "bytes" in too_big.value.message
    # The upload is still pending after refusals, so the right parts complete it.
    done = await client.uploads.complete(upload.id, part_ids=[part.id],
                                         md5=hashlib.md5(data).hexdigest())
    assert done.status == "completed" and done.file.bytes == len(data)
    assert (await client.files.list()).data[0].id == done.file.id


async def test_cancelled_upload_takes_no_more_parts(client):
    upload = await client.uploads.create(filename="t.jsonl", purpose="fine-tune", bytes=10,
                                         mime_type="text/jsonl")
    raw = await client.uploads.with_raw_response.cancel(upload.id)
    assert checked("cancelUpload", raw)["status"] == "cancelled"
    with pytest.raises(openai.BadRequestError) as info:
        await client.uploads.parts.create(upload.id, data=b"0123456789")
    assert "cancelled" in info.value.message
    with pytest.raises(openai.NotFoundError):
        await client.uploads.cancel("upload_missing")


async def test_large_file_through_upload_file_chunked_and_files(client, tmp_path):
    big = tmp_path / "big.jsonl"
    with big.open("wb") as out:
        for _ in range(12):
            out.write(jsonl_bytes(8000, 200))  # ~2.2 MB a round, ~26 MB in all
    size = big.stat().st_size
    digest = hashlib.md5(big.read_bytes()).hexdigest()
    upload = await client.uploads.upload_file_chunked(file=big, mime_type="text/jsonl",
                                                      purpose="fine-tune", part_size=8 * 1024**2,
                                                      md5=digest)
    assert upload.status == "completed" and upload.file.bytes == size
    direct = await client.files.create(file=big, purpose="fine-tune")
    assert direct.bytes == size
    body = (await client.files.content(direct.id)).content
    assert hashlib.md5(body).hexdigest() == digest


async def test_file_purpose_and_format_are_checked(client, tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(openai.BadRequestError) as fmt:
        await client.files.create(file=text, purpose="fine-tune")
    assert ".jsonl" in fmt.value.message
    with pytest.raises(openai.BadRequestError) as purpose:
        await client.files.create(file=text, purpose="fine-tune-results")
    assert purpose.value.body["param"] == "purpose"
    check_error(purpose.value.response.json())
    with pytest.raises(openai.NotFoundError) as missing:
        await client.files.retrieve("file-nope")
    check_error(missing.value.response.json())


async def test_files_pagination_purpose_and_order(client, tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_bytes(jsonl_bytes(3))
    made = [(await client.files.create(file=path, purpose="fine-tune")).id for _ in range(5)]
    batch = tmp_path / "b.jsonl"
    batch.write_bytes(b"{}\n")
    await client.files.create(file=batch, purpose="batch")

    first = checked("listFiles", await client.files.with_raw_response.list(
        purpose="fine-tune", limit=2))
    assert [f["id"] for f in first["data"]] == made[::-1][:2] and first["has_more"]
    assert first["last_id"] == made[3]
    seen = [f.id async for f in client.files.list(purpose="fine-tune", limit=2)]
    assert seen == made[::-1]
    oldest = await client.files.list(purpose="fine-tune", order="asc", limit=3, after=made[0])
    assert [f.id for f in oldest.data] == made[1:4]
    assert len((await client.files.list()).data) == 6
    with pytest.raises(openai.BadRequestError):
        await client.files.list(limit=0)


async def test_deleted_file_is_gone(client, tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_bytes(jsonl_bytes(3))
    file = await client.files.create(file=path, purpose="fine-tune")
    assert (await client.files.delete(file.id)).deleted
    with pytest.raises(openai.NotFoundError):
        await client.files.content(file.id)


async def test_an_evals_file_is_answered_by_the_adjusted_spec(client, tmp_path):
    """The sandbox accepts purpose "evals" as OpenAI does; the answer must still check out."""
    path = tmp_path / "evals.jsonl"
    path.write_bytes(jsonl_bytes(3))
    made = checked("createFile", await client.files.with_raw_response.create(file=path,
                                                                             purpose="evals"))
    assert made["purpose"] == "evals"
    checked("retrieveFile", await client.files.with_raw_response.retrieve(made["id"]))
    listed = checked("listFiles", await client.files.with_raw_response.list(purpose="evals"))
    assert [f["id"] for f in listed["data"]] == [made["id"]]
    # the adjustment is needed: the spec as vendored rejects the same answer
    strict = strict_copy()["components"]["schemas"]["OpenAIFile"]["properties"]["purpose"]
    assert "evals" not in strict["enum"]
