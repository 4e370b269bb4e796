"""A job's event log that draws only the lines on screen, so 20,000 events scroll smoothly.

Events are handed in (oldest first); new ones are appended, older history is prepended.
In follow mode the view sticks to the newest line.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.geometry import Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ftui.core.types import JobEvent
from ftui.widgets.formats import clock

LEVEL_STYLES = {
    "info": Style(),
    "warn": Style(color="yellow"),
    "warning": Style(color="yellow"),
    "error": Style(color="red", bold=True),
}
TIME_STYLE = Style(dim=True)
METRICS_STYLE = Style(color="cyan")


def metrics_text(event: JobEvent) -> str | None:
    """A metrics event as a compact line of figures (its message repeats a plain event's)."""
    data = event.data or {}
    if event.type != "metrics" or "step" not in data:
        return None
    total = data.get("total_steps")
    parts = [f"step {data['step']}" + (f"/{total}" if total else "")]
    for key, label in (("train_loss", "loss"), ("train_mean_token_accuracy", "acc"),
                       ("valid_loss", "valid loss"), ("valid_mean_token_accuracy", "valid acc"),
                       ("full_valid_loss", "full valid loss")):
        value = data.get(key)
        if isinstance(value, (int, float)):
            parts.append(f"{label} {value:.4f}")
    return "▸ " + " · ".join(parts)


class EventLog(ScrollView, can_focus=True):
    """Read-only list of job events with level colours and a follow mode."""
    AREA = "event log"  # how `?` names it

    DEFAULT_CSS = """
    EventLog {
        background: $surface;
        scrollbar-size-vertical: 1;
    }
    """
    BINDINGS = [
        Binding("up,k", "scroll_up", "Up", show=False, id="event_log.up", tooltip="Scroll up a line"),
        Binding("down,j", "scroll_down", "Down", show=False, id="event_log.down",
                tooltip="Scroll down a line"),
        Binding("pageup", "page_up", "Page up", show=False, id="event_log.page_up",
                tooltip="Scroll up a page"),
        Binding("pagedown", "page_down", "Page down", show=False, id="event_log.page_down",
                tooltip="Scroll down a page"),
        Binding("home,g", "scroll_home", "First", show=False, id="event_log.home",
                tooltip="Oldest loaded event"),
        Binding("end,G", "scroll_end", "Last", show=False, id="event_log.end",
                tooltip="Newest event (and follow)"),
    ]

    follow: reactive[bool] = reactive(True)

    def __init__(self, *, show_time: bool = True, **kwargs) -> None:
        super().__init__(**kwargs)
        self.events: list[JobEvent] = []
        self.show_time = show_time
        self._ids: set[str] = set()
        self._width = 0

    # data -------------------------------------------------------------------------------------
    def append(self, events: Iterable[JobEvent]) -> int:
        """Add newer events at the end (duplicates ignored); returns how many were added."""
        added = [e for e in events if e.id not in self._ids]
        if not added:
            return 0
        self._ids.update(e.id for e in added)
        self.events.extend(added)
        self._resize(added)
        if self.follow:
            self.call_after_refresh(self._stick)
        return len(added)

    def prepend(self, events: Iterable[JobEvent]) -> int:
        """Add older events at the start, keeping the lines in view where they are."""
        added = [e for e in events if e.id not in self._ids]
        if not added:
            return 0
        self._ids.update(e.id for e in added)
        self.events[:0] = added
        self._resize(added)
        if not self.follow:
            self.scroll_to(y=self.scroll_y + len(added), animate=False, immediate=True)
        return len(added)

    def clear(self) -> None:
        self.events.clear()
        self._ids.clear()
        self._width = 0
        self.virtual_size = Size(0, 0)
        self.refresh()

    def _resize(self, added: list[JobEvent]) -> None:
        self._width = max([self._width, *(len(self._text(e)) for e in added[-2000:])])
        self.virtual_size = Size(self._width, len(self.events))
        self.refresh()

    def _text(self, event: JobEvent) -> str:
        stamp = f"{clock(event.created_at)} " if self.show_time else ""
        return f"{stamp}{event.level[:5]:<5} {metrics_text(event) or event.message}"

    # follow -----------------------------------------------------------------------------------
    def _stick(self) -> None:
        if self.follow:
            self.scroll_end(animate=False, immediate=True, x_axis=False)

    def on_resize(self) -> None:
        self._stick()

    def watch_follow(self, follow: bool) -> None:
        if follow:
            self.scroll_end(animate=False, immediate=True, x_axis=False)

    def action_scroll_end(self) -> None:
        self.follow = True
        self.scroll_end(animate=False, immediate=True, x_axis=False)

    def action_scroll_up(self) -> None:
        self.follow = False
        super().action_scroll_up()

    def action_page_up(self) -> None:
        self.follow = False
        super().action_page_up()

    def action_scroll_home(self) -> None:
        self.follow = False
        super().action_scroll_home()

    def _on_mouse_scroll_up(self, event) -> None:
        # Reading back stops following; Textual still runs Widget's own handler (it dispatches
        # to every class in the MRO), so the view scrolls as usual.
        self.follow = False

    # drawing ----------------------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.scrollable_content_region.width
        if index >= len(self.events):
            return Strip.blank(width, self.rich_style)
        event = self.events[index]
        base = self.rich_style
        segments = []
        if self.show_time:
            segments.append(Segment(f"{clock(event.created_at)} ", base + TIME_STYLE))
        level_style = LEVEL_STYLES.get(event.level, Style())
        segments.append(Segment(f"{event.level[:5]:<5} ", base + level_style + Style(bold=True)))
        body_style = METRICS_STYLE if event.type == "metrics" and event.level == "info" else level_style
        segments.append(Segment(metrics_text(event) or event.message, base + body_style))
        strip = Strip(segments).crop(scroll_x, scroll_x + width)
        return strip.extend_cell_length(width, base)
