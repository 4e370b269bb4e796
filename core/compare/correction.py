"""Iterate: a corrected answer becomes a new training example appended to a dataset.

Appending goes through the dataset core's atomic writer (validated first, backed up, undoable).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ftui.core.errors import CoreError


def build_example(messages: list[dict[str, Any]], answer: str) -> dict[str, Any]:
    """The conversation as sent (system, earlier turns, user) plus the corrected reply."""
    kept = [{"role": m["role"], "content": m.get("content", "")} for m in messages
            if m.get("role") in ("system", "developer", "user", "assistant")]
    return {"messages": [*kept, {"role": "assistant", "content": answer}]}


@dataclass
class AppendOutcome:
    ok: bool
    path: str
    line: int = 0  # the line the example now is, when it was written
    backup: str | None = None
    message: str = ""  # what went wrong, in one line
    problems: list[str] = field(default_factory=list)  # each: "where: what to change"


async def append_correction(path: Path | str | None, example: dict[str, Any]) -> AppendOutcome:
    """Validate and append; never raises for bad input: the outcome says what is wrong."""
    from ftui.core.dataset.errors import WriteRefusedError
    from ftui.core.dataset.writer import aappend_example

    if not path or not str(path).strip():
        return AppendOutcome(False, "", message="choose the dataset file to append to")
    target = Path(str(path).strip()).expanduser()
    if target.suffix.lower() != ".jsonl":
        return AppendOutcome(False, str(target), message=f"{target.name} is not a .jsonl file")
    try:
        result = await aappend_example(target, example)
    except WriteRefusedError as exc:
        problems = [f"{_where(p)}{p.message}" for p in (exc.problems or [])]
        return AppendOutcome(False, str(target), message=exc.summary(), problems=problems)
    except CoreError as exc:
        return AppendOutcome(False, str(target), message=exc.summary())
    return AppendOutcome(True, result.path, line=result.line, backup=result.backup,
                         message=f"appended as line {result.line} of {target.name}")


def _where(problem: Any) -> str:
    code = getattr(problem, "code", "")
    return f"[{code}] " if code else ""


SYSTEM_LOOKAHEAD = 50  # examples read to find the dataset's system prompt: the head, never the whole file


def dataset_system_prompt(path: Path | str | None) -> tuple[str, int] | None:
    """The system prompt the dataset's examples use, with the line of the first that has it: the
    most common one among its first examples. None when there is no readable file or no system
    prompt. Reads only the head of the file (a 1 GB dataset costs its first lines)."""
    import json
    from collections import Counter

    if not path or not str(path).strip():
        return None
    seen: Counter[str] = Counter()
    first_line: dict[str, int] = {}
    try:
        with Path(str(path).strip()).expanduser().open("rb") as f:
            for number, raw in enumerate(f, start=1):
                if number > SYSTEM_LOOKAHEAD:
                    break
                try:
                    messages = json.loads(raw).get("messages") or []
                except (ValueError, AttributeError):
                    continue  # a broken line says nothing about the system prompt
                system = next((m.get("content") for m in messages if isinstance(m, dict)
                               and m.get("role") in ("system", "developer")), None)
                if isinstance(system, str) and system.strip():
                    seen[system] += 1
                    first_line.setdefault(system, number)
    except OSError:
        return None
    if not seen:
        return None
    system = seen.most_common(1)[0][0]
    return system, first_line[system]
