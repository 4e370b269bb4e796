"""What every benchmark shares: the row format, the Markdown table, a sandbox, data files.

Benchmarks print figures, they do not assert: each module's `run(quick)` returns rows
`{"benchmark", "measure", "ftui", "reference", "unit", "note"}` and `__main__` prints them.
"""

from __future__ import annotations

import contextlib
import os
import statistics
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = Path(__file__).resolve().parent / ".data"  # big generated inputs, git-ignored
PYTHON = sys.executable
COLUMNS = ("benchmark", "measure", "ftui", "reference", "unit", "note")

Row = dict[str, Any]


def row(benchmark: str, measure: str, ftui: Any, reference: Any = "", unit: str = "",
        note: str = "") -> Row:
    return {"benchmark": benchmark, "measure": measure, "ftui": ftui, "reference": reference,
            "unit": unit, "note": note}


def error_row(benchmark: str, exc: BaseException) -> Row:
    """A benchmark that failed still gets a line, saying why, so the others' figures stand."""
    last = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
    where = f" at {Path(last[0].filename).name}:{last[0].lineno}" if last else ""
    text = f"{type(exc).__name__}: {exc}".replace("\n", " ")[:200]
    return row(benchmark, "ERROR", "-", "-", "", f"{text}{where}")


def run_safely(benchmark: str, fn: Callable[[], list[Row]]) -> list[Row]:
    try:
        return fn()
    except Exception as exc:  # a broken benchmark must not hide the others
        return [error_row(benchmark, exc)]


def fmt(value: Any) -> str:
    if isinstance(value, float):
        if value == 0:
            return "0"
        if abs(value) >= 100:
            return f"{value:,.0f}"
        if abs(value) >= 1:
            return f"{value:.2f}"
        return f"{value:.3g}"
    if isinstance(value, int):
        return f"{value:,}"
    return "" if value is None else str(value)


def markdown_table(rows: list[Row]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "|".join("---" for _ in COLUMNS) + "|"]
    for r in rows:
        cells = [fmt(r.get(c, "")).replace("|", "\\|") for c in COLUMNS]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def print_rows(rows: list[Row]) -> None:
    print(markdown_table(rows), flush=True)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def ratio_note(value: float, reference: float, aim: float | None = None) -> str:
    if not reference or reference != reference:
        return ""
    text = f"{value / reference:.2f}x the reference"
    if aim is not None:
        text += f" (aim <= {aim}x: {'met' if value / reference <= aim else 'NOT met'})"
    return text


def bench_env(home: Path) -> dict[str, str]:
    """An environment whose every ftui/XDG location is under `home`, with no real key."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("OPENAI_", "AZURE_OPENAI_", "FTUI_"))}
    # Let the warm-up runs write .pyc files, as an installed ftui has; otherwise every timed
    # start-up would compile ftui's own modules from source and the minimal app would not.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / "config"),
               XDG_DATA_HOME=str(home / "data"), XDG_CACHE_HOME=str(home / "cache"),
               XDG_STATE_HOME=str(home / "state"),
               PYTHONPATH=str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""))
    return env


@contextlib.contextmanager
def sandbox(speed: float = 1000.0, data_dir: Path | None = None) -> Iterator[str]:
    """A sandbox server on loopback in a background thread; yields its base URL."""
    from ftui.core.server.runner import SandboxThread

    with contextlib.ExitStack() as stack:
        if data_dir is None:
            data_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="ftui-bench-")))
        thread = SandboxThread(speed=speed, data_dir=data_dir)
        base_url = thread.start()
        stack.callback(thread.stop)
        yield base_url


def sandbox_provider(base_url: str):
    """The same Provider the app builds for the sandbox profile."""
    from ftui.core.connect import make_provider
    from ftui.core.settings import load_settings

    return make_provider(load_settings("sandbox", env={}), sandbox_base_url=base_url)


def ensure_file(name: str, size: int, make_line: Callable[[int], bytes]) -> Path:
    """A file of at least `size` bytes under DATA_DIR, made of lines; reused when present."""
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    path = DATA_DIR / name
    if path.exists() and path.stat().st_size >= size:
        return path
    partial = path.with_name(path.name + ".part")
    written, i = 0, 0
    with partial.open("wb") as out:
        chunk: list[bytes] = []
        pending = 0
        while written + pending < size:
            line = make_line(i)
            chunk.append(line)
            pending += len(line)
            i += 1
            if pending >= 4 << 20:
                out.write(b"".join(chunk))
                written += pending
                chunk, pending = [], 0
        out.write(b"".join(chunk))
    partial.replace(path)
    return path
