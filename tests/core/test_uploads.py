"""Uploading: Files API below the threshold, Uploads API in parts above it, cancel cleans up."""

from __future__ import annotations

import asyncio
import hashlib
import tracemalloc

import pytest

from ftui.core.errors import CoreError

PART = 16 * 1024


def _uploads(sandbox_handle) -> list[dict]:
    return sandbox_handle.ctx.store.find("uploads")


async def test_small_file_goes_through_the_files_api(make_sdk_provider, sandbox_handle, jsonl):
    p = make_sdk_provider(upload_threshold=100_000, part_size=PART)
    path = jsonl(50_000)
    made = await p.upload_file(path)
    assert made.bytes == path.stat().st_size
    assert _uploads(sandbox_handle) == []  # no Upload object was used
    assert await p.file_content(made.id) == path.read_bytes()


async def test_large_file_goes_through_the_uploads_api_in_parts(make_sdk_provider, sandbox_handle,
                                                                 jsonl):
    p = make_sdk_provider(upload_threshold=10_000, part_size=PART, part_concurrency=3)
    path = jsonl(200_000)  # 13 parts
    seen = []
    made = await p.upload_file(path, purpose="fine-tune", progress=seen.append)
    size = path.stat().st_size
    assert made.bytes == size and made.filename == path.name and made.purpose == "fine-tune"
    [upload] = _uploads(sandbox_handle)
    # the sandbox checks the md5 sent on complete against the bytes it joined
    assert upload["status"] == "completed"
    assert await p.file_content(made.id) == path.read_bytes()
    assert hashlib.md5(await p.file_content(made.id)).hexdigest() == hashlib.md5(path.read_bytes()).hexdigest()
    assert seen[0].done == 0 and seen[-1].done == seen[-1].total == size


async def test_parts_go_out_concurrently(make_sdk_provider, sandbox_handle, jsonl):
    sandbox_handle.set_faults("latency=100")  # every request takes 100 ms
    p = make_sdk_provider(upload_threshold=10_000, part_size=PART, part_concurrency=3)
    path = jsonl(PART * 9 - 200)  # 9 parts, 3 at once: create + 3 rounds + complete ~ 0.5 s
    start = asyncio.get_running_loop().time()
    await p.upload_file(path)
    elapsed = asyncio.get_running_loop().time() - start
    # one part at a time would take create + 9 parts + complete >= 1.1 s
    assert elapsed < 0.85, elapsed


