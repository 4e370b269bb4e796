"""Reading huge and broken files: lazy index, previews, and every bad input of the reader."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time

import pytest

from ftui.core.dataset.errors import BinaryFileError, DatasetError, FileChangedError, NotAFileError, UnreadableFileError
from ftui.core.dataset.reader import DatasetReader
from ftui.core.dataset.validate import validate_path
from tests.dataset.helpers import chat, found, write

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_lines_are_readable_before_the_index_is_complete(tmp_path):
    path = write(tmp_path / "big.jsonl", [], filler=60_000)  # ~4 MB
    with DatasetReader(path, chunk_size=64 * 1024) as r:
        t = time.perf_counter()
        first = r.example(1)
        assert time.perf_counter() - t < 0.5
        assert first == chat("Question 0?", "Answer 0.")
        assert not r.complete and r.indexed_bytes <= 64 * 1024
        seen = []
        r.build_index(progress=lambda done, total: seen.append((done, total)))
        assert r.complete and r.line_count == 60_000
        assert seen[-1] == (path.stat().st_size, path.stat().st_size) and len(seen) > 10
        assert r.example(60_000) == chat("Question 59999?", "Answer 59999.")
        with pytest.raises(IndexError):
            r.line(60_001)


async def test_async_wrappers(tmp_path):
    from ftui.core.dataset.reader import aopen_reader
    path = write(tmp_path / "a.jsonl", [], filler=100)
    r = await aopen_reader(path)
    assert await r.abuild_index() == 100
    assert (await r.aline(3)).text == json.dumps(chat("Question 2?", "Answer 2."))
    assert (await r.aexample(100))["messages"][0]["content"] == "Question 99?"
    r.close()


def test_line_views_show_endings_and_previews(tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_bytes(b'{"a": 1}\r\n\n' + b'{"x": "' + b"y" * 200_000 + b'"}\n{"c": "\xff"}')
    with DatasetReader(path) as r:
        one = r.line(1)
        assert one.text == '{"a": 1}' and one.crlf and one.length == 8 and not one.truncated
        assert r.line(2).text == "" and r.line(2).length == 0
        big = r.line(3, limit=1000)
        assert big.truncated and len(big.text) == 1000 and big.length == 200_009
        bad = r.line(4)
        assert not bad.utf8_ok and "\ufffd" in bad.text
        assert r.line_count == 4
        with pytest.raises(DatasetError, match="line 4 is not valid UTF-8"):
            r.example(4)
        with pytest.raises(DatasetError, match="line 2 is not valid JSON"):
            r.example(2)


def test_one_50_mb_line(tmp_path):
    path = tmp_path / "huge.jsonl"
    content = "lorem ipsum dolor sit amet " * (50_000_000 // 27)
    path.write_text(json.dumps(chat(content)) + "\n" + "\n".join(json.dumps(chat(f"q{i}")) for i in range(60)) + "\n")
    with DatasetReader(path) as r:
        view = r.line(1)
        assert view.truncated and view.length > 50_000_000 and len(view.text) == 64 * 1024
        assert r.line(2).text == json.dumps(chat("q0"))
    report = validate_path(path)
    assert found(report) == {(1, "too_many_tokens")}
    assert report.tokens_at(1) > 5_000_000


def test_bom_file_reads_line_1_without_it(tmp_path):
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(chat()).encode() + b"\n")
    with DatasetReader(path) as r:
        assert r.has_bom and r.example(1) == chat() and r.line(1).text.startswith("{")


def test_binary_file(tmp_path):
    path = tmp_path / "model.bin"
    path.write_bytes(b"\x7fELF\x02\x01\x01\x00\x00" * 100)
    with pytest.raises(BinaryFileError, match="binary"):
        DatasetReader(path)
    with pytest.raises(BinaryFileError):
        validate_path(path)


def test_folder_and_missing_path(tmp_path):
    with pytest.raises(NotAFileError, match="is a folder"):
        DatasetReader(tmp_path)
    with pytest.raises(NotAFileError, match="is a folder"):
        validate_path(tmp_path)
    with pytest.raises(NotAFileError, match="does not exist"):
        validate_path(tmp_path / "nope.jsonl")


def test_empty_file(tmp_path):
    path = tmp_path / "empty.jsonl"
    path.write_bytes(b"")
    with DatasetReader(path) as r:
        assert r.line_count == 0
    assert found(validate_path(path)) == {(0, "too_few_examples")}


def test_no_read_permission(tmp_path):
    path = write(tmp_path / "secret.jsonl", [], filler=20)
    path.chmod(0)
    os.chmod(tmp_path, 0o755)
    # root reads anything, so the child drops to an unprivileged user (after its imports) when we are root
    code = ("import os, sys\nfrom ftui.core.dataset.errors import UnreadableFileError\n"
            "from ftui.core.dataset.validate import "
            "validate_path\nif os.geteuid() == 0:\n    os.setgid(65534); os.setuid(65534)\ntry:\n"
            "    validate_path(sys.argv[1])\nexcept UnreadableFileError as e:\n    print(e.message); sys.exit(7)\n")
    proc = subprocess.run([sys.executable, "-c", code, str(path)], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 7, proc.stderr
    assert "no permission to read" in proc.stdout
    if os.geteuid() != 0:
        with pytest.raises(UnreadableFileError):
            DatasetReader(path)


def test_file_changed_on_disk_while_open(tmp_path):
    path = write(tmp_path / "t.jsonl", [], filler=20)
    with DatasetReader(path) as r:
        assert r.example(1)
        with open(path, "ab") as fh:
            fh.write(json.dumps(chat("new")).encode() + b"\n")
        assert "size changed" in r.changed()
        with pytest.raises(FileChangedError, match="changed on disk"):
            r.example(2)
    with DatasetReader(path) as r:
        os.replace(write(tmp_path / "other.jsonl", [], filler=3), path)
        assert "replaced" in r.changed()
        path.unlink()
        assert "deleted" in r.changed()


def test_file_changed_during_validation(tmp_path):
    from ftui.core.dataset.validate import iter_validate
    path = write(tmp_path / "t.jsonl", [], filler=30_000)  # > 1 MiB: a progress event comes before the end
    events = iter_validate(path, chunk_size=4096)
    assert next(events).bytes_done < path.stat().st_size
    with open(path, "ab") as fh:
        fh.write(b"\n")
    report = list(events)[-1]
    assert (0, "file_changed") in found(report)


def test_bom_crlf_blank_truncated_utf8_in_one_file(tmp_path):
    path = tmp_path / "t.jsonl"
    rows = [json.dumps(chat(f"q{i}")).encode() for i in range(60)]
    path.write_bytes(b"\xef\xbb\xbf" + rows[0] + b"\r\n" + b"\n".join(rows[1:30]) + b"\n\n" + rows[30] + b"\n"
                     + b'{"messages": "\xe9"}\n' + b"\n".join(rows[31:]) + b'\n{"messages": [')
    assert found(validate_path(path)) == {(1, "bom"), (1, "crlf_line_endings"), (31, "blank_line"),
                                          (33, "invalid_utf8"), (63, "truncated_line")}


def test_reading_does_not_leave_files_open(tmp_path):
    path = write(tmp_path / "t.jsonl", [], filler=20)
    before = len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else 0
    for _ in range(20):
        validate_path(path)
        with DatasetReader(path) as r:
            r.example(2)
    if before:
        assert len(os.listdir("/proc/self/fd")) <= before + 2


def test_async_validation_streams_events(tmp_path):
    from ftui.core.dataset.validate import Problem, Report, ValidationProgress, aiter_validate, avalidate_path
    path = write(tmp_path / "t.jsonl", [b"{"], filler=3000)

    async def go():
        kinds = []
        async for ev in aiter_validate(path, chunk_size=8192):
            kinds.append(type(ev))
        stopped = []
        async for ev in aiter_validate(path):
            stopped.append(ev)
            break  # stopping early must not hang
        return kinds, stopped, await avalidate_path(path)

    kinds, stopped, report = asyncio.run(go())
    assert kinds[0] is Problem and kinds[-1] is Report and ValidationProgress in kinds
    assert len(stopped) == 1 and found(report) == {(1, "invalid_json")}


def test_worker_processes_give_the_same_report(tmp_path):
    lines = [chat(f"q{i % 700}?", f"a{i % 900}.", system="Be Marv.") for i in range(3000)] + [b"{", b"{\"messages\": ["]
    path = write(tmp_path / "t.jsonl", lines, filler=0, end=b"")
    serial = validate_path(path, workers=0)
    from ftui.core.dataset.validate import iter_validate
    parallel = list(iter_validate(path, workers=2, chunk_size=16 * 1024))[-1]
    assert found(parallel) == found(serial) and found(serial) >= {(3001, "invalid_json"), (3002, "truncated_line")}
    assert list(parallel.example_tokens) == list(serial.example_tokens)
    assert list(parallel.example_lines) == list(serial.example_lines)
    assert parallel.counts == serial.counts and parallel.lines == serial.lines == 3002


def test_a_pipe_is_refused_without_blocking(tmp_path):
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    with pytest.raises(NotAFileError, match="not a regular file"):
        validate_path(fifo)


def test_a_line_too_long_to_load_is_skipped_and_reported(tmp_path, monkeypatch):
    from ftui.core.dataset import validate
    monkeypatch.setattr(validate, "MAX_LINE_BYTES", 100_000)
    path = tmp_path / "t.jsonl"
    rows = [json.dumps(chat(f"q{i}")).encode() for i in range(60)]
    path.write_bytes(b"\n".join(rows[:2]) + b'\n{"messages": "' + b"z" * 500_000 + b'"}\n' + b"\n".join(rows[2:])
                     + b'\n"' + b"y" * 300_000)
    from ftui.core.dataset.validate import iter_validate
    report = list(iter_validate(path, workers=0, chunk_size=16 * 1024))[-1]
    assert found(report) == {(3, "line_too_long"), (62, "line_too_long")}
    assert report.lines == 62 and report.examples == 60
    with DatasetReader(path) as r:
        with pytest.raises(DatasetError, match="too long to open"):
            r.example(3, max_bytes=100_000)
        assert r.example(4) == chat("q2")


def test_first_example_of_a_1_gb_file_in_under_a_second(tmp_path):
    path = tmp_path / "huge.jsonl"
    head = b"".join(json.dumps(chat(f"q{i}", "x" * 50)).encode() + b"\n" for i in range(2000))  # > 64 KiB
    with open(path, "wb") as fh:  # sparse: the gigabyte costs no disk and no time to make
        fh.write(head)
        fh.seek(1_000_000_000)
        fh.write(b"\n")
    t = time.perf_counter()
    with DatasetReader(path) as r:
        assert r.example(1) == chat("q0", "x" * 50)
        assert r.line(2000).text == json.dumps(chat("q1999", "x" * 50))
        assert time.perf_counter() - t < 1.0
        assert r.size > 1_000_000_000 and r.indexed_bytes <= 1 << 20 and not r.complete


def test_a_closed_reader_lets_go_of_its_index(tmp_path):
    """Reopening a big file many times must not grow memory, even where old readers are still
    referred to (finished workers, views): closing frees the index."""
    import tracemalloc

    from ftui.core.dataset.reader import DatasetReader

    path = tmp_path / "many.jsonl"
    path.write_bytes(b'{"a": 1}\n' * 200_000)  # an index of 1.6 MB
    kept = []
    tracemalloc.start()
    try:
        for _ in range(5):
            reader = DatasetReader(path)
            assert reader.line_count == 200_000
            reader.close()
            kept.append(reader)
        used, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert used < 1 << 20, f"{used / 2**20:.1f} MiB still held by closed readers"
