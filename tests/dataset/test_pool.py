"""The validator's worker processes: they start inside a Textual app, and when they cannot start at
all, one process does the work and says so. Each case runs in a fresh interpreter, because
multiprocessing keeps its resource tracker (the part that broke) per process."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ftui.core.dataset.validate import (
    ValidationNote,
    ValidationProgress,
    iter_validate,
    validate_path,
)
from tests.dataset.helpers import chat

ROOT = Path(__file__).resolve().parents[2]

# Validates argv[1] with two workers in small batches and prints what came out, as JSON.
VALIDATE = """
import json, sys
from ftui.core.dataset.validate import Report, ValidationNote, ValidationProgress, iter_validate

def validate():
    out = {"notes": [], "progress": []}
    for ev in iter_validate(sys.argv[1], workers=2, chunk_size=32 * 1024):
        if isinstance(ev, ValidationNote):
            out["notes"].append(ev.message)
        elif isinstance(ev, ValidationProgress):
            out["progress"].append(ev.bytes_done)
        elif isinstance(ev, Report):
            out.update(tokens=ev.total_tokens, examples=ev.examples, report_notes=ev.notes,
                       problems=[(p.line, p.code) for p in ev.problems])
    return out
"""


def run_child(body: str, path: Path) -> dict:
    code = VALIDATE + textwrap.dedent(body)
    proc = subprocess.run([sys.executable, "-c", code, str(path)], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def make_file(path: Path, n: int = 3000) -> Path:
    rows = [chat(f"Question number {i}: what is {i} times {i}?", f"It is {i * i}.",
                 system="You are a patient arithmetic tutor.") for i in range(n)]
    rows[7] = rows[3]  # a duplicate, so merging across batches is checked too
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def serial(path: Path) -> dict:
    r = validate_path(path, workers=0)
    return {"tokens": r.total_tokens, "examples": r.examples, "problems": [[p.line, p.code] for p in r.problems]}


def assert_same_as_serial(got: dict, path: Path) -> None:
    want = serial(path)
    assert {k: got[k] for k in want} == want
    assert len(got["progress"]) > 3 and got["progress"] == sorted(got["progress"])
    assert got["progress"][-1] == path.stat().st_size


def test_pool_starts_inside_a_textual_app(tmp_path):
    # Textual swaps sys.stderr for a capture whose fileno() is -1; the first pool used to fail there
    # with "ValueError: bad value(s) in fds_to_keep" from multiprocessing's resource tracker.
    path = make_file(tmp_path / "data.jsonl")
    got = run_child("""
        import asyncio, threading
        from textual.app import App

        async def main():
            result = {}
            async with App().run_test():
                assert sys.stderr.fileno() == -1  # the app's capture is in place
                worker = threading.Thread(target=lambda: result.update(validate()))
                worker.start()
                while worker.is_alive():
                    await asyncio.sleep(0.05)
            return result

        print(json.dumps(asyncio.run(main())))
    """, path)
    assert got["notes"] == [] and got["report_notes"] == []
    assert_same_as_serial(got, path)


def test_falls_back_to_one_process_when_processes_cannot_start(tmp_path):
    # A real failure: the interpreter that multiprocessing starts does not exist.
    path = make_file(tmp_path / "data.jsonl")
    got = run_child("""
        import multiprocessing
        multiprocessing.set_executable("/nonexistent/python3")
        print(json.dumps(validate()))
    """, path)
    assert len(got["notes"]) == 1 and got["notes"] == got["report_notes"]
    assert "could not start" in got["notes"][0] and "one process" in got["notes"][0]
    assert_same_as_serial(got, path)


def test_checks_in_one_process_when_no_worker_starts(tmp_path):
    # The pool itself is made (its tracker is running) but no worker can start: the batches already
    # handed to it are checked here instead, none lost or counted twice.
    path = make_file(tmp_path / "data.jsonl")
    got = run_child("""
        import multiprocessing
        from multiprocessing import resource_tracker
        resource_tracker.ensure_running()
        multiprocessing.set_executable("/nonexistent/python3")
        print(json.dumps(validate()))
    """, path)
    assert len(got["notes"]) == 1 and "worker processes" in got["notes"][0] and "one process" in got["notes"][0]
    assert_same_as_serial(got, path)


def test_finishes_in_one_process_when_a_worker_is_killed(tmp_path):
    import multiprocessing
    import os
    import signal

    path = make_file(tmp_path / "data.jsonl", n=20_000)
    events, killed = [], False
    for ev in iter_validate(path, workers=2, chunk_size=16 * 1024):
        events.append(ev)
        if isinstance(ev, ValidationProgress) and not killed:
            for child in multiprocessing.active_children():  # the pool's workers
                os.kill(child.pid, signal.SIGKILL)
            killed = True
    notes = [e.message for e in events if isinstance(e, ValidationNote)]
    assert len(notes) == 1 and "stopped working" in notes[0] and "one process" in notes[0]
    got = {"tokens": events[-1].total_tokens, "examples": events[-1].examples,
           "problems": [[p.line, p.code] for p in events[-1].problems],
           "progress": [e.bytes_done for e in events if isinstance(e, ValidationProgress)]}
    assert_same_as_serial(got, path)


@pytest.mark.slow  # about 15 s on two busy cores
def test_file_over_the_real_threshold_validates_in_worker_processes(tmp_path):
    from ftui.core.dataset.validate import PARALLEL_MIN_BYTES

    path = tmp_path / "big.jsonl"
    answer = "The capital is Paris, which sits on the Seine and holds about two million people. " * 8
    with path.open("wb") as out:
        block, i = [], 0
        while out.tell() < PARALLEL_MIN_BYTES + (1 << 20):
            row = chat(f"Question {i}: which city is the capital of France?", f"{answer}({i})",
                       system="You are a geography tutor.")
            block.append(json.dumps(row).encode() + b"\n")
            i += 1
            if len(block) == 4096:
                out.write(b"".join(block))
                block = []
        out.write(b"".join(block))
    steps: list[int] = []
    report = validate_path(path, workers=2, progress=lambda done, total: steps.append(done))
    assert report.notes == [] and report.valid, report.summary()
    assert report.examples == report.lines > 60_000
    assert len(steps) > 20 and steps == sorted(steps) and steps[-1] == path.stat().st_size
    assert report.total_tokens > 0 and report.counts == {}
