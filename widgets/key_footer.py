"""The bottom line: the keys that matter here, drawn as one line of text.

Textual's Footer builds a widget per key and rebuilds them all whenever focus or the screen
changes; at start-up that rebuilding cost 25-40 ms a time, several times before the first
frame. This widget redraws one line instead. It still takes clicks (a click presses the key)
and shows the binding's tooltip when the pointer rests on a key.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.widget import Widget


@dataclass(frozen=True)
class FooterSpan:
    """Where one key sits on the line, for clicks and tooltips."""

    start: int
    end: int
    key: str
    tooltip: str
    enabled: bool


class KeyFooter(Widget, can_focus=False):
    ALLOW_SELECT = False
    COMPONENT_CLASSES = {
        "key-footer--key",
        "key-footer--description",
        "key-footer--disabled",
        "key-footer--hover",
        "key-footer--separator",
    }
    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
    }
    KeyFooter > .key-footer--key {
        color: $footer-key-foreground;
        background: $footer-key-background;
        text-style: bold;
    }
    KeyFooter > .key-footer--description {
        color: $footer-description-foreground;
        background: $footer-description-background;
    }
    KeyFooter > .key-footer--disabled {
        text-style: dim;
    }
    KeyFooter > .key-footer--hover {
        background: $block-hover-background;
    }
    KeyFooter > .key-footer--separator {
        color: $foreground 20%;
    }
    """

    def __init__(self, *, show_command_palette: bool = True, id: str | None = None) -> None:
        super().__init__(id=id)
        self.show_command_palette = show_command_palette
        self._spans: list[FooterSpan] = []
        self._hover: int | None = None

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, _screen) -> None:
        self.refresh()

    # What to show ----------------------------------------------------------------------
    def shown_bindings(self) -> list[tuple[Binding, bool, str]]:
        """One (binding, enabled, tooltip) per action with `show`, in binding order."""
        seen: set[str] = set()
        shown = []
        for _node, binding, enabled, tooltip in self.screen.active_bindings.values():
            if binding.show and binding.action not in seen:
                seen.add(binding.action)
                shown.append((binding, enabled, tooltip or binding.tooltip or binding.description))
        return shown

    def _palette_binding(self) -> tuple[Binding, bool] | None:
        app = self.app
        if not (self.show_command_palette and app.ENABLE_COMMAND_PALETTE):
            return None
        active = self.screen.active_bindings.get(app.COMMAND_PALETTE_BINDING)
        return (active.binding, active.enabled) if active else None

    # Drawing ------------------------------------------------------------------------------
    def render(self) -> Text:
        key_style = self.get_component_rich_style("key-footer--key")
        text_style = self.get_component_rich_style("key-footer--description")
        dim = self.get_component_rich_style("key-footer--disabled")
        hover = self.get_component_rich_style("key-footer--hover")
        width = self.size.width
        palette = self._palette_binding()
        palette_text = Text()
        if palette is not None:
            binding, enabled = palette
            palette_text = Text.assemble(
                ("▏", self.get_component_rich_style("key-footer--separator")),
                (self.app.get_key_display(binding), key_style),
                (f" {binding.description} ", text_style))
        room = width - palette_text.cell_len if width else 1 << 30

        line = Text(no_wrap=True, overflow="crop", end="")
        spans: list[FooterSpan] = []
        for binding, enabled, tooltip in self.shown_bindings():
            part = Text.assemble((f" {self.app.get_key_display(binding)} ", key_style),
                                 (f"{binding.description} " if binding.description else "", text_style))
            if line.cell_len + part.cell_len > room:
                break  # the rest is listed by `?` and the command palette
            index = len(spans)
            if not enabled:
                part.stylize(dim)
            if index == self._hover:
                part.stylize(hover)
            spans.append(FooterSpan(line.cell_len, line.cell_len + part.cell_len, binding.key,
                                    tooltip, enabled))
            line.append_text(part)
        if palette is not None and width:
            line.append(" " * max(0, width - line.cell_len - palette_text.cell_len))
            start = line.cell_len
            line.append_text(palette_text)
            binding, enabled = palette
            spans.append(FooterSpan(start, line.cell_len, binding.key,
                                    binding.tooltip or "Search every command", enabled))
        self._spans = spans
        return line

    # Pointer ------------------------------------------------------------------------------
    def _span_at(self, x: int) -> int | None:
        for index, span in enumerate(self._spans):
            if span.start <= x < span.end:
                return index
        return None

    def on_mouse_move(self, event: events.MouseMove) -> None:
        index = self._span_at(event.x)
        if index != self._hover:
            self._hover = index
            self.tooltip = self._spans[index].tooltip if index is not None else None
            self.refresh()

    def on_leave(self, _event: events.Leave) -> None:
        if self._hover is not None:
            self._hover = None
            self.refresh()

    def on_click(self, event: events.Click) -> None:
        index = self._span_at(event.x)
        if index is None:
            return
        span = self._spans[index]
        if span.enabled:
            self.app.simulate_key(span.key)
        else:
            self.app.bell()
