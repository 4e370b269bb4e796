"""Starting the validator's worker processes safely, also inside a full-screen terminal app.

multiprocessing starts a "resource tracker" process with the first pool, and hands it
`sys.stderr.fileno()` to keep open. Textual replaces sys.stderr with a capture whose fileno() is -1,
so inside the app every pool failed with `ValueError: bad value(s) in fds_to_keep`. We start the
tracker ourselves first, showing it a stderr without a file number (the tracker then just keeps the
inherited fd 2, as it does when fileno() raises); later pools find it running. Workers whose parent
has no real stderr send their own output to the null device, so nothing they print lands on the screen.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import sys
import threading
from concurrent.futures import ProcessPoolExecutor
from typing import Any

_swap_lock = threading.Lock()


def has_real_fd(stream: Any) -> bool:
    """True when `stream` is backed by an open file descriptor (not a capture or a closed fd)."""
    try:
        os.fstat(stream.fileno())
        return True
    except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation is both
        return False


class _NoFileNumber:
    """Writes go to the wrapped stream; fileno() raises, which the resource tracker skips."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(text)

    def flush(self) -> None:
        self._stream.flush()

    def fileno(self) -> int:
        raise io.UnsupportedOperation("no file number")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def ensure_resource_tracker() -> None:
    """Start (or restart) multiprocessing's resource tracker in a way that works whatever sys.stderr is."""
    if os.name != "posix":  # only POSIX has the tracker process
        return
    from multiprocessing import resource_tracker

    if has_real_fd(sys.stderr):
        resource_tracker.ensure_running()
        return
    with _swap_lock:
        captured = sys.stderr
        wrapper = _NoFileNumber(captured)
        sys.stderr = wrapper
        try:
            resource_tracker.ensure_running()
        finally:
            if sys.stderr is wrapper:  # put back unless someone else changed it meanwhile
                sys.stderr = captured


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity where the system tells, as in a container)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):  # macOS, Windows
        return os.cpu_count() or 1


def load_average() -> float:
    """Runnable processes over the last minute (0 where the system does not tell)."""
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):  # Windows
        return 0.0


def idle_cores(*, cores: int | None = None, load: float | None = None) -> int:
    """Cores that no other program is using now: usable cores less the load average, to the nearest whole
    core (a core counts as idle when less than half of it is in use)."""
    cores = usable_cores() if cores is None else cores
    load = load_average() if load is None else load
    return max(0, min(cores, round(cores - load)))


def pool_workers(size: int, *, min_bytes: int, max_workers: int, idle: int | None = None) -> int:
    """Worker processes worth starting for a file of `size` bytes: one per idle core (at most `max_workers`),
    and none for a file under `min_bytes` or when fewer than two cores are idle.

    Workers cost CPU of their own (each starts Python, builds its encoding, counts the strings that the
    others count too: about 45% more CPU in all on 100 MB), so they pay only where idle cores turn it into
    less wall time; on a busy machine they would only take CPU from the other programs, and one worker
    alone is the one process again plus that cost.
    """
    if size < min_bytes:
        return 0
    idle = idle_cores() if idle is None else idle
    return min(max_workers, idle) if idle >= 2 else 0


def _quiet_output() -> None:
    """Worker initializer: stdout and stderr to the null device (the parent's terminal is an app's screen)."""
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.dup2(null, 2)
    os.close(null)


def start_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of `workers` fresh (spawned) processes. Raises whatever stops it from starting."""
    ensure_resource_tracker()
    quiet = not has_real_fd(sys.stderr)
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_quiet_output if quiet else None)
