"""Checking one batch of whole lines: the unit of work of the validator, in-process or in a worker.

`check_batch(job)` is a plain top-level function of picklable data, so `iter_validate` can run it in
worker processes (tiktoken holds the GIL while it encodes, so threads would not help) and merge the
results in order. Everything that needs the whole file (duplicates across batches, example counts,
caps) is done by the caller from the keys and counts returned here.
"""

from __future__ import annotations

import json
from array import array
from dataclasses import dataclass, field
from hashlib import blake2b
from typing import Any, Literal

import msgspec

from ftui.core.dataset import checks
from ftui.core.dataset.checks import CHAT, PREFERENCE, REINFORCEMENT, Severity
from ftui.core.dataset.models import token_limit
from ftui.core.dataset.reader import BOM
from ftui.core.dataset.tokens import REPLY_PRIMING, TOKENS_PER_MESSAGE, example_pieces


@dataclass
class BatchJob:
    first_line: int  # number of the first line in `data`
    data: bytes  # whole lines; the last one may lack its newline only if `final`
    final: bool  # the file ends with this batch
    fmt: str
    model: str
    count_tokens: bool = True
    too_long: bool = False  # stands for one line too long to load (data is empty)


@dataclass
class BatchResult:
    lines: int = 0
    problems: list[tuple[int, str, str, Severity]] = field(default_factory=list)  # (line, code, message, severity)
    example_lines: array = field(default_factory=lambda: array("q"))
    example_tokens: array = field(default_factory=lambda: array("q"))
    key_lines: array = field(default_factory=lambda: array("q"))  # examples that have a prompt/answer split
    prompt_keys: array = field(default_factory=lambda: array("q"))
    answer_keys: array = field(default_factory=lambda: array("q"))
    crlf_count: int = 0
    crlf_first: int = 0


_counters: dict[str, Any] = {}  # one TokenCounter per model per process (workers keep theirs)


def _counter(model: str):
    c = _counters.get(model)
    if c is None:
        from ftui.core.dataset.tokens import TokenCounter
        c = _counters[model] = TokenCounter(model, threads=0)
    return c


def _canon(x: Any) -> bytes:
    return json.dumps(x, sort_keys=True).encode()  # ASCII-only, so lone surrogates are safe


def _messages_digest(h: Any, messages: Any) -> None:
    if type(messages) is not list:
        h.update(_canon(messages))
        return
    parts = []
    for m in messages:  # fast path for plain {"role", "content": str} messages: one join, one update
        if type(m) is dict and len(m) == 2 and type(m.get("content")) is str and type(m.get("role")) is str:
            parts.append(m["role"])
            parts.append(m["content"])
        else:
            parts.append(_canon(m).decode())
    h.update("\x1e".join(parts).encode("utf-8", "surrogatepass"))


def _key(h: Any) -> int:
    return int.from_bytes(h.digest(), "little", signed=True)


def stable_keys(obj: Any, fmt: str) -> tuple[int, int] | None:
    """(prompt key, answer key): 64-bit digests, equal in every process (unlike hash())."""
    if not isinstance(obj, dict):
        return None
    p, a = blake2b(digest_size=8), blake2b(digest_size=8)
    if fmt == PREFERENCE:
        p.update(_canon(obj.get("input")))
        a.update(_canon([obj.get("preferred_output"), obj.get("non_preferred_output")]))
        return _key(p), _key(a)
    messages = obj.get("messages")
    if not isinstance(messages, list):
        return None
    if fmt == REINFORCEMENT:
        _messages_digest(p, messages)
        a.update(_canon({k: v for k, v in obj.items() if k != "messages"}))
        return _key(p), _key(a)
    last = None
    for i in range(len(messages) - 1, -1, -1):
        m = messages[i]
        if isinstance(m, dict) and m.get("role") == "assistant":
            last = i
            break
    if last is None:
        _messages_digest(p, messages)
        return _key(p), 0
    _messages_digest(p, messages[:last])
    if "tools" in obj or "functions" in obj:
        p.update(_canon([obj.get("tools"), obj.get("functions")]))
    _messages_digest(a, messages[last:])
    return _key(p), _key(a)


_PLAIN_CHAT_ROLES = frozenset({"system", "user", "assistant"})


def plain_chat(obj: Any) -> tuple[list[str], tuple[int, int]] | None:
    """For a chat line that is only plain {"role", "content": non-blank str} messages with an assistant
    reply (nothing to report): its strings to count and its (prompt, answer) keys, in one pass.
    None for anything else, which then takes the full checks. Same results as the full path."""
    if type(obj) is not dict or len(obj) != 1:
        return None
    messages = obj.get("messages")
    if type(messages) is not list or not messages:
        return None
    parts: list[str] = []
    last = -1
    for i, m in enumerate(messages):
        if type(m) is not dict or len(m) != 2:
            return None
        role, content = m.get("role"), m.get("content")
        if role not in _PLAIN_CHAT_ROLES or type(content) is not str or not content or content.isspace():
            return None
        if role == "assistant":
            last = i
        parts.append(role)
        parts.append(content)
    if last < 0:
        return None
    return parts, _plain_keys(parts, last)


class _PlainMessage(msgspec.Struct, forbid_unknown_fields=True):
    role: Literal["system", "user", "assistant"]
    content: str


class _PlainChat(msgspec.Struct, forbid_unknown_fields=True):
    messages: list[_PlainMessage]


# Decodes only lines of the plain chat shape, straight from bytes and in C; anything else (another
# shape, invalid JSON or UTF-8) raises and takes json.loads and the full checks, which say what is wrong.
_decode_plain = msgspec.json.Decoder(_PlainChat).decode


