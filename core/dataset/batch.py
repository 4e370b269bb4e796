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
from hashlib import sha256
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
    fast_path: bool = True  # False: every line takes the full checks (tests compare the two)
    portable_keys: bool = True  # keys equal in every process; False: hash()-based, for this process only


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


def _canon(x: Any) -> str:
    return json.dumps(x, sort_keys=True)  # ASCII-only, so lone surrogates are safe


# Duplicate keys, in one of two kinds that are never mixed within one validation:
# portable (8 bytes of SHA-256 as an int64; SHA-NI makes it faster than blake2b here), the same in every
# process, for batches checked in worker processes; local (hash() of a tuple of the same strings), valid
# within one process only but nearly free, since a str caches its hash and token counting needs it too.
# A key stands for [strings] plus an optional `extra` string (tools definitions).

def _portable_key(parts: list[str], extra: str | None = None) -> int:
    # the lengths first, so that no two lists of strings give the same text (as tuples never compare equal)
    text = ",".join(map(str, map(len, parts))) + "\x1f" + "\x1e".join(parts)
    if extra is not None:
        text += "\x1f" + extra
    return int.from_bytes(sha256(text.encode("utf-8", "surrogatepass")).digest()[:8], "little", signed=True)


def _local_key(parts: list[str], extra: str | None = None) -> int:
    return hash(tuple(parts)) if extra is None else hash((tuple(parts), extra))


def _messages_parts(messages: list) -> list[str]:
    """What a list of messages is keyed by: role and content of plain messages, the canonical JSON of others."""
    parts = []
    for m in messages:
        if type(m) is dict and len(m) == 2 and type(m.get("content")) is str and type(m.get("role")) is str:
            parts.append(m["role"])
            parts.append(m["content"])
        else:
            parts.append(_canon(m))
    return parts


def stable_keys(obj: Any, fmt: str, *, portable: bool = True) -> tuple[int, int] | None:
    """(prompt key, answer key) of one parsed line; None when it has no messages to key.
    portable: the same in every process (unlike hash()); else valid within this process only."""
    key = _portable_key if portable else _local_key
    if not isinstance(obj, dict):
        return None
    if fmt == PREFERENCE:
        return key([_canon(obj.get("input"))]), key([_canon([obj.get("preferred_output"),
                                                              obj.get("non_preferred_output")])])
    messages = obj.get("messages")
    if not isinstance(messages, list):
        return None
    if fmt == REINFORCEMENT:
        return key(_messages_parts(messages)), key([_canon({k: v for k, v in obj.items() if k != "messages"})])
    last = None
    for i in range(len(messages) - 1, -1, -1):
        m = messages[i]
        if isinstance(m, dict) and m.get("role") == "assistant":
            last = i
            break
    if last is None:
        return key(_messages_parts(messages)), 0
    tools = _canon([obj.get("tools"), obj.get("functions")]) if "tools" in obj or "functions" in obj else None
    return key(_messages_parts(messages[:last]), tools), key(_messages_parts(messages[last:]))


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
    return parts, (_portable_key(parts[:2 * last]), _portable_key(parts[2 * last:]))


