"""Prompts taken from a chat dataset: the conversation up to the last assistant reply, and that
reply as the expected answer (held-out or validation files above all).

A file is indexed by line offset and only the lines shown or drawn are parsed (PromptSource), so
memory stays bounded by the index (8 bytes a line) however big the file is."""

from __future__ import annotations

import asyncio
import json
import random
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ftui.core.dataset.reader import BOM, DatasetReader
from ftui.core.errors import CoreError

Progress = Callable[[int, int], None]  # (bytes indexed, bytes in the file)
MAX_PROMPT_BYTES = 16 << 20  # a longer line is skipped rather than loaded as a prompt


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


def _parse(raw: bytes, number: int, source: str) -> PromptExample | str:
    """One line as a prompt, or why it is skipped (a short reason starting with "line N")."""
    if number == 1 and raw.startswith(BOM):
        raw = raw[len(BOM):]
    if not raw.strip():
        return ""  # blank lines are skipped silently
    try:
        obj = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return f"line {number}: not UTF-8 text"
    except json.JSONDecodeError as exc:
        return f"line {number}: not valid JSON ({exc.msg})"
    except RecursionError:
        return f"line {number}: JSON nested too deeply"
    example = split_example(obj, number, source)
    return example if example is not None else f"line {number}: no messages with a user turn"


class PromptSource:
    """A dataset opened for prompts without reading it into memory: the lines are indexed by
    offset (8 bytes a line) and only the lines asked for are parsed, so a 1 GB file costs its
    index, not its examples. Sync methods are for worker threads. Close it when done."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path).expanduser()
        if not self.path.exists():
            raise CoreError(f"{self.path}: no such file", kind="input",
                            hint="pick a held-out or validation JSONL file")
        self.reader = DatasetReader(self.path)  # its DatasetErrors are CoreErrors saying why
        self.source = self.path.name

    def close(self) -> None:
        self.reader.close()

    def __enter__(self) -> PromptSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def index(self, progress: Progress | None = None, cancel: threading.Event | None = None) -> int:
        """Index every line (progress in bytes); the line count, or as far as it got if cancelled."""
        return self.reader.build_index(progress, cancel)

    @property
    def lines(self) -> int:
        return self.reader.lines_known

    def at(self, number: int) -> PromptExample | str:
        """Line `number` as a prompt, or why it cannot be one ("" for a blank line)."""
        try:
            raw = self.reader.read_line(number, max_bytes=MAX_PROMPT_BYTES + 1)
        except IndexError:
            return f"line {number}: past the end of the file"
        if len(raw) > MAX_PROMPT_BYTES:
            return f"line {number}: over {MAX_PROMPT_BYTES >> 20} MiB, too long for a prompt"
        return _parse(raw, number, self.source)

    def page(self, first: int, count: int) -> tuple[list[PromptExample], list[str], int]:
        """Up to `count` prompts from line `first` on: (prompts, skipped, the next line to read)."""
        found: list[PromptExample] = []
        skipped: list[str] = []
        number = first
        while len(found) < count and self.reader.has_line(number):  # indexes only this far
            got = self.at(number)
            if isinstance(got, PromptExample):
                found.append(got)
            elif got:
                skipped.append(got)
            number += 1
        return found, skipped, number

    def sample(self, n: int | None, seed: int = 0,
               cancel: threading.Event | None = None) -> tuple[list[PromptExample], list[str]]:
        """A seeded sample of n prompts in file order, reading only the lines drawn (a drawn line
        that is no prompt is replaced by another draw); every prompt when n is None."""
        total = self.reader.line_count
        if n is None or n >= total:
            every, unread, _ = self.page(1, total)
            return every, unread
        rng = random.Random(seed)
        tried: set[int] = set()  # bounded by n plus the drawn lines that were no prompt

        def draws() -> Iterator[int]:
            yield from rng.sample(range(1, total + 1), n)
            while len(tried) < total // 2:  # replacements for lines that were no prompt
                k = rng.randint(1, total)
                if k not in tried:
                    yield k
            yield from (k for k in range(1, total + 1) if k not in tried)  # mostly no prompts: the rest

        found: list[PromptExample] = []
        skipped: list[str] = []
        for number in draws():
            if len(found) >= n or (cancel is not None and cancel.is_set()):
                break
            if number in tried:
                continue
            tried.add(number)
            got = self.at(number)
            if isinstance(got, PromptExample):
                found.append(got)
            elif got:
                skipped.append(got)
        found.sort(key=lambda ex: ex.line)
        return found, skipped


def _open(path: Path | str) -> PromptSource:
    return PromptSource(path)


async def open_prompts(path: Path | str) -> PromptSource:
    return await asyncio.to_thread(_open, path)


def sample_prompts_sync(path: Path | str, n: int | None, seed: int = 0, *,
                        progress: Progress | None = None,
                        cancel: threading.Event | None = None) -> tuple[list[PromptExample], list[str]]:
    """n prompts drawn (seeded) from the file by offset, with progress while it is indexed."""
    with PromptSource(path) as source:
        source.index(progress, cancel)
        return source.sample(n, seed, cancel)


async def sample_prompts(path: Path | str, n: int | None, seed: int = 0, *,
                         progress: Progress | None = None,
                         cancel: threading.Event | None = None) -> tuple[list[PromptExample], list[str]]:
    return await asyncio.to_thread(sample_prompts_sync, path, n, seed, progress=progress, cancel=cancel)


def read_prompts_sync(path: Path | str) -> tuple[list[PromptExample], list[str]]:
    """Every usable example, plus one line per skipped line saying why (holds them all: for a big
    file use PromptSource.page or sample_prompts)."""
    with PromptSource(path) as source:
        found, skipped, _ = source.page(1, source.index())
        return found, skipped


async def read_prompts(path: Path | str) -> tuple[list[PromptExample], list[str]]:
    return await asyncio.to_thread(read_prompts_sync, path)


def sample(examples: list[PromptExample], n: int | None, seed: int = 0) -> list[PromptExample]:
    """A seeded sample of n examples, kept in file order; all of them when n is None or larger."""
    if n is None or n >= len(examples):
        return list(examples)
    chosen = random.Random(seed).sample(range(len(examples)), n)
    return [examples[i] for i in sorted(chosen)]
