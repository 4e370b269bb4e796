"""Validation of training files, streaming, the way OpenAI checks them.

`iter_validate(path)` yields events as it goes: `Problem`s as they are found, `ValidationProgress`
every MiB, and finally the `Report`. A UI worker iterates it and fills its list as problems arrive;
stopping the iteration stops the work. `validate_path()` runs it to the end and returns the Report.
Unreadable paths (missing, folder, no permission, binary) raise a DatasetError subclass.
"""

from __future__ import annotations

import asyncio
import json
import threading
from array import array
from bisect import bisect_left
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from core.dataset import checks
from core.dataset.checks import CHAT, PREFERENCE, REINFORCEMENT, UNKNOWN
from core.dataset.models import DEFAULT_MODEL, token_limit
from core.dataset.reader import BOM, SNIFF_BYTES, iter_raw_lines, open_dataset, stamp_path
from core.dataset.errors import BinaryFileError, DatasetError

MIN_EXAMPLES = 10
RECOMMENDED_EXAMPLES = 50
UPLOADS_API_BYTES = 512 * 1024 * 1024  # files API limit; larger files go through the Uploads API
MAX_UPLOAD_BYTES = 8 * 1024 * 1024 * 1024
DETECT_LINES = 100  # lines read before deciding the file's format
PROGRESS_EVERY = 1 << 20
BATCH_EXAMPLES = 2000  # examples per token-counting batch
MAX_PER_CODE = 1000  # problems listed per code; the rest are counted


@dataclass(frozen=True)
class Problem:
    line: int  # 1-based; 0 for problems of the whole file
    code: str
    message: str
    severity: Literal["error", "warning"] = "error"

    def to_dict(self) -> dict:
        return {"line": self.line, "code": self.code, "message": self.message, "severity": self.severity}


@dataclass(frozen=True)
class ValidationProgress:
    bytes_done: int
    bytes_total: int
    lines: int
    examples: int
    errors: int
    warnings: int

    @property
    def fraction(self) -> float:
        return self.bytes_done / self.bytes_total if self.bytes_total else 1.0


@dataclass
class Report:
    path: str
    format: str = CHAT  # chat | preference | reinforcement | unknown
    examples: int = 0
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    example_tokens: Any = field(default_factory=list)  # sequence of int (an array('l')), one per example
    example_lines: Any = field(default_factory=list)  # line number of each counted example
    model: str = DEFAULT_MODEL
    lines: int = 0
    size: int = 0
    counts: dict[str, int] = field(default_factory=dict)  # code -> lines with it (including unlisted)
    against: str | None = None

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def total_tokens(self) -> int:
        return sum(self.example_tokens)

    @property
    def problems(self) -> list[Problem]:
        """Errors and warnings together in line order."""
        return sorted(self.errors + self.warnings, key=lambda p: (p.line, p.severity != "error"))

    def problems_at(self, line: int) -> list[Problem]:
        return [p for p in self.problems if p.line == line]

    def tokens_at(self, line: int) -> int | None:
        """Tokens of the example on `line`, None if that line was not counted."""
        i = bisect_left(self.example_lines, line)
        if i < len(self.example_lines) and self.example_lines[i] == line:
            return self.example_tokens[i]
        return None

    def stats(self, bins: int = 10):
        from core.dataset.stats import token_stats
        return token_stats(self.example_tokens, model=self.model, bins=bins)

    def cost(self, *, epochs: int | None = None, prices=None):
        from core.dataset.stats import estimate_cost
        return estimate_cost(self.example_tokens, model=self.model, epochs=epochs, prices=prices)

    def to_dict(self, *, prices=None, epochs: int | None = None) -> dict:
        """Everything `ftui validate --json` prints."""
        from dataclasses import asdict
        st = self.stats()
        cost = self.cost(epochs=epochs, prices=prices)
        return {
            "path": self.path, "format": self.format, "model": self.model, "examples": self.examples,
            "lines": self.lines, "size_bytes": self.size, "valid": self.valid,
            "errors": [p.to_dict() for p in self.errors], "warnings": [p.to_dict() for p in self.warnings],
            "counts": dict(self.counts),
            "tokens": {"total": st.total, "min": st.min, "max": st.max, "mean": round(st.mean, 2),
                       "p50": st.p50, "p95": st.p95, "limit": st.limit, "over_limit": st.over_limit,
                       "histogram": asdict(st.histogram)},
            "epochs": cost.epochs, "billable_tokens": cost.billable_tokens,
            "estimated_cost": {"amount": cost.cost, "currency": cost.currency, "price_per_1m": cost.price_per_1m,
                               "price_date": cost.price_date, "price_source": cost.price_source},
        }


