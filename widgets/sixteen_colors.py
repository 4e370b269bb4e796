"""16-colour terminals (TERM=xterm, COLORTERM unset) without losing meaning.

Left to itself, the terminal library rounds each RGB colour to the nearest of the 16 standard ones
by distance, which swaps meanings: the theme's pinkish red for errors comes out magenta and its
orange for warnings comes out bright red, so warnings look like errors and errors like neither.
This filter rounds by hue instead for colours that carry meaning (red stays red, orange and yellow
become yellow), and every other colour the way the terminal would, so a screenshot shows what the
terminal will."""

from __future__ import annotations

import colorsys
from functools import lru_cache

from rich.color import Color as RichColor
from rich.color import ColorSystem
from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.filter import LineFilter

VIVID = 0.35  # saturation from which a colour means something (themes' greys stay under it)

# Upper hue bound (degrees) -> the standard colour a vivid foreground of that hue becomes.
_BY_HUE = ((15, "bright_red"), (70, "bright_yellow"), (170, "bright_green"), (200, "bright_cyan"),
           (260, "bright_blue"), (300, "bright_magenta"), (360, "bright_red"))


def sixteen(color: RichColor | None, *, foreground: bool) -> RichColor | None:
    """`color` as one of the 16 standard colours (by hue for a vivid foreground)."""
    if color is None or color.is_default or color.number is not None and color.number < 16:
        return color
    if foreground:
        r, g, b = Color.from_rich_color(color).rgb
        hue, lightness, saturation = colorsys.rgb_to_hls(r / 255, g / 255, b / 255)
        if saturation >= VIVID and 0.2 <= lightness <= 0.9:
            degrees = hue * 360
            return RichColor.parse(next(name for bound, name in _BY_HUE if degrees < bound))
    return color.downgrade(ColorSystem.STANDARD)


@lru_cache(1024)
def sixteen_style(style: Style) -> Style:
    return style + Style.from_color(sixteen(style.color, foreground=True),
                                    sixteen(style.bgcolor, foreground=False))


class SixteenColours(LineFilter):
    """Used by the app when the terminal has only 16 colours (and NO_COLOR is not set), last of the
    filters, after Textual has turned named colours into its theme's RGB."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        return [Segment(text, sixteen_style(style) if style else style, control)
                for text, style, control in segments]
