"""Find the next line containing some text in a big JSONL file: case-insensitive by Unicode case
folding (so "ünïcödé" finds "Ünïcödé"), read in blocks of lines rather than one read a line,
with progress and a way to stop."""

from __future__ import annotations

from collections.abc import Callable

from ftui.core.dataset.reader import DatasetReader

BLOCK_LINES = 4096  # lines read at once
BLOCK_BYTES = 8 << 20  # at most this many bytes at once (fewer lines when they are long)


def _matcher(needle: str) -> Callable[[bytes], bool]:
    want = needle.casefold()
    ascii_want = want.encode("ascii") if want.isascii() else None

    def matches(raw: bytes) -> bool:
        if ascii_want is not None and raw.isascii():  # bytes.lower is casefold for ASCII, and fast
            return ascii_want in raw.lower()
        return want in raw.decode("utf-8", errors="replace").casefold()

    return matches


def find_line(reader: DatasetReader, needle: str, start: int, direction: int = 1, *,
              include_start: bool = True, progress: Callable[[int, int], None] | None = None,
              cancelled: Callable[[], bool] = lambda: False) -> int | None:
    """The first line from `start` on (or back, direction -1), wrapping around once, whose text
    contains `needle` ignoring case; None if none does or when `cancelled()` turns true.
    `progress(lines looked at, lines to look at)` is called after each block."""
    if not needle:
        return None
    total = reader.line_count
    todo = total if include_start else total - 1
    if todo <= 0:
        return None
    reader.check_unchanged()
    matches = _matcher(needle)
    step = 1 if direction >= 0 else -1
    n = (start - 1 + (0 if include_start else step)) % total + 1
    done = 0
    while done < todo:
        if cancelled():
            return None
        left = todo - done
        if step > 0:  # a block of lines that does not cross the wrap-around
            lo, hi = n, min(total, n + BLOCK_LINES - 1, n + left - 1)
        else:
            lo, hi = max(1, n - BLOCK_LINES + 1, n - left + 1), n
        while True:
            begin, _ = reader.line_span(lo)
            _, end = reader.line_span(hi)
            if end - begin <= BLOCK_BYTES or lo == hi:
                break
            if step > 0:
                hi = lo + (hi - lo) // 2
            else:
                lo = hi - (hi - lo) // 2
        reader.check_unchanged()
        lines = reader._pread(end - begin, begin).split(b"\n")[: hi - lo + 1]
        order = range(len(lines)) if step > 0 else range(len(lines) - 1, -1, -1)
        for i in order:
            if matches(lines[i]):
                return lo + i
        done += hi - lo + 1
        n = hi % total + 1 if step > 0 else (lo - 2) % total + 1
        if progress:
            progress(done, todo)
    return None
