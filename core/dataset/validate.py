"""Validation of training files, streaming, the way OpenAI checks them.

`iter_validate(path)` yields events as it goes: `Problem`s as they are found, `ValidationProgress`
after each batch (1-2 MiB), a `ValidationNote` when how it runs changes (worker processes could not
start, so one process does the work), and finally the `Report` (which keeps the notes too). A UI
worker iterates it and fills its list as problems arrive; stopping the iteration stops the work.
`validate_path()` runs it to the end and returns the Report.
Unreadable paths (missing, folder, no permission, binary) raise a DatasetError subclass.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
from array import array
from bisect import bisect_left
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ftui.core.dataset import checks
from ftui.core.dataset.batch import BatchJob, BatchResult, check_batch, whole_key
from ftui.core.dataset.checks import CHAT, UNKNOWN, Severity
from ftui.core.dataset.errors import BinaryFileError, DatasetError
from ftui.core.dataset.keytable import KeyTable
from ftui.core.dataset.models import DEFAULT_MODEL
from ftui.core.dataset.pool import pool_workers, start_pool
from ftui.core.dataset.reader import BOM, SNIFF_BYTES, open_dataset, stamp_path

MIN_EXAMPLES = 10
RECOMMENDED_EXAMPLES = 50
UPLOADS_API_BYTES = 512 * 1024 * 1024  # files API limit; larger files go through the Uploads API
MAX_UPLOAD_BYTES = 8 * 1024 * 1024 * 1024
DETECT_LINES = 100  # lines read before deciding the file's format
SERIAL_CHUNK = 1 << 20  # bytes per batch when checking in this process (also the progress step)
PARALLEL_CHUNK = 2 << 20  # bytes per batch sent to a worker process
PARALLEL_MIN_BYTES = 64 << 20  # smaller files are checked in this process
MAX_WORKERS = 4
MAX_PER_CODE = 1000  # problems listed per code; the rest are counted
MAX_LINE_BYTES = 256 << 20  # a longer line is reported, never loaded (no example is anywhere near it)
EXAMPLE_BYTES_GUESS = 1000  # bytes per example, for sizing the duplicate table up front
KEYTABLE_MAX_START = 1 << 20  # slots (16 bytes each) the duplicate table may start with


@dataclass(frozen=True)
class Problem:
    line: int  # 1-based; 0 for problems of the whole file
    code: str
    message: str
    severity: Severity = "error"

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


@dataclass(frozen=True)
class ValidationNote:
    """Something about how the validation ran, not about the data (e.g. it fell back to one process)."""
    message: str


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
    notes: list[str] = field(default_factory=list)  # how it ran (ValidationNote messages), not problems

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
        return self.by_line().get(line, [])

    def by_line(self) -> dict[int, list[Problem]]:
        """{line: its problems, errors first}; line 0 holds the file's own. For marking lines in a list."""
        out: dict[int, list[Problem]] = {}
        for p in self.problems:
            out.setdefault(p.line, []).append(p)
        return out

    def summary(self) -> str:
        """One line for a notification or a status bar."""
        verdict = "ready to upload" if self.valid else "needs fixes"
        return (f"{self.examples:,} examples ({self.format}), {len(self.errors)} error(s), "
                f"{len(self.warnings)} warning(s), {self.total_tokens:,} tokens: {verdict}")

    def tokens_at(self, line: int) -> int | None:
        """Tokens of the example on `line`, None if that line was not counted."""
        i = bisect_left(self.example_lines, line)
        if i < len(self.example_lines) and self.example_lines[i] == line:
            return self.example_tokens[i]
        return None

    def stats(self, bins: int = 10):
        from ftui.core.dataset.stats import token_stats
        return token_stats(self.example_tokens, model=self.model, bins=bins)

    def cost(self, *, epochs: int | None = None, prices=None):
        from ftui.core.dataset.stats import estimate_cost
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
            "counts": dict(self.counts), "notes": list(self.notes),
            "tokens": {"total": st.total, "min": st.min, "max": st.max, "mean": round(st.mean, 2),
                       "p50": st.p50, "p95": st.p95, "limit": st.limit, "over_limit": st.over_limit,
                       "histogram": asdict(st.histogram)},
            "epochs": cost.epochs, "billable_tokens": cost.billable_tokens,
            "estimated_cost": {"amount": cost.cost, "currency": cost.currency, "price_per_1m": cost.price_per_1m,
                               "price_date": cost.price_date, "price_source": cost.price_source},
        }


