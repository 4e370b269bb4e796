"""Turning chat examples into token ids and labels, and labelled examples into padding-free batches.

Labels are the token ids on assistant text (plus the end-of-turn token that closes it) and -100
everywhere else, so the loss is on assistant tokens only; an assistant message with OpenAI's
`weight: 0` is context, not target. Batches pack their examples into one row with position ids that
restart at 0 per example: transformers' attention masks see the restarts and keep examples apart, and
no compute goes to padding.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

IGNORE = -100  # label value the loss skips


class CollateError(Exception):
    """A dataset that cannot be trained on; args[0] says why."""


@dataclass(frozen=True)
class Encoded:
    input_ids: list[int]
    labels: list[int]
    truncated: bool  # the example was longer than the context and was cut

    @property
    def target_tokens(self) -> int:
        return sum(1 for label in self.labels if label != IGNORE)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    rows = []
    with open(path, encoding="utf-8-sig") as fh:
        for number, line in enumerate(fh, 1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except ValueError as exc:
                    raise CollateError(f"{path.name} line {number} is not JSON: {exc}") from None
    return rows


def _text(content: Any) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content parts: only text reaches a text-only model
        return "".join(p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text")
    return str(content)


def _plain(message: dict[str, Any]) -> dict[str, Any]:
    out = {"role": message.get("role", "user"), "content": _text(message.get("content"))}
    for key in ("tool_calls", "name", "tool_call_id"):
        if message.get(key) is not None:
            out[key] = message[key]
    return out


def _render(tokenizer: Any, messages: list[dict[str, Any]], generation_prompt: bool) -> str:
    return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=generation_prompt)


def target_spans(tokenizer: Any, messages: Sequence[dict[str, Any]],
                 end_token: str) -> tuple[str, list[tuple[int, int]]]:
    """The rendered conversation and the character spans to learn: each weighted assistant message's
    text up to and including the end-of-turn token."""
    plain = [_plain(m) for m in messages]
    full = _render(tokenizer, plain, False)
    spans: list[tuple[int, int]] = []
    for index, message in enumerate(messages):
        if message.get("role") != "assistant" or message.get("weight", 1) == 0:
            continue
        prefix = _render(tokenizer, plain[:index], True) if index else ""
        upto = _render(tokenizer, plain[: index + 1], False)
        if full.startswith(upto) and upto.startswith(prefix):
            start = len(prefix)
        else:  # a template that rewrites earlier turns: find the text after the previous turns
            start = full.find(plain[index]["content"], len(_render(tokenizer, plain[:index], False)) if index else 0)
            start = max(start, 0)
            upto = full
        end = upto.find(end_token, start + len(plain[index]["content"]))
        end = len(upto) if end < 0 else end + len(end_token)
        spans.append((start, end))
    return full, spans


def encode_chat(tokenizer: Any, messages: Sequence[dict[str, Any]], *, max_tokens: int,
                end_token: str | None = None) -> Encoded:
    end_token = end_token or tokenizer.eos_token
    text, spans = target_spans(tokenizer, messages, end_token)
    encoding = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
    ids = list(encoding["input_ids"])
    labels = [IGNORE] * len(ids)
    span_index = 0
    for position, (start, _end) in enumerate(encoding["offset_mapping"]):
        while span_index < len(spans) and spans[span_index][1] <= start:
            span_index += 1
        if span_index < len(spans) and spans[span_index][0] <= start < spans[span_index][1]:
            labels[position] = ids[position]
    truncated = len(ids) > max_tokens
    if truncated:
        ids, labels = ids[:max_tokens], labels[:max_tokens]
    return Encoded(ids, labels, truncated)


@dataclass(frozen=True)
class Prepared:
    examples: list[Encoded]
    truncated: int  # how many were cut to the context
    dropped: int  # how many had nothing left to learn (no weighted assistant token within the context)

    @property
    def tokens(self) -> int:
        return sum(len(e.input_ids) for e in self.examples)


def prepare_examples(tokenizer: Any, rows: Iterable[dict[str, Any]], *, max_tokens: int,
                     what: str = "training file") -> Prepared:
    end_token = tokenizer.eos_token
    kept: list[Encoded] = []
    truncated = dropped = 0
    for row in rows:
        encoded = encode_chat(tokenizer, row.get("messages") or [], max_tokens=max_tokens, end_token=end_token)
        truncated += encoded.truncated
        if encoded.target_tokens == 0:
            dropped += 1
            continue
        kept.append(encoded)
    if not kept:
        raise CollateError(f"No example in the {what} has an assistant token to learn within the model's "
                           f"context of {max_tokens} tokens ({truncated} were longer than it).")
    return Prepared(kept, truncated, dropped)


@dataclass
class Batch:
    """One packed row: (1, tokens) tensors; the loss is over `target_tokens` labelled positions."""

    input_ids: Any
    position_ids: Any
    labels: Any
    target_tokens: int
    tokens: int


def pack(examples: Sequence[Encoded], device: str = "cpu") -> Batch:
    import torch

    ids: list[int] = []
    positions: list[int] = []
    labels: list[int] = []
    for example in examples:
        ids.extend(example.input_ids)
        positions.extend(range(len(example.input_ids)))
        # The first token of each example is never a target: it would be "predicted" from the previous one.
        labels.append(IGNORE)
        labels.extend(example.labels[1:])
    targets = sum(e.target_tokens - (e.labels[0] != IGNORE) for e in examples)

    def as_row(values: list[int]) -> Any:  # a torch.Tensor; torch is imported lazily
        return torch.tensor([values], dtype=torch.long, device=device)

    return Batch(as_row(ids), as_row(positions), as_row(labels), targets, len(ids))


def micro_batches(examples: Sequence[Encoded], token_budget: int) -> list[list[Encoded]]:
    """Split one optimizer step's examples into packed rows of at most `token_budget` tokens each
    (an example longer than the budget gets a row of its own), bounding peak memory."""
    groups: list[list[Encoded]] = [[]]
    used = 0
    for example in examples:
        size = len(example.input_ids)
        if groups[-1] and used + size > token_budget:
            groups.append([])
            used = 0
        groups[-1].append(example)
        used += size
    return [g for g in groups if g]