@pytest.mark.parametrize("threshold", [10_000, 100 * 1024 * 1024], ids=["uploads-api", "files-api"])
async def test_the_file_is_never_read_whole(make_sdk_provider, jsonl, threshold):
    p = make_sdk_provider(upload_threshold=threshold, part_size=256 * 1024, part_concurrency=2)
    path = jsonl(8 * 1024 * 1024)
    tracemalloc.start()
    try:
        await p.upload_file(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Files API: streamed in 64 KiB reads; Uploads API: at most `concurrency` parts plus the
    # one being read. Either way far below the 8 MB file (the sandbox in this process
    # streams what it receives to disk).
    assert peak < 4 * 1024 * 1024, peak


async def test_cancel_event_cancels_the_upload_on_the_server(make_sdk_provider, sandbox_handle, jsonl):
    sandbox_handle.set_faults("latency=30")
    p = make_sdk_provider(upload_threshold=10_000, part_size=PART, part_concurrency=2)
    path = jsonl(PART * 20)
    cancel = asyncio.Event()

    def progress(t):
        if t.done > PART:
            cancel.set()  # the user presses escape once some parts are out

    with pytest.raises(CoreError) as info:
        await p.upload_file(path, progress=progress, cancel=cancel)
    assert info.value.kind == "cancelled"
    [upload] = _uploads(sandbox_handle)
    assert upload["status"] == "cancelled"
    assert (await p.list_files()).items == []


async def test_cancel_event_stops_a_files_api_upload(make_sdk_provider, sandbox_handle, jsonl):
    sandbox_handle.set_faults("latency=300")
    p = make_sdk_provider()
    cancel = asyncio.Event()
    cancel.set()
    with pytest.raises(CoreError) as info:
        await p.upload_file(jsonl(10_000), cancel=cancel)
    assert info.value.kind == "cancelled"
    await asyncio.sleep(0.5)  # had the request gone through, the file would exist by now
    sandbox_handle.set_faults(None)
    assert (await p.list_files()).items == []


async def test_cancelled_task_cancels_the_upload_on_the_server(make_sdk_provider, sandbox_handle, jsonl):
    sandbox_handle.set_faults("latency=30")
    p = make_sdk_provider(upload_threshold=10_000, part_size=PART, part_concurrency=2)
    started = asyncio.Event()

    def progress(t):
        if t.done > 0:
            started.set()

    task = asyncio.create_task(p.upload_file(jsonl(PART * 20), progress=progress))
    await asyncio.wait_for(started.wait(), 10)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    [upload] = _uploads(sandbox_handle)
    assert upload["status"] == "cancelled"


async def test_failing_part_cancels_the_upload_and_says_why(make_sdk_provider, sandbox_handle, jsonl):
    sandbox_handle.set_faults("drop_upload=1.0")  # every part's connection drops mid-body
    p = make_sdk_provider(upload_threshold=10_000, part_size=PART, max_retries=1)
    with pytest.raises(CoreError) as info:
        await p.upload_file(jsonl(PART * 4))
    assert info.value.kind == "connection" and "network" in info.value.hint
    [upload] = _uploads(sandbox_handle)
    assert upload["status"] == "cancelled"


async def test_missing_file_is_an_input_error(provider, tmp_path):
    with pytest.raises(CoreError) as info:
        await provider.upload_file(tmp_path / "nope.jsonl")
    assert info.value.kind == "input" and "nope.jsonl" in info.value.message


async def test_parts_stream_from_disk_never_held_in_memory(make_sdk_provider, sandbox_handle,
                                                            tmp_path):
    """64 MB in parts of 16 MB, 3 at once: holding the parts in memory would take 48 MB."""
    mb = 1024 * 1024
    path = tmp_path / "big.jsonl"
    line = b'{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Yo"}]}\n'
    block = line * (mb // len(line))
    with open(path, "wb") as f:
        for _ in range(64):
            f.write(block)
    size = path.stat().st_size
    p = make_sdk_provider(upload_threshold=mb, part_size=16 * mb, part_concurrency=3)
    seen = []
    tracemalloc.start()
    try:
        baseline, _ = tracemalloc.get_traced_memory()
        made = await p.upload_file(path, progress=seen.append)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # (the sandbox in this process streams what it receives to disk, so it adds little)
    assert peak - baseline < 24 * mb, f"peak {(peak - baseline) / mb:.1f} MB over baseline"
    assert made.bytes == size
    [upload] = _uploads(sandbox_handle)
    assert upload["status"] == "completed"  # the sandbox checked the md5 against the bytes
    assert seen[-1].done == seen[-1].total == size
    assert len(seen) > 64  # progress comes in small steps as each part is read


async def test_parts_dropped_mid_body_are_resent_whole(make_sdk_provider, sandbox_handle, jsonl):
    """The SDK retries a part whose connection dropped; the part view rewinds to its start,
    so the joined file is exact and progress falls back, then reaches the end."""
    sandbox_handle.set_faults("drop_upload=0.4,seed=3")
    p = make_sdk_provider(upload_threshold=10_000, part_size=PART, part_concurrency=3,
                          max_retries=8)
    path = jsonl(PART * 10 - 300)
    seen = []
    made = await p.upload_file(path, progress=seen.append)
    sandbox_handle.set_faults(None)
    assert await p.file_content(made.id) == path.read_bytes()
    done = [t.done for t in seen]
    assert any(b < a for a, b in zip(done, done[1:])), "no part was retried"
    assert done[-1] == path.stat().st_size
