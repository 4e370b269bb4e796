"""The Data screen's calls into core, run from its thread workers (never on the UI loop).

Thin on purpose: validation comes from core.dataset.validate, token statistics and cost from
core.dataset.stats, and every write from core.dataset.writer (atomic, with backup and undo).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ftui.core.dataset.validate import Problem, Report, ValidationProgress, iter_validate


@dataclass
class ValidationResult:
    report: Report
    stats: Any  # core.dataset.stats.TokenStats
    cost: Any  # core.dataset.stats.CostEstimate


def run_validation(path: Path, model: str, *, progress: Callable[[int, int], None] | None = None,
                   on_problem: Callable[[Problem], None] | None = None,
                   cancelled: Callable[[], bool] = lambda: False) -> ValidationResult | None:
    """Validate `path` streaming; problems go to on_problem as found. None if cancelled."""
    for event in iter_validate(path, model=model):
        if cancelled():
            return None
        if isinstance(event, Problem):
            if on_problem:
                on_problem(event)
        elif isinstance(event, ValidationProgress):
            if progress:
                progress(event.bytes_done, event.bytes_total)
        elif isinstance(event, Report):
            return ValidationResult(event, event.stats(bins=24), event.cost())
    return None


# -- writes (core.dataset.writer: atomic, backed up, refused if the file changed since `stamp`) ----
# The writer replaces the file only once the new copy is fully on disk, so when the disk is full
# (or the folder read-only) the file is as it was: the screens say so and keep what was typed.
def _write(path: Path, do: Callable[[], Any]) -> Any:
    try:
        return do()
    except OSError as exc:
        from ftui.core.errors import CoreError

        reason = exc.strerror or str(exc)
        number = f" [Errno {exc.errno}]" if exc.errno else ""
        raise CoreError(f"could not write {path.name}: {reason}{number}", kind="io",
                        hint=f"{path.name} is unchanged; free some space (or fix the folder) and try again") from exc


def undo_note(path: Path) -> str:
    """How much undo is kept for `path`, and where its bound is set."""
    from ftui.core.dataset.writer import backup_usage, undo_bounds

    steps, used = backup_usage(path)
    most_steps, most_bytes = undo_bounds()
    return (f"u undoes · undo: {steps} of {most_steps} steps, {used / 2**20:,.1f} of {most_bytes >> 20:,} MB in "
            ".ftui-backups/ (config.toml [dataset] undo_steps, undo_mb)")


def replace_line(path: Path, line: int, example: Any, stamp: Any = None) -> str:
    from ftui.core.dataset import writer

    _write(path, lambda: writer.edit_line(path, line, example, expected=stamp))
    return f"Line {line} saved · {undo_note(path)}"


def append_example(path: Path, example: Any, stamp: Any = None) -> tuple[str, int]:
    from ftui.core.dataset import writer

    result = _write(path, lambda: writer.append_example(path, example, expected=stamp))
    note = undo_note(path)
    return f"Example added as line {result.line} (appended, the file was not rewritten) · {note}", result.line


def delete_line(path: Path, line: int, stamp: Any = None) -> str:
    from ftui.core.dataset import writer

    _write(path, lambda: writer.delete_line(path, line, expected=stamp))
    return f"Line {line} deleted · {undo_note(path)}"


def undo_last(path: Path) -> str:
    from ftui.core.dataset import writer

    _write(path, lambda: writer.undo_last(path))
    return "Last change undone"