Event = Problem | ValidationProgress | Report


def _freeze(x: Any) -> Any:
    """A hashable stand-in of parsed JSON (for duplicate detection)."""
    if type(x) is list:  # fast path: plain {"role", "content": str} messages
        out = []
        for m in x:
            if type(m) is dict and len(m) == 2 and type(m.get("content")) is str and type(m.get("role")) is str:
                out.append((m["role"], m["content"]))
            else:
                out.append(_freeze(m))
        return tuple(out)
    if isinstance(x, dict):
        return tuple((k, _freeze(v)) for k, v in sorted(x.items()))
    if isinstance(x, list):
        return tuple(_freeze(v) for v in x)
    return x


def prompt_answer_keys(obj: Any, fmt: str) -> tuple[int, int] | None:
    """(hash of the prompt, hash of the answer) of an example, or None if it has no such split."""
    if not isinstance(obj, dict):
        return None
    if fmt == PREFERENCE:
        return hash(_freeze(obj.get("input"))), hash(_freeze([obj.get("preferred_output"),
                                                               obj.get("non_preferred_output")]))
    messages = obj.get("messages")
    if not isinstance(messages, list):
        return None
    if fmt == REINFORCEMENT:
        rest = {k: v for k, v in obj.items() if k != "messages"}
        return hash(_freeze(messages)), hash(_freeze(rest))
    last = None
    for i in range(len(messages) - 1, -1, -1):
        m = messages[i]
        if isinstance(m, dict) and m.get("role") == "assistant":
            last = i
            break
    if last is None:
        return hash(_freeze(messages)), 0
    prompt = (_freeze(messages[:last]), _freeze(obj.get("tools")), _freeze(obj.get("functions")))
    return hash(prompt), hash(_freeze(messages[last:]))


def example_fingerprints(path: Path | str, *, fmt: str | None = None) -> dict[int, int]:
    """{hash of a whole example: its line} for every parseable example of a file (for `against`)."""
    fh, _ = open_dataset(path)
    out: dict[int, int] = {}
    with fh:
        for number, _off, raw, _ended in iter_raw_lines(fh):
            if number == 1 and raw.startswith(BOM):
                raw = raw[3:]
            try:
                obj = json.loads(raw)
            except (ValueError, UnicodeDecodeError):
                continue
            keys = prompt_answer_keys(obj, fmt or checks.line_format(obj))
            if keys is not None:
                out.setdefault(hash(keys), number)
    return out


def detect_format(path: Path | str, *, lines: int = DETECT_LINES) -> str:
    """The format of a file from a vote of its first lines (chat when nothing tells)."""
    fh, _ = open_dataset(path)
    votes: dict[str, int] = {}
    with fh:
        for number, _off, raw, _ended in iter_raw_lines(fh, chunk_size=1 << 16):
            if number > lines:
                break
            try:
                f = checks.line_format(json.loads(raw[3:] if number == 1 and raw.startswith(BOM) else raw))
            except (ValueError, UnicodeDecodeError, RecursionError):
                continue
            votes[f] = votes.get(f, 0) + 1
    return checks.decide_format(votes)


