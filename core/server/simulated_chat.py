"""What sandbox models answer.

A fine-tuned model (or one of its checkpoints) answers with the assistant reply of the
training example whose prompt is most similar to the user's message, so comparing it
with its base model shows a difference that comes from the data. A base model answers
with a plain, deterministic, helpful-sounding reply derived from the prompt.
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from dataclasses import dataclass
from math import sqrt
from pathlib import Path
from typing import Any

_PIECE = re.compile(r"\s*\w+|\s*[^\w\s]|\s+")
_WORD = re.compile(r"\w+")
_STOPWORDS = frozenset(
    "a an and are as at be but by can do does for from how i in is it me my of on or so that the"
    " this to was what when where which who why will with you your".split())


def pieces(text: str) -> list[str]:
    """Split text into token-like pieces (a word with its leading space, or a symbol).
    Joined back they give the text exactly; they stand in for tokens in usage and streams."""
    return _PIECE.findall(text)


def count_tokens(text: str) -> int:
    return len(pieces(text))


def prompt_tokens(messages: list[dict[str, Any]]) -> int:
    total = 3
    for message in messages:
        total += 3 + count_tokens(content_text(message.get("content")))
    return total


def content_text(content: Any) -> str:
    """Message content as plain text (a string, or the text parts of a list)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        # Training files are read as they are: a part whose text is not a string adds nothing.
        return " ".join(p["text"] for p in content
                        if isinstance(p, dict) and isinstance(p.get("text"), str))
    return ""


def _bag(text: str) -> Counter[str]:
    return Counter(w for w in _WORD.findall(text.lower()) if w not in _STOPWORDS) or \
        Counter(_WORD.findall(text.lower()))


def similarity(a: Counter[str], b: Counter[str]) -> float:
    if not a or not b:
        return 0.0
    dot = sum(count * b[word] for word, count in a.items())
    return dot / (sqrt(sum(v * v for v in a.values())) * sqrt(sum(v * v for v in b.values())))


def user_prompt(messages: list[dict[str, Any]]) -> str:
    """The last user message: what the answer should respond to."""
    for message in reversed(messages):
        if isinstance(message, dict) and message.get("role") == "user":
            return content_text(message.get("content"))
    return content_text(messages[-1].get("content")) if messages else ""


@dataclass(frozen=True)
class TrainingPair:
    prompt: str
    reply: str


def pairs_from_jsonl(path: Path) -> list[TrainingPair]:
    """(prompt, reply) pairs from a chat or preference training file; bad lines are skipped."""
    found: list[TrainingPair] = []
    with Path(path).open("rb") as fh:
        for raw in fh:
            try:
                line = json.loads(raw)
            except ValueError:
                continue
            if not isinstance(line, dict):
                continue
            if isinstance(line.get("messages"), list):
                messages, reply = _split_chat(line["messages"])
            elif isinstance(line.get("input"), dict) and isinstance(line.get("preferred_output"), list):
                messages = line["input"].get("messages") or []
                reply = content_text((line["preferred_output"] or [{}])[-1].get("content"))
            else:
                continue
            prompt = user_prompt([m for m in messages if isinstance(m, dict)])
            if reply:
                found.append(TrainingPair(prompt, reply))
    return found


def _split_chat(messages: list[Any]) -> tuple[list[dict[str, Any]], str]:
    for index in range(len(messages) - 1, -1, -1):
        message = messages[index]
        if isinstance(message, dict) and message.get("role") == "assistant":
            return messages[:index], content_text(message.get("content"))
    return messages, ""


class TrainedResponder:
    def __init__(self, pairs: list[TrainingPair]) -> None:
        self.pairs = pairs
        self._bags = [_bag(p.prompt) for p in pairs]

    def ranked(self, prompt: str) -> list[TrainingPair]:
        query = _bag(prompt)
        scores = [(similarity(query, bag), -i) for i, bag in enumerate(self._bags)]
        order = sorted(range(len(scores)), key=lambda i: scores[i], reverse=True)
        return [self.pairs[i] for i in order]

    def answer(self, prompt: str, *, choice: int = 0, temperature: float = 1.0,
               seed: int | None = None) -> str:
        ranked = self.ranked(prompt)
        if not ranked:
            return BaseResponder().answer(prompt, choice=choice, temperature=temperature, seed=seed)
        if choice == 0 or temperature <= 0:
            return ranked[0].reply
        rng = random.Random(f"{seed}:{choice}:{prompt}")
        return rng.choice(ranked[:3]).reply


_OPENINGS = ("Happy to help.", "Good question.", "Sure.", "Here is a short answer.")


class BaseResponder:
    def answer(self, prompt: str, *, choice: int = 0, temperature: float = 1.0,
               seed: int | None = None) -> str:
        words = [w for w in _WORD.findall(prompt) if w.lower() not in _STOPWORDS]
        topic = ", ".join(dict.fromkeys(words[:4])) or "your question"
        opening = _OPENINGS[0]
        if choice and temperature > 0:
            opening = random.Random(f"{seed}:{choice}:{prompt}").choice(_OPENINGS)
        return (f"{opening} You asked about {topic}. In general, the best approach is to start "
                f"from reliable sources, check the key facts, and keep the answer clear and "
                f"concise. Let me know if you would like more detail.")
