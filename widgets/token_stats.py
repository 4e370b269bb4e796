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


class TokenStatsPanel(Static):
    """Handed the numbers (`show_summary`), draws them compactly; never computes anything itself."""

    DEFAULT_CSS = """
    TokenStatsPanel { height: auto; padding: 0 1; }
    """

    def show_summary(self, *, examples: int, errors: int, warnings: int, stats: Any = None,
                     cost: Any = None, model: str = "", running: bool = False) -> None:
        """`stats`: core TokenStats (total, min, max, mean, p95, histogram); `cost`: core CostEstimate."""
        grid = Table.grid(padding=(0, 1))
        grid.add_column(style="bold", no_wrap=True, min_width=8)
        grid.add_column(no_wrap=True)
        status = "validating…" if running else ("valid" if not errors else "has errors")
        status_style = "yellow" if running else ("green" if not errors else "red")
        # "parsed": lines that are example objects; the header counts lines.
        grid.add_row("examples", Text.assemble(f"{_n(examples)} parsed", "  ", (status, status_style)))
        grid.add_row("problems", Text.assemble((f"{errors:,} errors", "red" if errors else ""), " · ",
                                               (f"{warnings:,} warnings", "yellow" if warnings else "")))
        if stats is not None and getattr(stats, "examples", 0):
            grid.add_row("tokens", f"{_n(stats.total)} · mean {_n(stats.mean)}")
            grid.add_row("", f"min {_n(stats.min)} · p95 {_n(stats.p95)} · max {_n(stats.max)}")
            hist = getattr(stats, "histogram", None)
            if hist is not None and hist.counts:
                grid.add_row("spread", Text(sparkline(hist.counts), style="cyan"))
            if getattr(stats, "over_limit", 0):
                grid.add_row("", Text(f"{stats.over_limit:,} over {stats.limit:,} tokens (cut)", style="yellow"))
        if cost is not None:
            grid.add_row("model", model or cost.model)
            grid.add_row("billed", f"{_n(cost.billable_tokens)} tok × {cost.epochs} epochs")
            if cost.cost is None:
                grid.add_row("cost", Text("no price for this model", style="yellow"))
            else:
                amount = f"{cost.cost:,.2f}" if cost.cost >= 1 or cost.cost == 0 else f"{cost.cost:.4f}"
                grid.add_row("cost", f"≈ {amount} {cost.currency} ({cost.price_date})")
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
