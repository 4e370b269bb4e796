"""Random access to the lines of a huge JSONL file without holding it in memory.

`DatasetReader` keeps an index of line start offsets (an array of int64, 8 bytes a line) that it
builds in 1 MiB chunks, lazily: asking for line N indexes only as far as N, so the first example of
a 1 GB file is readable at once while `build_index()` (sync, thread-friendly, with progress
callbacks) or `abuild_index()` finishes the rest. Every read first checks that the file on disk is
still the one that was opened (size, mtime, inode) and raises FileChangedError if not.
Line numbers are 1-based everywhere, like the validator's.
"""

from __future__ import annotations

import asyncio
import errno
import json
import os
import stat
import threading
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ftui.core.dataset.errors import BinaryFileError, DatasetError, FileChangedError, NotAFileError, UnreadableFileError

CHUNK = 1 << 20
SNIFF_BYTES = 64 * 1024  # NUL bytes in here mean a binary file, as git decides it
PREVIEW_BYTES = 64 * 1024  # how much of one line a preview shows
MAX_EXAMPLE_BYTES = 256 << 20  # example() refuses longer lines instead of loading them
BOM = b"\xef\xbb\xbf"

Progress = Callable[[int, int], None]  # (bytes done, bytes total)


@dataclass(frozen=True)
class FileStamp:
    """What identifies one version of a file on disk."""

    size: int
    mtime_ns: int
    inode: int
    device: int

    @classmethod
    def of(cls, st: os.stat_result) -> FileStamp:
        return cls(st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev)

    def describe_change(self, other: FileStamp) -> str:
        if (self.inode, self.device) != (other.inode, other.device):
            return "it was replaced by another file"
        if self.size != other.size:
            return f"its size changed from {self.size:,} to {other.size:,} bytes"
        return "it was modified (new modification time)"


def stamp_path(path: Path | str) -> FileStamp:
    return FileStamp.of(os.stat(path))


def open_dataset(path: Path | str) -> tuple[Any, FileStamp]:
    """Open `path` for binary reading, turning every OS refusal into a DatasetError that says why."""
    p = str(path)
    try:  # look before opening: opening a FIFO would block until someone writes to it
        pre = os.stat(p)
        if not stat.S_ISREG(pre.st_mode) and not stat.S_ISDIR(pre.st_mode):
            raise NotAFileError(f"{p} is not a regular file (a pipe, socket or device)", hint="pick a .jsonl file",
                                path=p)
    except OSError:
        pass  # open() below says what is wrong
    try:
        fh = open(p, "rb", buffering=0)
    except FileNotFoundError as exc:
        raise NotAFileError(f"{p} does not exist", hint="check the path", path=p) from exc
    except IsADirectoryError as exc:
        raise NotAFileError(f"{p} is a folder, not a file", hint="pick a .jsonl file inside it", path=p) from exc
    except PermissionError as exc:
        raise UnreadableFileError(f"no permission to read {p}", hint="check the file's permissions",
                                  path=p) from exc
    except OSError as exc:
        raise UnreadableFileError(f"cannot open {p}: {exc.strerror or exc}", path=p) from exc
    st = os.fstat(fh.fileno())
    if stat.S_ISDIR(st.st_mode):  # Windows opens folders in some cases
        fh.close()
        raise NotAFileError(f"{p} is a folder, not a file", hint="pick a .jsonl file inside it", path=p)
    if not stat.S_ISREG(st.st_mode):
        fh.close()
        raise NotAFileError(f"{p} is not a regular file", hint="pick a .jsonl file", path=p)
    return fh, FileStamp.of(st)


def read_error(path: str, exc: OSError) -> DatasetError:
    if exc.errno == errno.EISDIR:
        return NotAFileError(f"{path} is a folder, not a file", path=path)
    return UnreadableFileError(f"cannot read {path}: {exc.strerror or exc}", path=path)


@dataclass
class LineView:
    """One line for display: its text (maybe cut to a preview), and what we know about its bytes."""

    number: int  # 1-based
    offset: int  # byte offset of the line start
    length: int  # bytes, without the line ending
    text: str  # decoded with replacement characters, at most `limit` bytes of it
    truncated: bool  # text is only the start of the line
    crlf: bool
    utf8_ok: bool  # False if the shown bytes are not valid UTF-8


