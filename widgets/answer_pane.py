"""One model's answer: earlier turns dimmed, the streaming text, timings and usage below,
and any failure in place (the partial text stays)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from ftui.core.compare.diff import Segment
from ftui.core.compare.pane import PaneResult
from ftui.widgets.word_diff import render_side


def format_stats(result: PaneResult | None) -> str:
    """`ttft 0.21s · 1.30s · 12+40 tok`, or the state when there is nothing to time yet."""
    if result is None:
        return ""
    parts = []
    if result.ttft is not None:
        parts.append(f"ttft {result.ttft:.2f}s")
    if result.total is not None:
        parts.append(f"{result.total:.2f}s")
    if result.usage is not None:
        parts.append(f"{result.usage.prompt_tokens}+{result.usage.completion_tokens} tok")
    if result.status == "streaming":
        parts.append("streaming…")
    return " · ".join(parts)


class AnswerPane(VerticalScroll, can_focus=True):
    AREA = "answer pane"  # how `?` names it
    DEFAULT_CSS = """
    AnswerPane {
        border: round $panel-lighten-2;
        border-title-color: $text;
        border-subtitle-color: $text-muted;
        padding: 0 1;
        height: 1fr;
        width: 1fr;
    }
    AnswerPane:focus { border: round $primary; }
    AnswerPane.-judged-better { border: round $success; }
    AnswerPane > Static { width: 1fr; }
    """

    def __init__(self, title: str = "", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = title
        self.result: PaneResult | None = None
        self.history: list[dict[str, Any]] = []
        self.note: str = ""  # shown when there is no answer yet
        self._diff: Sequence[Segment] | None = None
        self._diff_side = "left"

    def compose(self):
        yield Static("", id="answer-body")

    # What the screen sets ----------------------------------------------------------
    def set_title(self, title: str) -> None:
        self.border_title = title

    def set_history(self, messages: list[dict[str, Any]]) -> None:
        self.history = [m for m in messages if m.get("role") in ("user", "assistant")]
        self._paint()

    def set_note(self, note: str) -> None:
        self.note = note
        self._paint()

    def show(self, result: PaneResult | None) -> None:
        self.result = result
        self.border_subtitle = format_stats(result)
        self._paint()
        if result is not None and result.status == "streaming":
            self.scroll_end(animate=False)

    def show_diff(self, segments: Sequence[Segment] | None, side: str = "left") -> None:
        self._diff, self._diff_side = segments, side
        self._paint()

    # Rendering -------------------------------------------------------------------
    def body_text(self) -> Text:
        text = Text()
        for m in self.history:
            who = "you" if m["role"] == "user" else "model"
            text.append(f"{who}: ", style="bold dim")
            text.append(str(m.get("content", "")) + "\n", style="dim")
        result = self.result
        if result is None:
            if self.note:
                text.append(self.note, style="italic")
            return text
        if self._diff is not None:
            text.append_text(render_side(self._diff, self._diff_side))
        else:
            many = len(result.choices) > 1
            for i, choice in enumerate(result.choices):
                if many:
                    reason = result.finish_reasons[i] if i < len(result.finish_reasons) else None
                    text.append(f"[choice {i + 1}{' · ' + reason if reason else ''}]\n",
                                style="bold")
                text.append(choice)
                if many and i < len(result.choices) - 1:
                    text.append("\n")
        if result.status == "waiting":
            text.append("waiting…", style="italic")
        if result.error:
            style = "bold yellow" if result.status == "cancelled" else "bold red"
            text.append(("\n" if result.text else "") + f"⚠ {result.error}", style=style)
        return text

    def _paint(self) -> None:
        if self.is_mounted:
            self.query_one("#answer-body", Static).update(self.body_text())
