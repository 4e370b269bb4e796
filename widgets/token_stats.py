"""The summary of a validated dataset: counts, token statistics with a small histogram, and cost."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text
from textual.widgets import Static

BLOCKS = " ▁▂▃▄▅▆▇█"


def sparkline(counts: list[int]) -> str:
    """Counts as one line of block characters (empty bins stay blank, any non-zero bin shows)."""
    top = max(counts, default=0)
    if top <= 0:
        return ""
    out = []
    for c in counts:
        level = 0 if c == 0 else max(1, round(c / top * (len(BLOCKS) - 1)))
        out.append(BLOCKS[level])
    return "".join(out)


def _n(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.1f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


VALUE_WIDTH = 25  # columns left for a value in the panel (37 wide, less border, padding and labels)


def _fit(name: str, width: int = VALUE_WIDTH) -> str:
    """A long model id made to fit one row, keeping its distinctive end ("org/" goes first)."""
    if len(name) > width and "/" in name:
        name = name.rsplit("/", 1)[1]
    if len(name) <= width:
        return name
    keep = width - 1
    return f"{name[:keep // 3]}…{name[-(keep - keep // 3):]}"


def _cost_rows(cost: Any, cost_model: Any, approx: str) -> list[tuple[str, Any]]:
    """The rows saying what training this dataset costs, as the provider charges for it."""
    unit = getattr(cost_model, "unit", "per_token")
    billed = f"{approx}{_n(cost.billable_tokens)} tok × {cost.epochs} epochs"
    if unit == "local_time":  # no money: the launch form's estimate measures the time
        return [("cost", "$0 · time on this machine"), ("", Text("F5 on launch measures it", style="dim"))]
    if getattr(cost_model, "quoted", False):  # the provider's own quote, asked for at launch
        return [("billed", billed), ("cost", Text("quoted at launch (F5)", style="dim"))]
    if cost.cost is None:
        return [("billed", billed), ("cost", Text("no price for this model", style="yellow"))]
    amount = f"{cost.cost:,.2f}" if cost.cost >= 1 or cost.cost == 0 else f"{cost.cost:.4f}"
    return [("billed", billed), ("cost", f"≈ {amount} {cost.currency} ({cost.price_date})")]


class TokenStatsPanel(Static):
    """Handed the numbers (`show_summary`), draws them compactly; never computes anything itself."""

    DEFAULT_CSS = """
    TokenStatsPanel { height: auto; padding: 0 1; }
    """

    def show_summary(self, *, examples: int, errors: int, warnings: int, stats: Any = None,
                     cost: Any = None, model: str = "", running: bool = False, cost_model: Any = None,
                     token_note: str | None = None) -> None:
        """`stats`: core TokenStats (total, min, max, mean, p95, histogram); `cost`: core CostEstimate;
        `cost_model`: the provider's core CostModel for training (None: dollars per token);
        `token_note`: set when the counts are approximate (not the model's own tokenizer)."""
        grid = Table.grid(padding=(0, 1))
        grid.add_column(style="bold", no_wrap=True, min_width=8)
        grid.add_column(no_wrap=True)
        status = "validating…" if running else ("valid" if not errors else "has errors")
        status_style = "yellow" if running else ("green" if not errors else "red")
        # "parsed": lines that are example objects; the header counts lines.
        grid.add_row("examples", Text.assemble(f"{_n(examples)} parsed", "  ", (status, status_style)))
        grid.add_row("problems", Text.assemble((f"{errors:,} errors", "red" if errors else ""), " · ",
                                               (f"{warnings:,} warnings", "yellow" if warnings else "")))
        approx = "≈ " if token_note else ""
        if stats is not None and getattr(stats, "examples", 0):
            grid.add_row("tokens", f"{approx}{_n(stats.total)} · mean {_n(stats.mean)}")
            grid.add_row("", f"min {_n(stats.min)} · p95 {_n(stats.p95)} · max {_n(stats.max)}")
            hist = getattr(stats, "histogram", None)
            if hist is not None and hist.counts:
                grid.add_row("spread", Text(sparkline(hist.counts), style="cyan"))
            if getattr(stats, "over_limit", 0):
                grid.add_row("", Text(f"{stats.over_limit:,} over {stats.limit:,} tokens (cut)", style="yellow"))
        if cost is not None:
            grid.add_row("model", _fit(model or cost.model))
            if token_note:
                grid.add_row("", Text(token_note, style="dim"))
            for label, value in _cost_rows(cost, cost_model, approx):
                grid.add_row(label, value)
        self.show(grid)

    drawn: Any = ""

    def show(self, renderable: Any) -> None:
        self.drawn = renderable
        self.update(renderable)

    def plain_text(self, width: int = 40) -> str:
        """What is drawn, as plain text (for tests)."""
        import io

        from rich.console import Console

        console = Console(width=width, record=True, color_system=None, file=io.StringIO())
        console.print(self.drawn)
        return console.export_text()