class DatasetReader:
    """Line-indexed, read-only access to one file; safe to use from several threads."""

    def __init__(self, path: Path | str, *, chunk_size: int = CHUNK) -> None:
        self.path = str(path)
        self._fh, self.stamp = open_dataset(path)
        self._fd = self._fh.fileno()
        self._chunk = chunk_size
        self._lock = threading.RLock()
        self._offsets = array("q", [0])
        self._scanned = 0  # bytes indexed so far
        self.complete = self.stamp.size == 0
        head = self._pread(min(SNIFF_BYTES, self.stamp.size), 0)
        if b"\0" in head:
            self.close()
            raise BinaryFileError(f"{self.path} is a binary file (it contains NUL bytes), not JSONL text",
                                  hint="pick a .jsonl file with one JSON object per line", path=self.path)
        self.has_bom = head.startswith(BOM)

    # -- lifecycle -----------------------------------------------------------------------------
    def close(self) -> None:
        """Close the file and let go of its index (8 bytes a line: 10 MB for a 1 GB file), so a
        closed reader that something still refers to (a finished worker, an old view) costs nothing."""
        with self._lock:
            if not self._fh.closed:
                self._fh.close()
            self._offsets = array("q", [0])

    def __enter__(self) -> DatasetReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def size(self) -> int:
        return self.stamp.size

    # -- change detection ----------------------------------------------------------------------
    def changed(self) -> str | None:
        """None if the file on disk is still the one we opened, else what changed."""
        try:
            now = stamp_path(self.path)
        except FileNotFoundError:
            return "it was deleted or renamed"
        except OSError as exc:
            return f"it cannot be checked any more ({exc.strerror or exc})"
        return None if now == self.stamp else self.stamp.describe_change(now)

    def check_unchanged(self) -> None:
        why = self.changed()
        if why:
            raise FileChangedError(f"{self.path} changed on disk since it was opened: {why}",
                                   hint="reopen the file to see the current version", path=self.path)

    # -- index ---------------------------------------------------------------------------------
    def _pread(self, n: int, offset: int) -> bytes:
        if self._fh.closed:  # its descriptor number may already belong to another file
            raise UnreadableFileError(f"{self.path} was closed", path=self.path)
        try:
            if hasattr(os, "pread"):
                return os.pread(self._fd, n, offset)
            with self._lock:
                os.lseek(self._fd, offset, os.SEEK_SET)
                return os.read(self._fd, n)
        except OSError as exc:
            raise read_error(self.path, exc) from exc

    def index_step(self) -> bool:
        """Index one more chunk; True once the whole file is indexed."""
        with self._lock:
            if self.complete:
                return True
            start = self._scanned
            data = self._pread(min(self._chunk, self.stamp.size - start), start)
            if not data:  # shorter than when opened
                self.check_unchanged()
                self.complete = True
                return True
            offsets = self._offsets
            find = data.find
            pos = find(b"\n")
            while pos != -1:
                offsets.append(start + pos + 1)
                pos = find(b"\n", pos + 1)
            self._scanned = start + len(data)
            if self._scanned >= self.stamp.size:
                self.complete = True
            return self.complete

    def build_index(self, progress: Progress | None = None, cancel: threading.Event | None = None) -> int:
        """Index the whole file (call from a thread); returns the line count."""
        self.check_unchanged()
        while not self.index_step():
            if progress:
                progress(self._scanned, self.stamp.size)
            if cancel is not None and cancel.is_set():
                return self.lines_known
        if progress:
            progress(self.stamp.size, self.stamp.size)
        return self.line_count

    async def abuild_index(self, progress: Progress | None = None,
                           cancel: threading.Event | None = None) -> int:
        return await asyncio.to_thread(self.build_index, progress, cancel)

    @property
    def indexed_bytes(self) -> int:
        return self._scanned

    @property
    def lines_known(self) -> int:
        """Lines whose start and end are known so far (all lines once complete)."""
        n = len(self._offsets) - 1  # lines ended by a newline
        if self.complete and self._offsets[-1] < self.stamp.size:
            n += 1  # last line without trailing newline
        return n

    @property
    def line_count(self) -> int:
        """All lines; indexes the whole file first if needed."""
        while not self.index_step():
            pass
        return self.lines_known

    def _ensure(self, number: int) -> bool:
        while self.lines_known < number and not self.complete:
            self.index_step()
        return number <= self.lines_known

    def has_line(self, number: int) -> bool:
        """Whether line `number` exists, indexing only as far as it (not the whole file)."""
        return number >= 1 and self._ensure(number)

    def line_span(self, number: int) -> tuple[int, int]:
        """(start offset, end offset including its newline) of line `number` (1-based)."""
        if number < 1 or not self._ensure(number):
            raise IndexError(f"line {number} is out of range (the file has {self.lines_known} lines)")
        start = self._offsets[number - 1]
        end = self._offsets[number] if number < len(self._offsets) else self.stamp.size
        return start, end

    # -- reading -------------------------------------------------------------------------------
    def read_line(self, number: int, *, max_bytes: int | None = None) -> bytes:
        """Raw bytes of line `number` without its line ending (at most max_bytes of them)."""
        self.check_unchanged()
        start, end = self.line_span(number)
        data = self._pread(end - start if max_bytes is None else min(end - start, max_bytes), start)
        if len(data) == end - start:
            data = data[:-1] if data.endswith(b"\n") else data
            data = data[:-1] if data.endswith(b"\r") else data
        return data

    def line(self, number: int, *, limit: int = PREVIEW_BYTES) -> LineView:
        """Line `number` ready to show: at most `limit` bytes decoded, flagged when cut short."""
        start, end = self.line_span(number)
        raw = self.read_line(number, max_bytes=limit + 2)
        full = end - start
        ending = 0
        if full and len(raw) < full:  # read whole? then we know the ending
            tail = self._pread(min(2, full), end - min(2, full))
            ending = 2 if tail.endswith(b"\r\n") else 1 if tail.endswith(b"\n") else 0
        length = full - ending if len(raw) < full else len(raw)
        truncated = length > limit
        shown = raw[:limit]
        if number == 1 and shown.startswith(BOM):
            shown = shown[3:]
        try:
            text, ok = shown.decode("utf-8"), True
        except UnicodeDecodeError as exc:
            # a cut in the middle of a character is not an error of the file
            ok = truncated and exc.start >= len(shown) - 3
            text = shown.decode("utf-8", errors="replace")
        crlf = raw.endswith(b"\r") or (ending == 2)
        return LineView(number, start, length, text, truncated, crlf, ok)

    def example(self, number: int, *, max_bytes: int = MAX_EXAMPLE_BYTES) -> Any:
        """Line `number` parsed as JSON (raises DatasetError saying why when it is not)."""
        start, end = self.line_span(number)
        if end - start > max_bytes:
            raise DatasetError(f"line {number} is {(end - start) / 2**20:,.0f} MiB, too long to open as an example",
                               hint="delete it; no model trains on examples this long", path=self.path)
        raw = self.read_line(number)
        if number == 1 and raw.startswith(BOM):
            raw = raw[3:]
        try:
            return json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise DatasetError(f"line {number} is not valid UTF-8 (byte {exc.start + 1})", path=self.path) from exc
        except json.JSONDecodeError as exc:
            raise DatasetError(f"line {number} is not valid JSON: {exc.msg} at column {exc.colno}",
                               path=self.path) from exc

    def iter_lines(self, start: int = 1) -> Iterator[tuple[int, bytes]]:
        """(number, raw bytes) from line `start` on, streaming, indexing as it goes."""
        n = start
        while self._ensure(n):
            yield n, self.read_line(n)
            n += 1

    # -- async wrappers for UI workers ---------------------------------------------------------
    async def aline(self, number: int, *, limit: int = PREVIEW_BYTES) -> LineView:
        return await asyncio.to_thread(self.line, number, limit=limit)

    async def aexample(self, number: int) -> Any:
        return await asyncio.to_thread(self.example, number)


async def aopen_reader(path: Path | str) -> DatasetReader:
    return await asyncio.to_thread(DatasetReader, path)


def iter_raw_lines(fh: Any, *, chunk_size: int = CHUNK,
                   progress: Callable[[int], None] | None = None) -> Iterator[tuple[int, int, bytes, bool]]:
    """Stream (number, offset, line bytes without "\\n", ended_by_newline) from a binary file object.

    Lines longer than a chunk are put together (a 50 MB line is held once, never more).
    `progress(bytes_done)` is called after each chunk.
    """
    number = 0
    offset = 0
    parts: list[bytes] = []  # pieces of a line longer than a chunk, joined once (never re-copied)
    done = 0
    read = fh.read
    while True:
        data = read(chunk_size)
        if not data:
            break
        done += len(data)
        if b"\n" not in data:
            parts.append(data)
            if progress:
                progress(done)
            continue
        if parts:
            parts.append(data)
            data = b"".join(parts)
            parts = []
        lines = data.split(b"\n")
        tail = lines.pop()
        if tail:
            parts.append(tail)
        for line in lines:
            number += 1
            yield number, offset, line, True
            offset += len(line) + 1
        if progress:
            progress(done)
    if parts:
        number += 1
        yield number, offset, b"".join(parts), False
