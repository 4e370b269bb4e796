"""Prompts taken from a chat dataset: the conversation up to the last assistant reply, and that
reply as the expected answer (held-out or validation files above all)."""

from __future__ import annotations

import asyncio
import json
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ftui.core.errors import CoreError


@dataclass(frozen=True)
class PromptExample:
    line: int  # 1-based line in the file
    messages: list[dict[str, Any]] = field(default_factory=list)  # what is sent (no final reply)
    expected: str | None = None  # the file's assistant reply, if the example had one
    source: str = ""

    @property
    def system(self) -> str:
        return next((_text(m) for m in self.messages if m.get("role") in ("system", "developer")), "")

    @property
    def user(self) -> str:
        return next((_text(m) for m in reversed(self.messages) if m.get("role") == "user"), "")

    @property
    def label(self) -> str:
        return f"{self.source}:{self.line}"


def _text(message: dict[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content parts: keep the text ones
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return ""


def split_example(obj: Any, line: int, source: str) -> PromptExample | None:
    """The prompt part and expected answer of one training line; None if it has no user turn."""
    messages = obj.get("messages") if isinstance(obj, dict) else None
    if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
        return None
    expected = None
    if messages and messages[-1].get("role") == "assistant":
        expected = _text(messages[-1])
        messages = messages[:-1]
    prompt = [{"role": m.get("role"), "content": _text(m)} for m in messages]
    if not any(m["role"] == "user" for m in prompt):
        return None
    return PromptExample(line=line, messages=prompt, expected=expected, source=source)


def read_prompts_sync(path: Path) -> tuple[list[PromptExample], list[str]]:
    """Every usable example, plus one line per skipped line saying why."""
    path = Path(path).expanduser()
    examples: list[PromptExample] = []
    skipped: list[str] = []
    try:
        with path.open(encoding="utf-8") as fh:
            for number, raw in enumerate(fh, start=1):
                if not raw.strip():
                    continue
                try:
                    obj = json.loads(raw)
                except json.JSONDecodeError as exc:
                    skipped.append(f"line {number}: not valid JSON ({exc.msg})")
                    continue
                example = split_example(obj, number, path.name)
                if example is None:
                    skipped.append(f"line {number}: no messages with a user turn")
                else:
                    examples.append(example)
    except FileNotFoundError:
        raise CoreError(f"{path}: no such file", kind="input",
                        hint="pick a held-out or validation JSONL file") from None
    except IsADirectoryError:
        raise CoreError(f"{path} is a folder, not a JSONL file", kind="input") from None
    except UnicodeDecodeError:
        raise CoreError(f"{path} is not UTF-8 text", kind="input") from None
    except OSError as exc:
        raise CoreError(f"cannot read {path}: {exc.strerror or exc}", kind="io") from None
    return examples, skipped


async def read_prompts(path: Path) -> tuple[list[PromptExample], list[str]]:
    return await asyncio.to_thread(read_prompts_sync, Path(path))


def sample(examples: list[PromptExample], n: int | None, seed: int = 0) -> list[PromptExample]:
    """A seeded sample of n examples, kept in file order; all of them when n is None or larger."""
    if n is None or n >= len(examples):
        return list(examples)
    chosen = random.Random(seed).sample(range(len(examples)), n)
    return [examples[i] for i in sorted(chosen)]
