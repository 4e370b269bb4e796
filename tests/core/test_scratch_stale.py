"""A local copy of an account file left behind by an ftui that was killed (the terminal closed
instead of quitting) is removed at the next start; a running ftui's copies are left alone."""

from __future__ import annotations

import subprocess
import sys
import tempfile

from ftui.core.scratch import OWNER, clean_stale_copies, download_path


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_copies_of_a_gone_ftui_are_removed_and_ours_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    ours = download_path("file-1", "train.jsonl")
    ours.write_text("{}\n")
    left = download_path("file-2", "big.jsonl")
    left.write_text("{}\n" * 1000)
    (left.parent / OWNER).write_text(str(dead_pid()))
    unrelated = tmp_path / "someone-else"
    unrelated.mkdir()
    assert clean_stale_copies() == 1
    assert not left.parent.exists()
    assert ours.exists() and unrelated.exists()
