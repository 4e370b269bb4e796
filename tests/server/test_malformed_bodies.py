"""Bodies aiohttp cannot parse are the client's fault: 400s in OpenAI's envelope, never 500s."""

from __future__ import annotations

import pytest

from tests.server.helpers import raw_request
from tests.spec_check import check_error

AUTH = {"Authorization": "Bearer test-key"}
BROKEN_MULTIPART = [
    # (name, Content-Type, body)
    ("part-without-headers", "multipart/form-data; boundary=B", b"--B\r\n[]--B--\r\n"),
    ("other-garbage", "multipart/form-data; boundary=BB", b"--BB\r\nNone--BB--\r\n"),
    ("boundary-too-long", "multipart/form-data; boundary=" + "x" * 80, b"--x\r\n\r\n"),
    ("wrong-first-boundary", "multipart/form-data; boundary=B", b"--C\r\n\r\nx\r\n--C--\r\n"),
    ("no-boundary", "multipart/form-data", b"--B\r\n\r\nx\r\n--B--\r\n"),
    ("unknown-transfer-encoding", "multipart/form-data; boundary=B",
     b'--B\r\nContent-Disposition: form-data; name="purpose"\r\n'
     b"Content-Transfer-Encoding: rot13\r\n\r\nfine-tune\r\n--B--\r\n"),
    ("unknown-charset", "multipart/form-data; boundary=B",
     b'--B\r\nContent-Disposition: form-data; name="purpose"\r\n'
     b"Content-Type: text/plain; charset=nope-42\r\n\r\nfine-tune\r\n--B--\r\n"),
]


@pytest.fixture
def upload_id(sync_client) -> str:
    return sync_client.uploads.create(filename="t.jsonl", purpose="fine-tune", bytes=10,
                                      mime_type="text/jsonl").id


@pytest.mark.parametrize(("content_type", "body"), [b[1:] for b in BROKEN_MULTIPART],
                         ids=[b[0] for b in BROKEN_MULTIPART])
@pytest.mark.parametrize("where", ["files", "parts"])
def test_malformed_multipart_is_a_400_saying_so(sandbox, upload_id, where, content_type, body):
    if where == "parts" and "name=\"purpose\"" in body.decode():
        pytest.skip("a part upload never decodes a 'purpose' part; it only skips it")
    path = "/files" if where == "files" else f"/uploads/{upload_id}/parts"
    status, _, answer = raw_request("POST", sandbox.base_url + path, body=body,
                                    headers={**AUTH, "Content-Type": content_type})
    assert status == 400, answer
    check_error(answer)
    assert answer["error"]["type"] == "invalid_request_error"
    assert "multipart" in answer["error"]["message"]


def test_a_broken_part_leaves_no_part_behind(sandbox, sync_client, upload_id):
    body = (b'--B\r\nContent-Disposition: form-data; name="data"; filename="p"\r\n\r\n'
            b"0123456789\r\n--B\r\n[]--B--\r\n")
    status, _, answer = raw_request("POST", f"{sandbox.base_url}/uploads/{upload_id}/parts",
                                    body=body, headers={**AUTH, "Content-Type":
                                                        "multipart/form-data; boundary=B"})
    assert status == 400, answer
    assert list(sandbox.handle.ctx.store.blob_path("parts", "x").parent.glob("part_*")) == []


def test_undecodable_gzip_body_is_a_400(sandbox):
    status, _, answer = raw_request("POST", f"{sandbox.base_url}/chat/completions",
                                    body=b"this is not gzip",
                                    headers={**AUTH, "Content-Type": "application/json",
                                             "Content-Encoding": "gzip"})
    assert status == 400, answer
    check_error(answer)


@pytest.mark.parametrize("constant", [b"NaN", b"Infinity", b"-Infinity"])
def test_json_with_nan_or_infinity_is_a_400(sandbox, constant):
    body = (b'{"model": "gpt-4o-mini-2024-07-18", "training_file": "file-x", '
            b'"hyperparameters": {"learning_rate_multiplier": ' + constant + b"}}")
    status, _, answer = raw_request("POST", f"{sandbox.base_url}/fine_tuning/jobs", body=body,
                                    headers={**AUTH, "Content-Type": "application/json"})
    assert status == 400, answer
    check_error(answer)
    assert "JSON" in answer["error"]["message"]
