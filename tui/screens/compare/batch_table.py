"""The batch's table: one row per prompt, keyed by its index. At a narrow width it chooses its
columns (the expected answer goes first, then the line number); the detail line under it has the
highlighted row's prompt and expected answer whole, and enter shows both answers whole."""

from __future__ import annotations

from rich.text import Text

from ftui.core.compare.prompts import PromptExample
from ftui.core.compare.records import Round
from ftui.widgets.keyed_table import Column, KeyedTable

VERDICT = {"left": "◀", "right": "▶", "tie": "="}


def batch_columns(a: str, b: str) -> tuple[Column, ...]:
    """The two answers share the room evenly (the same priority); below 18 cells they stop reading."""
    return (Column("#", priority=6), Column("✓", priority=10), Column("prompt", 18, priority=8),
            Column("expected", 18, priority=5), Column(a, 18, priority=9), Column(b, 18, priority=9))


def flat(text: str | None) -> str:
    return " ".join((text or "").split())


def position_of(r: Round) -> str | None:
    """The column the judgement points at (a blind row's models may sit either way round)."""
    if not r.judgement:
        return None
    if not r.swapped or r.judgement == "tie":
        return r.judgement
    return "right" if r.judgement == "left" else "left"


def _pane(r: Round, position: str):
    side = position if not r.swapped else ("right" if position == "left" else "left")
    return side, getattr(r, side)


def answer_cell(r: Round | None, position: str) -> Text:
    if r is None:
        return Text("…", style="dim")
    side, pane = _pane(r, position)
    if pane and pane.error and not pane.text:
        return Text("⚠ " + flat(pane.error), style="red")
    text = Text(flat(pane.text if pane else ""))
    if pane and pane.error:
        text = Text("⚠ ", style="red") + text  # at the start: a cut cell still shows it
    if r.judgement == side:
        text.stylize("bold green")
    return text


def row_cells(ex: PromptExample, r: Round | None, retry: int | None = None) -> tuple:
    """Every cell whole (the table cuts what does not fit); `retry`: 0 while sent again, else
    the SDK's own attempt under way."""
    if retry is not None:
        again = Text(f"↻ retry {retry}…" if retry else "↻ retrying…", style="bold")
        return str(ex.line), "", flat(ex.user), flat(ex.expected) or "—", again, again.copy()
    position = position_of(r) if r else None
    return (str(ex.line), VERDICT[position] if position else "", flat(ex.user), flat(ex.expected) or "—",
            answer_cell(r, "left"), answer_cell(r, "right"))


def row_detail(ex: PromptExample, r: Round | None, names: tuple[str, str]) -> str:
    """The highlighted row in words: what the table cuts or leaves out."""
    parts = [f"line {ex.line}"]
    position = position_of(r) if r else None
    if position:  # the column's name: a blind row says A or B, never the model
        parts.append("tie" if position == "tie" else f"{names[position == 'right']} better")
    parts += [f"prompt: {flat(ex.user)}", f"expected: {flat(ex.expected) or '—'}"]
    for position, name in zip(("left", "right"), names):
        pane = _pane(r, position)[1] if r else None
        if pane and pane.error:
            parts.append(f"{name}: ⚠ {flat(pane.error)}")
    if r is not None:
        parts.append("enter: both answers whole")
    return " · ".join(parts)


class BatchTable(KeyedTable[int]):
    """Rows are the prompts' indexes; the screen draws them (row_of, detail_of)."""

    @staticmethod
    def key_of(item: int) -> str:
        return str(item)
