"""Undo records stay out of git: the first write makes `.ftui-backups/` with a `.gitignore` of its own, so
a dataset kept in a repository shows as changed and its backups never show (checked with git itself)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from ftui.core.dataset.writer import BACKUP_DIR, append_example, edit_line
from tests.dataset.helpers import chat, write

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def git(folder, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=folder, check=True, capture_output=True, text=True).stdout


def test_a_dataset_in_git_shows_changed_and_its_backups_do_not(tmp_path):
    path = write(tmp_path / "train.jsonl", [chat("a"), chat("b")])
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "train.jsonl")
    git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "data")
    append_example(path, chat("c"))
    edit_line(path, 1, chat("A"))
    assert any((tmp_path / BACKUP_DIR).iterdir())  # undo records were written
    status = git(tmp_path, "status", "--porcelain", "--untracked-files=all")
    assert status.splitlines() == [" M train.jsonl"]


def test_an_existing_gitignore_in_the_backup_folder_is_left_as_it_is(tmp_path):
    path = write(tmp_path / "train.jsonl", [chat("a")])
    (tmp_path / BACKUP_DIR).mkdir()
    (tmp_path / BACKUP_DIR / ".gitignore").write_text("*.bak\n")
    append_example(path, chat("b"))
    assert (tmp_path / BACKUP_DIR / ".gitignore").read_text() == "*.bak\n"