class _Run:
    """State of one validation pass (kept apart from the generator for readability)."""

    def __init__(self, path: str, model: str, fmt: str | None, count_tokens: bool,
                 against: dict[int, int] | None, against_path: str | None, max_per_code: int,
                 threads: int) -> None:
        self.report = Report(path=path, model=model, against=against_path)
        self.report.example_tokens = array("l")
        self.report.example_lines = array("l")
        self.fmt = fmt
        self.limit = token_limit(model)
        self.max_per_code = max_per_code
        self.seen: dict[int, int] = {}  # prompt hash -> line | (answer hash bits << 32)
        self.against = against
        self.counter = None
        if count_tokens:
            from core.dataset.tokens import TokenCounter
            self.counter = TokenCounter(model, threads=threads)
        self.batch_items: list[tuple[int, list[str]]] = []
        self.batch_lines: list[int] = []
        self.pending: list[tuple[list[int], Any]] = []

    def problem(self, line: int, code: str, message: str, sev: str | None = None) -> Problem | None:
        """Record a problem; returns it to be yielded, or None past the per-code cap."""
        n = self.report.counts.get(code, 0) + 1
        self.report.counts[code] = n
        if n > self.max_per_code:
            return None
        p = Problem(line, code, message, sev or checks.severity(code))
        (self.report.errors if p.severity == "error" else self.report.warnings).append(p)
        return p

    def example(self, number: int, obj: Any, text: str) -> list[Problem]:
        """Check one parsed line of the decided format; queue its tokens."""
        out = []
        for code, msg, sev in checks.check_line(obj, self.fmt):
            p = self.problem(number, code, msg, sev)
            if p:
                out.append(p)
        if not isinstance(obj, dict):
            return out
        self.report.examples += 1
        found = checks.special_tokens_in(text)
        if found:
            p = self.problem(number, "special_token", f"the text contains {', '.join(found)}, which the "
                                                      "model treats as plain text here; remove it")
            if p:
                out.append(p)
        keys = prompt_answer_keys(obj, self.fmt)
        if keys is not None:
            out.extend(self._duplicates(number, keys))
        if self.counter is not None:
            from core.dataset.tokens import example_pieces
            pieces: list[str] = []
            self.batch_items.append((example_pieces(obj, pieces), pieces))
            self.batch_lines.append(number)
        return out

    def _duplicates(self, number: int, keys: tuple[int, int]) -> list[Problem]:
        out = []
        prompt, answer = keys
        bits = (answer & 0x7FFFFFFF) << 32
        prev = self.seen.get(prompt)
        if prev is None:
            self.seen[prompt] = number | bits
        else:
            first = prev & 0xFFFFFFFF
            if prev & ~0xFFFFFFFF == bits:
                p = self.problem(number, "duplicate_example", f"the same example is on line {first}; "
                                                              "delete one of them")
            elif self.fmt == CHAT:
                p = self.problem(number, "conflicting_answers", f"line {first} has the same prompt with a "
                                                                "different answer; keep the answer you want")
            else:
                p = None
            if p:
                out.append(p)
        if self.against is not None:
            other = self.against.get(hash(keys))
            if other is not None:
                p = self.problem(number, "shared_with_training", f"this example is also line {other} of the "
                                                                 "training file; a held-out file should only "
                                                                 "hold examples the model has not seen")
                if p:
                    out.append(p)
        return out

    def flush(self, wait_all: bool = False) -> list[Problem]:
        """Send the current batch to the counter; collect finished batches (in order)."""
        if self.counter is None:
            return []
        if self.batch_items:
            self.pending.append((self.batch_lines, self.counter.start_batch(self.batch_items)))
            self.batch_items, self.batch_lines = [], []
        out = []
        while self.pending and (wait_all or len(self.pending) > 2):
            lines, batch = self.pending.pop(0)
            for line, tokens in zip(lines, self.counter.finish_batch(batch)):
                self.report.example_tokens.append(tokens)
                self.report.example_lines.append(line)
                if tokens > self.limit:
                    p = self.problem(line, "too_many_tokens", f"{tokens:,} tokens; {self.report.model} trains on "
                                                              f"at most {self.limit:,} per example and cuts the "
                                                              "rest; shorten or split this example")
                    if p:
                        out.append(p)
        return out

    def close(self) -> None:
        if self.counter is not None:
            self.counter.close()


