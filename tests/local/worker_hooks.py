"""Faults in the real training processes: a sitecustomize module on their PYTHONPATH runs in every Python
process the engine starts from now on (not in this one, already running), so a test can make a rank abort
or run out of memory without touching ftui's code."""

from __future__ import annotations

import os
from pathlib import Path


def hook_workers(folder: Path, monkeypatch, code: str) -> str:
    """Run `code` at the start of every Python process started after this; returns the PYTHONPATH before."""
    before = os.environ.get("PYTHONPATH", "")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sitecustomize.py").write_text(code, encoding="utf-8")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(p for p in (str(folder), before) if p))
    return before
