"""One batch row in full: prompt, expected answer and both answers, judged from here."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from ftui.core.compare.records import Round
from ftui.tui.screens.base import FtuiModal


class RowDetail(FtuiModal[str | None]):
    """Dismisses with the screen position marked better ("left", "right", "tie") or None."""

    CSS_PATH = "modals.tcss"
    BINDINGS = [
        Binding("left_square_bracket", "mark('left')", "Left better", id="compare.row.left",
                tooltip="The left answer is better"),
        Binding("right_square_bracket", "mark('right')", "Right better", id="compare.row.right",
                tooltip="The right answer is better"),
        Binding("equals_sign", "mark('tie')", "Tie", id="compare.row.tie",
                tooltip="Both answers are equally good"),
        Binding("escape", "mark(None)", "Close", id="compare.row.close", tooltip="Back to the table"),
    ]

    def __init__(self, r: Round, names: tuple[str, str]) -> None:
        super().__init__()
        self.r = r
        self.names = names

    def compose(self) -> ComposeResult:
        r = self.r
        left, right = (r.right, r.left) if r.swapped else (r.left, r.right)
        text = Text()
        for title, body, style in [("prompt", r.user, "bold"), ("expected", r.expected or "—", "green"),
                                   (self.names[0], _answer(left), ""), (self.names[1], _answer(right), "")]:
            text.append(f"{title}\n", style="bold reverse")
            text.append(body + "\n\n", style=style)
        with VerticalScroll(id="row-box", classes="compare-modal"):
            yield Static(text)

    def action_mark(self, position: str | None) -> None:
        self.dismiss(position)


def _answer(pane) -> str:
    if pane is None:
        return "(no answer yet)"
    return pane.text + (f"\n⚠ {pane.error}" if pane.error else "")
