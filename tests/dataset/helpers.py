"""Small builders for inline training files."""

from __future__ import annotations

import json
from pathlib import Path

from ftui.core.dataset.validate import Report, validate_path


def chat(user: str = "Hi?", answer: str = "Hello.", *, system: str | None = None, **top) -> dict:
    msgs = ([{"role": "system", "content": system}] if system else []) + [
        {"role": "user", "content": user}, {"role": "assistant", "content": answer}]
    return {"messages": msgs, **top}


def line(obj) -> bytes:
    return obj if isinstance(obj, bytes) else json.dumps(obj).encode()


def write(path: Path, lines: list, *, filler: int = 0, end: bytes = b"\n") -> Path:
    """Write `lines` (dicts or raw bytes) then `filler` distinct valid chat examples."""
    rows = [line(x) for x in lines] + [line(chat(f"Question {i}?", f"Answer {i}.")) for i in range(filler)]
    path.write_bytes(b"\n".join(rows) + end if rows else b"")
    return path


def found(report: Report) -> set[tuple[int, str]]:
    return {(p.line, p.code) for p in report.errors + report.warnings}


def check(tmp_path: Path, lines: list, *, filler: int = 60, **kw) -> set[tuple[int, str]]:
    """(line, code) of every problem of a file made of `lines` plus enough valid examples."""
    return found(validate_path(write(tmp_path / "t.jsonl", lines, filler=filler), **kw))