def plain_chat_line(raw: bytes) -> tuple[list[str], tuple[int, int]] | None:
    """plain_chat for a raw line, without building dicts: same answer, or None to take the full path."""
    try:
        messages = _decode_plain(raw).messages
    except msgspec.DecodeError:  # ValidationError is one too
        return None
    parts: list[str] = []
    last = -1
    for i, m in enumerate(messages):
        content = m.content
        if not content or content.isspace():
            return None
        if m.role == "assistant":
            last = i
        parts.append(m.role)
        parts.append(content)
    if last < 0:
        return None
    return parts, _plain_keys(parts, last)


def _plain_keys(parts: list[str], last: int) -> tuple[int, int]:
    """(prompt, answer) keys of plain messages given as [role, content, ...]; last: the final assistant's index."""
    cut = 2 * last
    p = blake2b("\x1e".join(parts[:cut]).encode("utf-8", "surrogatepass"), digest_size=8)
    a = blake2b("\x1e".join(parts[cut:]).encode("utf-8", "surrogatepass"), digest_size=8)
    return _key(p), _key(a)


def whole_key(prompt: int, answer: int) -> int:
    """One key for a whole example (for comparing a validation file with its training file)."""
    return (prompt * 1_000_003 + answer) & 0x7FFF_FFFF_FFFF_FFFF


def _special_tokens(problems: list, number: int, text: str) -> None:
    found = checks.special_tokens_in(text)
    if found:
        problems.append((number, "special_token", f"the text contains {', '.join(found)}, which the "
                                                  "model treats as plain text here; remove it", "warning"))


def check_batch(job: BatchJob) -> BatchResult:
    out = BatchResult()
    if job.too_long:
        out.lines = 1
        out.problems.append((job.first_line, "line_too_long", "this line is hundreds of MB long, far beyond any "
                                                              "model's context; it was not loaded: delete it",
                             "error"))
        return out
    problems = out.problems
    limit = token_limit(job.model)
    fmt = job.fmt
    raws = job.data.split(b"\n")
    last_ended = raws[-1] == b""
    if last_ended:
        raws.pop()
    out.lines = len(raws)
    objs: list[tuple[int, int, list[str]]] = []  # (line, fixed tokens, pieces)
    number = job.first_line - 1
    for index, raw in enumerate(raws):
        number += 1
        if number == 1 and raw.startswith(BOM):
            raw = raw[3:]
            problems.append((1, "bom", "the file starts with a UTF-8 byte order mark (BOM); save it as UTF-8 "
                                       "without BOM", "error"))
        if raw.endswith(b"\r"):
            raw = raw[:-1]
            out.crlf_count += 1
            out.crlf_first = out.crlf_first or number
        if not raw.strip():
            problems.append((number, "blank_line", "this line is empty; delete it (every line must hold one "
                                                   "example)", "error"))
            continue
        fast = plain_chat_line(raw) if fmt == CHAT else None
        if fast is not None:  # the common case: nothing to report, keys and pieces from one C decode
            pieces, keys = fast
            if b"<|" in raw:
                _special_tokens(problems, number, raw.decode("utf-8"))
            out.key_lines.append(number)
            out.prompt_keys.append(keys[0])
            out.answer_keys.append(keys[1])
            out.example_lines.append(number)
            objs.append((number, REPLY_PRIMING + TOKENS_PER_MESSAGE * (len(pieces) // 2), pieces))
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            if b"\0" in raw:
                problems.append((number, "nul_byte", "this line contains NUL bytes (binary data); remove them",
                                 "error"))
            else:
                problems.append((number, "invalid_utf8", f"byte {exc.start + 1} of this line is not valid UTF-8; "
                                                         "re-save the file as UTF-8", "error"))
            continue
        try:
            obj = json.loads(text)
        except ValueError as exc:
            if "\0" in text:
                problems.append((number, "nul_byte", "this line contains NUL bytes (binary data); remove them",
                                 "error"))
            elif job.final and index == len(raws) - 1 and not last_ended:
                problems.append((number, "truncated_line", "the last line is cut off (no newline at the end and "
                                                           "incomplete JSON); complete it or delete it", "error"))
            else:
                reason = f"{exc.msg} at column {exc.colno}" if isinstance(exc, json.JSONDecodeError) else str(exc)
                problems.append((number, "invalid_json", f"not valid JSON: {reason}; fix or delete this line",
                                 "error"))
            continue
        except RecursionError:
            problems.append((number, "invalid_json", "JSON nested too deeply; flatten it", "error"))
            continue
        for code, msg, sev in checks.check_line(obj, fmt):
            problems.append((number, code, msg, sev))
        if not isinstance(obj, dict):
            continue
        line_keys = stable_keys(obj, fmt)
        pieces = []
        fixed = example_pieces(obj, pieces) if job.count_tokens else 0
        if "<|" in text:
            _special_tokens(problems, number, text)
        if line_keys is not None:
            out.key_lines.append(number)
            out.prompt_keys.append(line_keys[0])
            out.answer_keys.append(line_keys[1])
        out.example_lines.append(number)
        objs.append((number, fixed, pieces))
    if job.count_tokens and objs:
        counter = _counter(job.model)
        counts = counter.count_batch([(f, p) for _n, f, p in objs])
        out.example_tokens.extend(counts)
        for (n, _f, _p), tokens in zip(objs, counts):
            if tokens > limit:
                problems.append((n, "too_many_tokens", f"{tokens:,} tokens; {job.model} trains on at most "
                                                       f"{limit:,} per example and cuts the rest; shorten or "
                                                       "split this example", "warning"))
    problems.sort(key=lambda p: p[0])
    return out