Event = Problem | ValidationProgress | ValidationNote | Report


def example_fingerprints(path: Path | str, *, fmt: str | None = None, portable: bool = True) -> dict[int, int]:
    """{key of a whole example: its line} for every parseable example of a file (for `against`; portable:
    as the keys of batches checked in worker processes, else as those of batches checked in this one)."""
    fmt = fmt or detect_format(path)
    fh, _ = open_dataset(path)
    out: dict[int, int] = {}
    with fh:
        for job in _jobs(fh, fmt, DEFAULT_MODEL, count_tokens=False, chunk_size=1 << 20, portable=portable):
            res = check_batch(job)
            for line, pk, ak in zip(res.key_lines, res.prompt_keys, res.answer_keys):
                out.setdefault(whole_key(pk, ak), line)
    return out


def detect_format(path: Path | str, *, lines: int = DETECT_LINES, max_bytes: int = 8 << 20) -> str:
    """The format of a file from a vote of its first lines (chat when nothing tells).

    Reads at most `max_bytes`: a first line longer than that does not vote.
    """
    fh, _ = open_dataset(path)
    with fh:
        head = fh.read(max_bytes)
        at_end = not fh.read(1)
    rows = head.split(b"\n")
    if not at_end:
        rows.pop()  # cut off by max_bytes
    votes: dict[str, int] = {}
    for number, raw in enumerate(rows[:lines], start=1):
        try:
            f = checks.line_format(json.loads(raw[3:] if number == 1 and raw.startswith(BOM) else raw))
        except (ValueError, UnicodeDecodeError, RecursionError):
            continue
        votes[f] = votes.get(f, 0) + 1
    return checks.decide_format(votes)


def _jobs(fh: Any, fmt: str, model: str, *, count_tokens: bool, chunk_size: int,
          portable: bool) -> Iterator[BatchJob]:
    """Cut the file into batches of whole lines (a line longer than a chunk is gathered, not copied twice;
    one longer than MAX_LINE_BYTES is skipped unread and reported, so memory stays bounded). portable: keys
    that compare across processes (needed when worker processes check some of the batches)."""
    def job(first: int, data: bytes, final: bool, too_long: bool = False) -> BatchJob:
        return BatchJob(first, data, final, fmt, model, count_tokens, too_long=too_long, portable_keys=portable)

    line = 1
    parts: list[bytes] = []
    held = 0  # bytes in parts
    skipping = False  # inside a line too long to hold
    while True:
        data = fh.read(chunk_size)
        if not data:
            break
        cut = data.rfind(b"\n")
        if skipping:
            first = data.find(b"\n")
            if first == -1:
                continue
            yield job(line, b"", False, too_long=True)
            line += 1
            skipping = False
            data = data[first + 1:]
            cut = data.rfind(b"\n")
        if cut == -1:
            parts.append(data)
            held += len(data)
            if held > MAX_LINE_BYTES:
                parts, held, skipping = [], 0, True
            continue
        head = b"".join(parts) + data[:cut + 1] if parts else data[:cut + 1]
        parts = [data[cut + 1:]] if cut + 1 < len(data) else []
        held = len(data) - cut - 1
        yield job(line, head, False)
        line += head.count(b"\n")
    if skipping:
        yield job(line, b"", True, too_long=True)
    elif parts:
        yield job(line, b"".join(parts), True)