def iter_validate(path: Path | str, *, model: str | None = None, format: str | None = None,
                  against: Path | str | None = None, count_tokens: bool = True,
                  max_per_code: int = MAX_PER_CODE, threads: int = 1,
                  chunk_size: int = 1 << 20) -> Iterator[Event]:
    """Validate `path` streaming: yields Problems as found, ValidationProgress per MiB, then the Report.

    format: force chat | preference | reinforcement (default: detected from the first lines).
    against: a training file; examples of `path` also in it are reported (shared_with_training).
    Raises NotAFileError / UnreadableFileError / BinaryFileError (DatasetError) if it cannot be read.
    """
    path = str(path)
    model = model or DEFAULT_MODEL
    if format is not None and format not in checks.FORMATS:
        raise ValueError(f"format must be one of {', '.join(checks.FORMATS)}")
    fingerprints = example_fingerprints(against) if against is not None else None
    fh, stamp = open_dataset(path)
    run = _Run(path, model, format, count_tokens, fingerprints, str(against) if against else None,
               max_per_code, threads)
    report = run.report
    report.size = stamp.size
    try:
        with fh:
            head = fh.read(SNIFF_BYTES)
            if b"\0" in head:
                raise BinaryFileError(f"{path} is a binary file (it contains NUL bytes), not JSONL text",
                                      hint="pick a .jsonl file with one JSON object per line", path=path)
            fh.seek(0)
            if stamp.size > MAX_UPLOAD_BYTES:
                p = run.problem(0, "file_too_large", f"the file is {stamp.size / 2**30:.1f} GiB; OpenAI accepts "
                                                     "at most 8 GB even through the Uploads API; split it")
                yield p
            elif stamp.size > UPLOADS_API_BYTES:
                p = run.problem(0, "large_file_upload", f"the file is {stamp.size / 2**20:,.0f} MiB, over the "
                                                        "512 MB Files API limit; it will be sent through the "
                                                        "Uploads API in parts (up to 8 GB)")
                yield p
            held: list[tuple[int, Any, str]] = []  # lines read before the format is decided
            votes: dict[str, int] = {}
            crlf_first, crlf_count = 0, 0
            next_progress = PROGRESS_EVERY
            for number, offset, raw, ended in iter_raw_lines(fh, chunk_size=chunk_size):
                report.lines = number
                if offset >= next_progress:
                    next_progress = offset + PROGRESS_EVERY
                    yield from run.flush()
                    yield ValidationProgress(offset, stamp.size, number, report.examples,
                                             len(report.errors), len(report.warnings))
                if number == 1 and raw.startswith(BOM):
                    raw = raw[3:]
                    yield from _some(run.problem(1, "bom", "the file starts with a UTF-8 byte order mark "
                                                           "(BOM); save it as UTF-8 without BOM"))
                if raw.endswith(b"\r"):
                    raw = raw[:-1]
                    crlf_count += 1
                    crlf_first = crlf_first or number
                if not raw.strip():
                    yield from _some(run.problem(number, "blank_line", "this line is empty; delete it "
                                                                       "(every line must hold one example)"))
                    continue
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    if b"\0" in raw:
                        yield from _some(run.problem(number, "nul_byte", "this line contains NUL bytes "
                                                                         "(binary data); remove them"))
                    else:
                        yield from _some(run.problem(
                            number, "invalid_utf8", f"byte {exc.start + 1} of this line is not valid UTF-8; "
                                                    "re-save the file as UTF-8"))
                    continue
                try:
                    obj = json.loads(text)
                except ValueError as exc:
                    if "\0" in text:
                        code, msg = "nul_byte", "this line contains NUL bytes (binary data); remove them"
                    elif not ended:
                        code, msg = "truncated_line", ("the last line is cut off (no newline at the end and "
                                                       "incomplete JSON); complete it or delete it")
                    else:
                        code, msg = "invalid_json", f"not valid JSON: {_json_reason(exc)}; fix or delete " \
                                                    "this line"
                    yield from _some(run.problem(number, code, msg))
                    continue
                except RecursionError:
                    yield from _some(run.problem(number, "invalid_json", "JSON nested too deeply; flatten it"))
                    continue
                if run.fmt is None:
                    held.append((number, obj, text))
                    f = checks.line_format(obj)
                    votes[f] = votes.get(f, 0) + 1
                    if len(held) < DETECT_LINES:
                        continue
                    run.fmt = checks.decide_format(votes)
                    for n, o, t in held:
                        yield from run.example(n, o, t)
                    held = []
                    continue
                yield from run.example(number, obj, text)
                if len(run.batch_items) >= BATCH_EXAMPLES:
                    yield from run.flush()
            if run.fmt is None:
                run.fmt = checks.decide_format(votes) if held else UNKNOWN
                for n, o, t in held:
                    yield from run.example(n, o, t)
            report.format = run.fmt if run.fmt != UNKNOWN or report.examples else UNKNOWN
            yield from run.flush(wait_all=True)
        if crlf_count:
            yield from _some(run.problem(crlf_first, "crlf_line_endings",
                                         f"{crlf_count:,} line(s) end with \\r\\n (Windows line endings), the "
                                         "first here; save with \\n line endings to be safe"))
        for code, n in list(report.counts.items()):
            if n > max_per_code:
                yield from _some(run.problem(0, "more_problems", f"{n - max_per_code:,} more line(s) with "
                                                                 f"{code} are not listed",
                                             checks.severity(code)))
        if report.examples < MIN_EXAMPLES:
            yield from _some(run.problem(0, "too_few_examples", f"the file has {report.examples} example(s); "
                                                                f"OpenAI needs at least {MIN_EXAMPLES}"))
        elif report.examples < RECOMMENDED_EXAMPLES:
            yield from _some(run.problem(0, "few_examples", f"{report.examples} examples; 50 to 100 good "
                                                            "examples usually give clearly better results"))
        try:
            changed = stamp_path(path) != stamp
        except OSError:
            changed = True
        if changed:
            yield from _some(run.problem(0, "file_changed", "the file changed on disk while it was being "
                                                            "validated; validate it again"))
        report.errors.sort(key=lambda p: p.line)  # held lines were checked after later ones
        report.warnings.sort(key=lambda p: p.line)
        yield ValidationProgress(stamp.size, stamp.size, report.lines, report.examples,
                                 len(report.errors), len(report.warnings))
        yield report
    finally:
        run.close()


