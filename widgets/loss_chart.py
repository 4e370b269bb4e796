"""Training and validation curves against step, drawn with braille dots (2x4 per cell).

Hand-drawn rather than plotted so it stays sharp and readable in a small pane at 80x24.
Two views: loss (default) and token accuracy; `series` is handed in, never fetched here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

# Braille dot bits by (column, row) inside a 2x4 cell.
_DOTS = ((0x01, 0x02, 0x04, 0x40), (0x08, 0x10, 0x20, 0x80))
TRAIN_STYLE = Style(color="dodger_blue1")
VALID_STYLE = Style(color="orange1")


@dataclass(frozen=True)
class Series:
    name: str
    points: list[tuple[float, float]]  # (step, value)
    style: Style


def _fmt(value: float) -> str:
    return f"{value:.3f}" if abs(value) < 10 else f"{value:.1f}"


class LossChart(Widget):
    """A braille line chart; set `points` with `set_points(steps, train, valid)`."""

    DEFAULT_CSS = """
    LossChart {
        height: 1fr;
        min-height: 6;
        background: $surface;
    }
    """

    view: reactive[str] = reactive("loss")  # loss | accuracy

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.loss: list[Series] = []
        self.accuracy: list[Series] = []

    def set_metrics(self, metrics: Sequence) -> None:
        """Take core.watch.MetricPoint values (anything with step/train_*/valid_* attributes)."""
        def pts(attr: str) -> list[tuple[float, float]]:
            return [(m.step, getattr(m, attr)) for m in metrics if getattr(m, attr) is not None]

        self.loss = [Series("train loss", pts("train_loss"), TRAIN_STYLE),
                     Series("valid loss", pts("valid_loss"), VALID_STYLE)]
        self.accuracy = [Series("train acc", pts("train_accuracy"), TRAIN_STYLE),
                         Series("valid acc", pts("valid_accuracy"), VALID_STYLE)]
        self.refresh()

    @property
    def point_count(self) -> int:
        return sum(len(s.points) for s in self.loss)

    def toggle_view(self) -> None:
        self.view = "accuracy" if self.view == "loss" else "loss"

    def render(self) -> Text:
        series = [s for s in (self.loss if self.view == "loss" else self.accuracy) if s.points]
        width, height = self.size.width, self.size.height
        title = "loss" if self.view == "loss" else "token accuracy"
        if not series:
            return Text(f"No {title} figures yet: they appear as the job trains.", style="dim")
        return draw(series, width, height, title)


def draw(series: Sequence[Series], width: int, height: int, title: str) -> Text:
    """The chart as text: legend line, plot with y labels, x axis line."""
    all_x = [x for s in series for x, _ in s.points]
    all_y = [y for s in series for _, y in s.points]
    x0, x1 = min(all_x), max(all_x)
    y0, y1 = min(all_y), max(all_y)
    if y1 - y0 < 1e-9:
        y0, y1 = y0 - 0.5, y1 + 0.5
    label_w = max(len(_fmt(y0)), len(_fmt(y1))) + 1
    cols = max(4, width - label_w - 1)
    rows = max(2, height - 2)
    px_w, px_h = cols * 2, rows * 4
    bits = [[0] * cols for _ in range(rows)]
    owner: list[list[Style | None]] = [[None] * cols for _ in range(rows)]

    def to_px(x: float, y: float) -> tuple[int, int]:
        fx = 0.0 if x1 == x0 else (x - x0) / (x1 - x0)
        fy = (y - y0) / (y1 - y0)
        return round(fx * (px_w - 1)), round((1 - fy) * (px_h - 1))

    for s in series:
        pixels = [to_px(x, y) for x, y in s.points]
        prev = None
        for px, py in pixels:
            if prev is None:
                steps = [(px, py)]
            else:
                n = max(abs(px - prev[0]), abs(py - prev[1]), 1)
                steps = [(round(prev[0] + (px - prev[0]) * i / n), round(prev[1] + (py - prev[1]) * i / n))
                         for i in range(1, n + 1)]
            for qx, qy in steps:
                cx, cy = qx // 2, qy // 4
                bits[cy][cx] |= _DOTS[qx % 2][qy % 4]
                owner[cy][cx] = s.style
            prev = (px, py)

    text = Text(no_wrap=True, overflow="crop")
    text.append(f"{title}  ", style="bold")
    for s in series:
        text.append("━━ ", style=s.style)
        text.append(f"{s.name} {_fmt(s.points[-1][1])}  ")
    text.append("\n")
    for r in range(rows):
        label = _fmt(y1) if r == 0 else _fmt(y0) if r == rows - 1 else ""
        text.append(label.rjust(label_w - 1) + " ┤" if label else " " * label_w + "│", style="dim")
        for c in range(cols):
            text.append(chr(0x2800 + bits[r][c]) if bits[r][c] else " ", style=owner[r][c] or "")
        text.append("\n")
    left, right = f"step {int(x0)}", f"{int(x1)}"
    axis = " " * label_w + left + right.rjust(max(1, cols - len(left)))
    text.append(axis, style="dim")
    return text
