"""How ftui writes sizes, times and counts: one format each, so every screen reads the same."""

from __future__ import annotations

import time

NONE = "-"  # a cell with no value


def human_bytes(n: float) -> str:
    """'512 B', '21.0 KB', '46.0 MB', '1,234.5 GB' (units of 1024, as the APIs' limits are given)."""
    size = float(n)
    for unit in ("B", "KB", "MB"):
        if abs(size) < 1024:
            return f"{size:,.0f} {unit}" if unit == "B" else f"{size:,.1f} {unit}"
        size /= 1024
    return f"{size:,.1f} GB"


def count(n: int) -> str:
    """A number of things, grouped: '1,283,413'."""
    return f"{n:,}"


def when(ts: float | None) -> str:
    """A moment in a table or a detail line, local time: '2026-12-02 01:10' ('-' when unknown)."""
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(ts)) if ts else NONE


def short_when(ts: float | None) -> str:
    """The same moment where columns are tight (the jobs table at 80 columns): '12-02 01:10'."""
    return time.strftime("%m-%d %H:%M", time.localtime(ts)) if ts else NONE


def clock(ts: float) -> str:
    """The time of an event line, to the second: '01:10:45'."""
    return time.strftime("%H:%M:%S", time.localtime(ts))


def human_seconds(seconds: float) -> str:
    """A span of time as a person says it: '45 s', '3 min 05 s', '2 h 10 min'."""
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"
