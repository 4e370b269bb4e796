"""A launch from a local path reuses the identical file already on the account (same size and
sha256, recorded at its upload and still there) instead of uploading it again."""

from __future__ import annotations

import shutil

from ftui.core.uploads_record import reusable_upload
from tests.migrate.conftest import sdk_provider


async def test_an_identical_uploaded_file_is_reused(home, sandbox, marv_path, tmp_path):
    copy = tmp_path / "copy-elsewhere.jsonl"
    shutil.copyfile(marv_path, copy)
    provider = sdk_provider(sandbox.base_url, "old")
    try:
        assert await reusable_upload(provider, copy) is None  # nothing uploaded yet
        made = await provider.upload_file(marv_path)
        assert await reusable_upload(provider, copy) == made.id  # same bytes, another path
        changed = tmp_path / "changed.jsonl"
        changed.write_bytes(marv_path.read_bytes().replace(b"Marv", b"Mavr", 1))  # same size, other hash
        assert await reusable_upload(provider, changed) is None
        other = sdk_provider(sandbox.base_url, "another-profile")
        try:
            assert await reusable_upload(other, copy) is None  # another account's upload is not ours
        finally:
            await other.aclose()
        await provider.delete_file(made.id)
        assert await reusable_upload(provider, copy) is None  # gone from the account: upload again
    finally:
        await provider.aclose()
