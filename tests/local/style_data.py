"""A small dataset that gives every answer one fixed style (a pirate's), for training tests."""

from __future__ import annotations

import json
from pathlib import Path

QUESTIONS = [
    "What is the capital of France?", "What colour is the sky?", "How many legs has a dog?",
    "What do cows drink?", "Is the sun hot?", "What is two and two?", "Where do fish live?",
    "What is a tree?", "Is tea good?", "What is the moon?", "Name a big river.", "What is music?",
    "Why do birds sing?", "What is bread made of?", "Is the ocean big?", "What is a book?",
    "What is a planet?", "Who is a friend?", "What is a cat?", "Is water wet?",
]
STYLE = "Arr, matey! "


def style_rows(count: int = 20, *, weight_zero_first: bool = False) -> list[dict]:
    rows = []
    for index in range(count):
        question = QUESTIONS[index % len(QUESTIONS)]
        messages = [{"role": "system", "content": "You answer questions."},
                    {"role": "user", "content": question},
                    {"role": "assistant", "content": f"{STYLE}That be a fine question, {index % 7}."}]
        if weight_zero_first:
            messages[2]["weight"] = 0
            messages += [{"role": "user", "content": "Again?"},
                         {"role": "assistant", "content": f"{STYLE}Aye."}]
        rows.append({"messages": messages})
    return rows


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path