def _some(p: Problem | None) -> Iterator[Problem]:
    if p is not None:
        yield p


def _json_reason(exc: ValueError) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} at column {exc.colno}"
    return str(exc)


def validate_path(path: Path | str, *, model: str | None = None,
                  progress: Callable[[int, int], None] | None = None, against: Path | str | None = None,
                  format: str | None = None, count_tokens: bool = True,
                  cancel: threading.Event | None = None) -> Report:
    """Validate the whole file and return the Report (progress(bytes_done, bytes_total) per MiB)."""
    for event in iter_validate(path, model=model, against=against, format=format, count_tokens=count_tokens):
        if isinstance(event, Report):
            return event
        if isinstance(event, ValidationProgress) and progress is not None:
            progress(event.bytes_done, event.bytes_total)
        if cancel is not None and cancel.is_set():
            break
    raise DatasetError("validation was cancelled", code="cancelled", path=str(path))


async def avalidate_path(path: Path | str, **kwargs: Any) -> Report:
    """validate_path in a thread, for async callers."""
    return await asyncio.to_thread(validate_path, path, **kwargs)


async def aiter_validate(path: Path | str, **kwargs: Any) -> AsyncIterator[Event]:
    """iter_validate's events, produced in a thread and delivered to the event loop.

    Breaking out of the `async for` stops the thread at its next event.
    """
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue = asyncio.Queue(maxsize=256)
    stop = threading.Event()
    done = object()

    def produce() -> None:
        try:
            for ev in iter_validate(path, **kwargs):
                if stop.is_set():
                    return
                asyncio.run_coroutine_threadsafe(queue.put(ev), loop).result()
        except BaseException as exc:  # handed to the consumer, raised there
            asyncio.run_coroutine_threadsafe(queue.put(exc), loop).result()
        finally:
            asyncio.run_coroutine_threadsafe(queue.put(done), loop)

    task = loop.run_in_executor(None, produce)
    try:
        while True:
            ev = await queue.get()
            if ev is done:
                break
            if isinstance(ev, BaseException):
                raise ev
            yield ev
    finally:
        stop.set()
        while not task.done():  # unblock a producer waiting on a full queue
            try:
                queue.get_nowait()
            except asyncio.QueueEmpty:
                await asyncio.sleep(0.01)
        await task


def validate_example(obj: Any, *, format: str = CHAT, line: int = 0) -> list[Problem]:
    """Problems of one parsed example on its own (for editing and appending)."""
    out = [Problem(line, code, msg, sev) for code, msg, sev in checks.check_line(obj, format)]
    found = checks.special_tokens_in(json.dumps(obj, ensure_ascii=False)) if isinstance(obj, dict) else []
    if found:
        out.append(Problem(line, "special_token", f"the text contains {', '.join(found)}; remove it", "warning"))
    return out


def validate_text(text: str, *, format: str = CHAT, line: int = 0) -> list[Problem]:
    """Problems of one line of JSON text (for an editor)."""
    if not text.strip():
        return [Problem(line, "blank_line", "the example is empty; write one JSON object")]
    try:
        obj = json.loads(text)
    except ValueError as exc:
        return [Problem(line, "invalid_json", f"not valid JSON: {_json_reason(exc)}")]
    except RecursionError:
        return [Problem(line, "invalid_json", "JSON nested too deeply; flatten it")]
    return validate_example(obj, format=format, line=line)
