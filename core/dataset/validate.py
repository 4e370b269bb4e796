"""Validation of training files, line by line, the way OpenAI checks them.

STUB: the first cut the sandbox needs; the dataset work replaces it, keeping these names.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal


@dataclass(frozen=True)
class Problem:
    line: int  # 1-based; 0 for problems of the whole file
    code: str
    message: str
    severity: Literal["error", "warning"] = "error"


@dataclass
class Report:
    path: str
    format: str = "chat"  # chat | preference | reinforcement | unknown
    examples: int = 0
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    example_tokens: list[int] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def total_tokens(self) -> int:
        return sum(self.example_tokens)


def validate_path(path: Path | str, *, model: str | None = None,
                  progress: Callable[[int, int], None] | None = None) -> Report:
    path = Path(path)
    report = Report(path=str(path))
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, start=1):
            try:
                obj = json.loads(raw)
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                report.errors.append(Problem(number, "invalid_json", f"line is not valid JSON: {exc}"))
                continue
            messages = obj.get("messages") if isinstance(obj, dict) else None
            if not isinstance(messages, list):
                report.errors.append(Problem(number, "missing_messages_list", "add a \"messages\" list"))
                continue
            report.examples += 1
            report.example_tokens.append(sum(len(str(m.get("content", ""))) // 4 + 4 for m in messages if isinstance(m, dict)))
    if report.examples < 10:
        report.errors.append(Problem(0, "too_few_examples", f"{report.examples} examples; OpenAI needs at least 10"))
    return report
