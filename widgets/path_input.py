"""Path picking pieces: an Input suggester that completes file paths, and a folder tree that shows
only folders and .jsonl files."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterable
from pathlib import Path

from textual.suggester import Suggester
from textual.widgets import DirectoryTree

DATASET_SUFFIXES = (".jsonl",)


def complete_path(value: str, suffixes: tuple[str, ...] | None = DATASET_SUFFIXES) -> str | None:
    """The first folder or file (of `suffixes`; None: any) whose path starts with `value`
    (typed text kept as typed).

    Folders complete with a trailing separator so the next Tab/→ goes on into them. Hidden entries
    are offered only when the typed name starts with a dot.
    """
    if not value:
        return None
    expanded = os.path.expanduser(value)
    folder, _, stem = expanded.rpartition(os.sep)
    if not _:
        folder, stem = ".", expanded
    folder = folder or os.sep
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return None
    for name in names:
        if not name.startswith(stem) or name == stem and not stem:
            continue
        if name.startswith(".") and not stem.startswith("."):
            continue
        full = os.path.join(folder, name)
        is_dir = os.path.isdir(full)
        if not is_dir and suffixes is not None and not name.endswith(suffixes):
            continue
        if name == stem and not is_dir:
            continue
        return value + name[len(stem):] + (os.sep if is_dir else "")
    return None


class PathSuggester(Suggester):
    """Suggests the rest of a path (folders, and files ending in `suffixes`: .jsonl by default,
    None for any file); → accepts the suggestion."""

    def __init__(self, suffixes: tuple[str, ...] | None = DATASET_SUFFIXES) -> None:
        # No cache: the file system changes under us; case-sensitive because paths are.
        super().__init__(use_cache=False, case_sensitive=True)
        self.suffixes = suffixes

    async def get_suggestion(self, value: str) -> str | None:
        # Listing a folder can be slow (network drives), so it never runs on the UI loop.
        return await asyncio.to_thread(complete_path, value, self.suffixes)


class DatasetTree(DirectoryTree):
    """A DirectoryTree showing folders and .jsonl files only (hidden entries left out)."""
    AREA = "folder tree"  # how `?` names it

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        out = []
        for path in paths:
            if path.name.startswith("."):
                continue
            try:
                if path.is_dir() or path.suffix.lower() in DATASET_SUFFIXES:
                    out.append(path)
            except OSError:
                continue
        return out