class _Merge:
    """Puts batch results together: caps per code, duplicates across the file, totals."""

    def __init__(self, report: Report, fmt: str, max_per_code: int, against: dict[int, int] | None,
                 size: int = 0) -> None:
        self.report = report
        self.fmt = fmt
        self.max_per_code = max_per_code
        # prompt key -> line | (answer bits << 32); sized for the file (an example takes ~1 kB or more),
        # so it seldom grows, and at most 16 MB up front
        self.seen = KeyTable(min(size // EXAMPLE_BYTES_GUESS, KEYTABLE_MAX_START))
        self.against = against
        self.crlf_first = 0
        self.crlf_count = 0

    def problem(self, line: int, code: str, message: str, sev: Severity | None = None) -> Problem | None:
        """Record a problem; returns it to be yielded, or None past the per-code cap."""
        n = self.report.counts.get(code, 0) + 1
        self.report.counts[code] = n
        if n > self.max_per_code:
            return None
        p = Problem(line, code, message, sev or checks.severity(code))
        (self.report.errors if p.severity == "error" else self.report.warnings).append(p)
        return p

    def add(self, res: BatchResult) -> Iterator[Problem]:
        report = self.report
        for line, code, msg, sev in res.problems:
            p = self.problem(line, code, msg, sev)
            if p is not None:
                yield p
        report.lines += res.lines
        report.examples += len(res.example_lines)
        report.example_lines.extend(res.example_lines)
        report.example_tokens.extend(res.example_tokens)
        if res.crlf_count:
            self.crlf_count += res.crlf_count
            self.crlf_first = self.crlf_first or res.crlf_first
        if self.against is None:  # the common case: one pass over the keys in the table, a loop over repeats only
            values = [line | ((ak & 0x7FFFFFFF) << 32) for line, ak in zip(res.key_lines, res.answer_keys)]
            for position, prev in self.seen.setdefault_many(res.prompt_keys, values):
                p = self._repeat(res.key_lines[position], values[position], prev)
                if p is not None:
                    yield p
            return
        seen, against = self.seen, self.against
        for line, pk, ak in zip(res.key_lines, res.prompt_keys, res.answer_keys):
            value = line | ((ak & 0x7FFFFFFF) << 32)
            earlier = seen.setdefault(pk, value)
            repeat = None if earlier is None else self._repeat(line, value, earlier)
            if repeat is not None:
                yield repeat
            other = against.get(whole_key(pk, ak))
            if other is not None:
                p = self.problem(line, "shared_with_training", f"this example is also line {other} of the "
                                                               "training file; a held-out file should only "
                                                               "hold examples the model has not seen")
                if p is not None:
                    yield p

    def _repeat(self, line: int, value: int, prev: int) -> Problem | None:
        """The problem of an example whose prompt was seen before: `value` and `prev` hold line | answer bits."""
        if prev & ~0xFFFFFFFF == value & ~0xFFFFFFFF:
            return self.problem(line, "duplicate_example", f"the same example is on line {prev & 0xFFFFFFFF}; "
                                                           "delete one of them")
        if self.fmt == CHAT:
            return self.problem(line, "conflicting_answers", f"line {prev & 0xFFFFFFFF} has the same prompt with "
                                                             "a different answer; keep the answer you want")
        return None


def _auto_workers(size: int, workers: int | None, min_bytes: int = PARALLEL_MIN_BYTES) -> int:
    """`workers` when given, else what pool_workers decides from the file's size and the idle cores."""
    if workers is not None:
        return max(0, workers)
    return pool_workers(size, min_bytes=min_bytes, max_workers=MAX_WORKERS)


def iter_validate(path: Path | str, *, model: str | None = None, format: str | None = None,
                  against: Path | str | None = None, count_tokens: bool = True,
                  max_per_code: int = MAX_PER_CODE, workers: int | None = None,
                  chunk_size: int | None = None, parallel_min_bytes: int = PARALLEL_MIN_BYTES,
                  ) -> Iterator[Event]:
    """Validate `path` streaming: yields Problems as found, ValidationProgress per batch, then the Report.

    format: force chat | preference | reinforcement (default: detected from the first lines).
    against: a training file; examples of `path` also in it are reported (shared_with_training).
    workers: processes checking batches in parallel (default: one per idle core, when at least two are
    idle, for files over `parallel_min_bytes`, 64 MiB; none for smaller ones, where starting them would
    cost more than it saves, nor on a busy machine, where they cost CPU and save no time: see
    pool_workers). If they cannot start or stop working, one process finishes the work and a
    ValidationNote says so.
    Raises NotAFileError / UnreadableFileError / BinaryFileError (DatasetError) if it cannot be read.
    """
    path = str(path)
    model = model or DEFAULT_MODEL
    if format is not None and format not in checks.FORMATS:
        raise ValueError(f"format must be one of {', '.join(checks.FORMATS)}")
    fh, stamp = open_dataset(path)
    with fh:
        if b"\0" in fh.read(SNIFF_BYTES):
            raise BinaryFileError(f"{path} is a binary file (it contains NUL bytes), not JSONL text",
                                  hint="pick a .jsonl file with one JSON object per line", path=path)
        fh.seek(0)
    fmt = format or detect_format(path)
    n_workers = _auto_workers(stamp.size, workers, parallel_min_bytes)
    portable = n_workers > 0  # batches may be checked in several processes
    fingerprints = example_fingerprints(against, portable=portable) if against is not None else None
    report = Report(path=path, model=model, against=str(against) if against else None, format=fmt)
    report.size = stamp.size
    report.example_tokens = array("q")
    report.example_lines = array("q")
    merge = _Merge(report, fmt, max_per_code, fingerprints, stamp.size)
    chunk = chunk_size or (PARALLEL_CHUNK if n_workers else SERIAL_CHUNK)
    if stamp.size > MAX_UPLOAD_BYTES:
        yield from _some(merge.problem(0, "file_too_large", f"the file is {stamp.size / 2**30:.1f} GiB; OpenAI "
                                                            "accepts at most 8 GB even through the Uploads API; "
                                                            "split it"))
    elif stamp.size > UPLOADS_API_BYTES:
        yield from _some(merge.problem(0, "large_file_upload", f"the file is {stamp.size / 2**20:,.0f} MiB, over "
                                                               "the 512 MB Files API limit; it will be sent through "
                                                               "the Uploads API in parts (up to 8 GB)"))
    fh, _ = open_dataset(path)
    with fh:
        done = 0
        jobs = _jobs(fh, fmt, model, count_tokens=count_tokens, chunk_size=chunk, portable=portable)
        for item in _checked(jobs, n_workers):
            if isinstance(item, str):
                report.notes.append(item)
                yield ValidationNote(item)
                continue
            job_size, res = item
            yield from merge.add(res)
            done += job_size
            yield ValidationProgress(done, stamp.size, report.lines, report.examples,
                                     len(report.errors), len(report.warnings))
    if merge.crlf_count:
        yield from _some(merge.problem(merge.crlf_first, "crlf_line_endings",
                                       f"{merge.crlf_count:,} line(s) end with \\r\\n (Windows line endings), "
                                       "the first here; save with \\n line endings to be safe"))
    for code, n in list(report.counts.items()):
        if n > max_per_code:
            yield from _some(merge.problem(0, "more_problems", f"{n - max_per_code:,} more line(s) with "
                                                               f"{code} are not listed", checks.severity(code)))
    if report.examples < MIN_EXAMPLES:
        yield from _some(merge.problem(0, "too_few_examples", f"the file has {report.examples} example(s); "
                                                              f"OpenAI needs at least {MIN_EXAMPLES}"))
    elif report.examples < RECOMMENDED_EXAMPLES:
        yield from _some(merge.problem(0, "few_examples", f"{report.examples} examples; 50 to 100 good "
                                                          "examples usually give clearly better results"))
    try:
        changed = stamp_path(path) != stamp
    except OSError:
        changed = True
    if changed:
        yield from _some(merge.problem(0, "file_changed", "the file changed on disk while it was being "
                                                          "validated; validate it again"))
    if report.examples == 0 and report.lines == 0:
        report.format = UNKNOWN if format is None else format
    report.errors.sort(key=lambda p: p.line)
    report.warnings.sort(key=lambda p: p.line)
    yield ValidationProgress(stamp.size, stamp.size, report.lines, report.examples,
                             len(report.errors), len(report.warnings))
    yield report


def _why(exc: BaseException) -> str:
    """The exception in one short line (some, like multiprocessing's, span many)."""
    first = next((ln.strip() for ln in str(exc).splitlines() if ln.strip()), "")
    return f"{type(exc).__name__}: {first[:160]}" if first else type(exc).__name__


def _checked(jobs: Iterator[BatchJob], n_workers: int) -> Iterator[tuple[int, BatchResult] | str]:
    """(bytes, result) of each batch in file order, in `n_workers` processes or in this one.

    If the processes cannot start, or stop working midway, a note (a str) is yielded and this
    process checks the rest, the unfinished batches included, so the report is the same either way.
    """
    if n_workers:
        try:
            pool = start_pool(n_workers)
        except Exception as exc:  # noqa: BLE001 -- whatever stops processes starting, one process can do the work
            yield f"worker processes could not start ({_why(exc)}); checking in one process instead"
        else:
            returned = 0
            try:
                for item in _parallel(pool, jobs, n_workers * 2):
                    returned += 1
                    yield item
                return
            except _PoolBroke as broke:
                what = "stopped working" if returned else "could not start"  # they start on first use
                yield f"worker processes {what} ({_why(broke.cause)}); checking in one process instead"
                jobs = itertools.chain(broke.unfinished, jobs)
            finally:
                pool.shutdown(wait=True, cancel_futures=True)
    for job in jobs:
        yield len(job.data), check_batch(job)


class _PoolBroke(Exception):
    def __init__(self, cause: BaseException, unfinished: list[BatchJob]) -> None:
        super().__init__(str(cause))
        self.cause = cause
        self.unfinished = unfinished


def _parallel(pool: ProcessPoolExecutor, jobs: Iterator[BatchJob], depth: int) -> Iterator[tuple[int, BatchResult]]:
    """Results of `jobs` run in `pool`, in order, with at most `depth` in flight (bounded memory).

    Raises _PoolBroke (with the batches not yet returned) when the pool cannot start a worker or
    loses one; an error raised by check_batch itself is raised as it is.
    """
    pending: deque[tuple[BatchJob, Future]] = deque()

    def oldest() -> tuple[int, BatchResult]:
        job, fut = pending[0]
        try:
            res = fut.result()
        except BrokenProcessPool as exc:  # a worker died (killed, out of memory)
            raise _PoolBroke(exc, [j for j, _f in pending]) from exc
        pending.popleft()
        return len(job.data), res

    for job in jobs:
        try:
            pending.append((job, pool.submit(check_batch, job)))  # workers start here, on first use
        except (BrokenProcessPool, OSError, RuntimeError) as exc:  # RuntimeError: no thread for the manager
            raise _PoolBroke(exc, [j for j, _f in pending] + [job]) from exc
        while len(pending) >= depth:
            yield oldest()
    while pending:
        yield oldest()


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
                  cancel: threading.Event | None = None, workers: int | None = None,
                  parallel_min_bytes: int = PARALLEL_MIN_BYTES) -> Report:
    """Validate the whole file and return the Report (progress(bytes_done, bytes_total) per batch;
    notes on how it ran, such as falling back to one process, are in report.notes)."""
    for event in iter_validate(path, model=model, against=against, format=format, count_tokens=count_tokens,
                               workers=workers, parallel_min_bytes=parallel_min_bytes):
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
