"""Every upload through the real providers is recorded with its local path, size and sha256."""

from __future__ import annotations

import hashlib

from ftui.core.uploads_record import find_upload, load_records, uploads_path
from tests.migrate.conftest import sdk_provider


async def test_openai_upload_is_recorded_and_found_by_profile_and_id(home, sandbox, marv_path):
    provider = sdk_provider(sandbox.base_url, "old")
    try:
        made = await provider.upload_file(marv_path)
        other = await provider.upload_file(marv_path, purpose="fine-tune")
    finally:
        await provider.aclose()
    record = find_upload("old", made.id)
    data = marv_path.read_bytes()
    assert record is not None and record.path == str(marv_path.resolve())
    assert record.size == len(data) == made.bytes
    assert record.sha256 == hashlib.sha256(data).hexdigest()
    assert record.lines == data.count(b"\n")
    assert find_upload("other-profile", made.id) is None
    assert find_upload("old", other.id).file_id == other.id
    assert len(load_records()) == 2


async def test_a_torn_line_is_skipped_and_appends_go_on(home, sandbox, marv_path):
    uploads_path().write_bytes(b'{"profile": "old", "file_id": "file-x", "pa')
    provider = sdk_provider(sandbox.base_url, "old")
    try:
        made = await provider.upload_file(marv_path)
    finally:
        await provider.aclose()
    # the torn line ended without a newline; the next record still gets a line of its own
    assert [r.file_id for r in load_records()] == [made.id]


async def test_a_failing_record_never_breaks_the_upload(home, sandbox, marv_path, monkeypatch, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")
    monkeypatch.setenv("FTUI_DATA_DIR", str(blocker))
    provider = sdk_provider(sandbox.base_url, "old")
    try:
        made = await provider.upload_file(marv_path)
    finally:
        await provider.aclose()
    assert made.id.startswith("file-") and load_records() == []


async def test_together_upload_is_recorded(home, sandbox_factory, marv_path):
    from ftui.core.backends.together_backend import make_sandbox_provider

    together = sandbox_factory(dialect="together")
    provider = make_sandbox_provider(together.base_url)
    try:
        made = await provider.upload_file(marv_path)
    finally:
        await provider.aclose()
    record = find_upload("sandbox", made.id)
    assert record is not None and record.size == marv_path.stat().st_size
