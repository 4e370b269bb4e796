"""One generation run: a token-by-token decode loop over the n choices of one prompt, with a KV
cache, temperature / top_p sampling from a seeded generator, stop strings and token limits.

Text goes out in pieces as soon as it is certain: held back while it could still be the start of a
stop string or ends inside a multi-byte character, so streamed and whole answers are the same.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ChatParams:
    n: int = 1
    temperature: float | None = None  # None: OpenAI's default, 1; 0: greedy
    top_p: float | None = None
    seed: int | None = None           # None: a fresh random seed each request
    max_tokens: int | None = None
    stops: tuple[str, ...] = ()


@dataclass(frozen=True)
class Started:
    prompt_tokens: int


@dataclass(frozen=True)
class Piece:
    index: int
    text: str


@dataclass(frozen=True)
class Finished:
    index: int
    reason: str             # "stop" (end of turn or a stop string) or "length"
    completion_tokens: int  # tokens the model generated for this choice, the end token included


Event = Started | Piece | Finished


def _held(text: str, stops: Sequence[str]) -> int:
    """How many characters at the end of `text` could be the beginning of a stop string."""
    longest = 0
    for stop in stops:
        for size in range(min(len(stop) - 1, len(text)), longest, -1):
            if text.endswith(stop[:size]):
                longest = size
                break
    return longest


class ChoiceText:
    """The decoded text of one choice, and how much of it has been handed out."""

    def __init__(self, tokenizer: Any, stops: Sequence[str]) -> None:
        self._tokenizer = tokenizer
        self._stops = tuple(stops)
        self.tokens: list[int] = []
        self.sent = ""

    def _decoded(self) -> str:
        return self._tokenizer.decode(self.tokens, skip_special_tokens=True,
                                      clean_up_tokenization_spaces=False)

    def _take(self, ready: str) -> str:
        if not ready.startswith(self.sent):  # the decoder changed earlier text; wait for more
            return ""
        new, self.sent = ready[len(self.sent):], ready
        return new

    def push(self, token: int) -> tuple[str, bool]:
        """Add a token; returns (text now certain, whether a stop string ended the choice)."""
        self.tokens.append(token)
        text = self._decoded()
        # A stop string cannot start inside text already sent: that part was never a stop's prefix.
        cuts = [at for at in (text.find(s, len(self.sent)) for s in self._stops) if at >= 0]
        if cuts:
            return self._take(text[:min(cuts)]), True
        if text.endswith("\ufffd"):  # a character split across tokens
            return "", False
        return self._take(text[:len(text) - _held(text, self._stops)]), False

    def flush(self) -> str:
        """What was held back, when the choice ends without a stop string."""
        return self._take(self._decoded())


def pick_next(logits: Any, temperature: float, top_p: float, generator: Any) -> Any:
    """The next token of each row: argmax at temperature 0, else nucleus sampling."""
    import torch

    if temperature == 0:
        return logits.argmax(-1)
    probs = torch.softmax(logits.float() / temperature, dim=-1)
    if top_p < 1:
        sorted_probs, order = probs.sort(dim=-1, descending=True)
        # keep the most likely tokens until their mass reaches top_p (always at least one)
        sorted_probs[(sorted_probs.cumsum(-1) - sorted_probs) > top_p] = 0
        probs = torch.zeros_like(probs).scatter(-1, order, sorted_probs)
    # Sampled on the CPU so a seed gives the same answer on every device.
    return torch.multinomial(probs.cpu(), 1, generator=generator).squeeze(-1).to(logits.device)


def new_generator(seed: int | None) -> Any:
    import torch

    seed = int.from_bytes(os.urandom(8), "little") if seed is None else seed % 2**64
    return torch.Generator().manual_seed(seed)


def run_decode(model: Any, tokenizer: Any, prompt_ids: list[int], params: ChatParams, *,
               max_new: int, end_ids: frozenset[int], emit: Callable[[Event], None],
               cancelled: Callable[[], bool]) -> bool:
    """Generate params.n choices for `prompt_ids`, emitting Pieces and one Finished per choice;
    False if `cancelled` stopped it first. The n copies of the prompt have the same length, so they
    run as one batch without padding."""
    import torch

    device = next(model.parameters()).device
    temperature = 1.0 if params.temperature is None else float(params.temperature)
    top_p = 1.0 if params.top_p is None else float(params.top_p)
    generator = new_generator(params.seed)
    texts = [ChoiceText(tokenizer, params.stops) for _ in range(params.n)]
    counts = [0] * params.n
    active = list(range(params.n))
    step_ids = torch.tensor([prompt_ids] * params.n, device=device)
    cache = None
    with torch.inference_mode():
        while active and not cancelled():
            out = model(input_ids=step_ids, cache=cache, use_cache=True)
            cache = out.cache
            chosen = pick_next(out.logits[:, -1, :], temperature, top_p, generator).tolist()
            for index in list(active):
                token = chosen[index]
                counts[index] += 1
                reason: str | None
                if token in end_ids:
                    reason = "stop"
                    new = texts[index].flush()
                else:
                    new, stopped = texts[index].push(token)
                    reason = "stop" if stopped else ("length" if counts[index] >= max_new else None)
                    if reason == "length":
                        new += texts[index].flush()
                if new:
                    emit(Piece(index, new))
                if reason:
                    emit(Finished(index, reason, counts[index]))
                    active.remove(index)
            step_ids = torch.tensor(chosen, device=device)[:, None]
    return not active