class _PlainMessage(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    role: Literal["system", "user", "assistant"]
    content: str


class _PlainChat(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    messages: list[_PlainMessage]


# Decodes only lines of the plain chat shape, straight from bytes and in C; anything else (another
# shape, invalid JSON or UTF-8) raises and takes json.loads and the full checks, which say what is wrong.
_decode_plain = msgspec.json.Decoder(_PlainChat).decode


def _plain_line(raw: bytes, portable: bool) -> tuple[list[str], int, int] | None:
    """A raw plain chat line's [role, content, ...] and (prompt, answer) keys; None: take the full path."""
    try:
        messages = _decode_plain(raw).messages
    except msgspec.DecodeError:  # ValidationError is one too
        return None
    parts: list[str] = []
    add = parts.append
    last = -1
    for i, m in enumerate(messages):
        content = m.content
        if not content or content.isspace():
            return None
        role = m.role
        if role == "assistant":
            last = i
        add(role)
        add(content)
    if last < 0:
        return None
    cut = 2 * last
    key = _portable_key if portable else _local_key
    return parts, key(parts[:cut]), key(parts[cut:])


def plain_chat_line(raw: bytes, *, portable: bool = True) -> tuple[list[str], tuple[int, int]] | None:
    """plain_chat for a raw line, without building dicts: same answer, or None to take the full path."""
    got = _plain_line(raw, portable)
    return None if got is None else (got[0], (got[1], got[2]))


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
    data = job.data
    raws = data.split(b"\n")
    last_ended = raws[-1] == b""
    if last_ended:
        raws.pop()
    out.lines = len(raws)
    if job.first_line == 1 and raws and raws[0].startswith(BOM):
        raws[0] = raws[0][3:]
        problems.append((1, "bom", "the file starts with a UTF-8 byte order mark (BOM); save it as UTF-8 "
                                   "without BOM", "error"))
    if b"\r" in data:  # per-batch tests first, so the common line pays for none of this
        _cut_crlf(raws, job.first_line, out)
    marked = b"<|" in data  # a special token may be written somewhere
    fast = job.fmt == CHAT and job.fast_path
    examples: list[tuple[int, list[str]]] = []  # (fixed tokens, strings to count), one per example_lines
    key_line, example_line = out.key_lines.append, out.example_lines.append
    prompt_key, answer_key = out.prompt_keys.append, out.answer_keys.append
    portable = job.portable_keys
    final_index = len(raws) - 1 if job.final and not last_ended else -1
    for index, raw in enumerate(raws):
        number = job.first_line + index
        got = _plain_line(raw, portable) if fast else None
        if got is not None:  # the common case: nothing to report, keys and pieces from one C decode
            pieces, prompt, answer = got
            if marked and b"<|" in raw:
                _special_tokens(problems, number, raw.decode("utf-8"))
            key_line(number)
            prompt_key(prompt)
            answer_key(answer)
            example_line(number)
            examples.append((REPLY_PRIMING + TOKENS_PER_MESSAGE * (len(pieces) >> 1), pieces))
            continue
        parsed = _full_line(raw, number, job, index == final_index, problems)
        if parsed is None:
            continue
        keys, fixed, pieces = parsed
        if keys is not None:
            key_line(number)
            prompt_key(keys[0])
            answer_key(keys[1])
        example_line(number)
        examples.append((fixed, pieces))
    if job.count_tokens and examples:
        counts = _counter(job.model).count_batch(examples)
        out.example_tokens.extend(counts)
        limit = token_limit(job.model)
        if max(counts) > limit:
            for n, tokens in zip(out.example_lines, counts):
                if tokens > limit:
                    problems.append((n, "too_many_tokens", f"{tokens:,} tokens; {job.model} trains on at most "
                                                           f"{limit:,} per example and cuts the rest; shorten or "
                                                           "split this example", "warning"))
    problems.sort(key=lambda p: p[0])
    return out


def _cut_crlf(raws: list[bytes], first_line: int, out: BatchResult) -> None:
    """Drop the \r of lines ending \r\n, counting them (and the first one) in `out`."""
    for index, raw in enumerate(raws):
        if raw.endswith(b"\r"):
            raws[index] = raw[:-1]
            out.crlf_count += 1
            out.crlf_first = out.crlf_first or first_line + index


def _full_line(raw: bytes, number: int, job: BatchJob, cut_off: bool,
               problems: list) -> tuple[tuple[int, int] | None, int, list[str]] | None:
    """Every check of one line: its problems go to `problems`; returns (keys, fixed tokens, strings to
    count) when the line is a JSON object (an example), else None. cut_off: the file's last line, no newline."""
    if not raw.strip():
        problems.append((number, "blank_line", "this line is empty; delete it (every line must hold one "
                                               "example)", "error"))
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        if b"\0" in raw:
            problems.append((number, "nul_byte", "this line contains NUL bytes (binary data); remove them", "error"))
        else:
            problems.append((number, "invalid_utf8", f"byte {exc.start + 1} of this line is not valid UTF-8; "
                                                     "re-save the file as UTF-8", "error"))
        return None
    try:
        obj = json.loads(text)
    except ValueError as exc:
        if "\0" in text:
            problems.append((number, "nul_byte", "this line contains NUL bytes (binary data); remove them", "error"))
        elif cut_off:
            problems.append((number, "truncated_line", "the last line is cut off (no newline at the end and "
                                                       "incomplete JSON); complete it or delete it", "error"))
        else:
            reason = f"{exc.msg} at column {exc.colno}" if isinstance(exc, json.JSONDecodeError) else str(exc)
            problems.append((number, "invalid_json", f"not valid JSON: {reason}; fix or delete this line", "error"))
        return None
    except RecursionError:
        problems.append((number, "invalid_json", "JSON nested too deeply; flatten it", "error"))
        return None
    for code, msg, sev in checks.check_line(obj, job.fmt):
        problems.append((number, code, msg, sev))
    if not isinstance(obj, dict):
        return None
    keys = stable_keys(obj, job.fmt, portable=job.portable_keys)
    pieces: list[str] = []
    fixed = example_pieces(obj, pieces) if job.count_tokens else 0
    if "<|" in text:
        _special_tokens(problems, number, text)
    return keys, fixed, pieces
