"""NO_COLOR without losing meaning. Textual's Monochrome filter turns each colour into the grey of
its lightness, so red error text and coloured role labels come out dark grey on near-black
(unreadable). This filter keeps greys for the neutral colours, but draws colour that carries
meaning as something else a monochrome terminal shows: red (errors) in reverse video, bold;
yellow/orange (warnings) bold; any other vivid colour (role labels, keys) as light grey."""

from __future__ import annotations

import colorsys
from functools import lru_cache

from rich.color import Color as RichColor
from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.filter import LineFilter, monochrome_style

LIGHT = RichColor.from_rgb(0xD8, 0xD8, 0xD8)
DARK = RichColor.from_rgb(0x12, 0x12, 0x12)
VIVID = 0.35  # saturation from which a colour means something (themes' greys stay under it)


# Named terminal colours, seen before Textual turns them into its theme's RGB (where red and
# magenta are the same pink): red / bright red, yellow / bright yellow.
_ANSI_MEANING = {1: "error", 9: "error", 3: "warning", 11: "warning"}


def _meaning(color: RichColor | None) -> str:
    """'error', 'warning', 'vivid' or '' for a foreground colour."""
    if color is None or color.is_default:
        return ""
    if color.number is not None and color.number < 16:
        return _ANSI_MEANING.get(color.number, "" if color.number in (0, 7, 8, 15) else "vivid")
    r, g, b = Color.from_rich_color(color).rgb
    hue, lightness, saturation = colorsys.rgb_to_hls(r / 255, g / 255, b / 255)
    if saturation < VIVID or lightness < 0.15 or lightness > 0.92:
        return ""
    degrees = hue * 360
    if degrees < 15 or degrees >= 345:
        return "error"
    if degrees < 65:
        return "warning"
    return "vivid"


def _is_badge(style: Style) -> bool:
    if style.bgcolor is None or not _meaning(style.bgcolor) or style.color is None or style.color.is_default:
        return False
    if style.color.number is not None and style.color.number < 16:
        return style.color.number in (0, 8)  # black, dark grey
    r, g, b = Color.from_rich_color(style.color).rgb
    return colorsys.rgb_to_hls(r / 255, g / 255, b / 255)[1] < 0.2


@lru_cache(1024)
def readable_style(style: Style) -> Style:
    """The monochrome version of `style`, with meaning kept (see the module's docstring)."""
    mono = monochrome_style(style)
    if _is_badge(style):  # dark text on a coloured block (SANDBOX): a light block, or the text vanishes
        return mono + Style(color=DARK, bgcolor=LIGHT, bold=True)
    meaning = _meaning(style.color)
    if not meaning or style.bgcolor is not None and _meaning(style.bgcolor):
        return mono
    if meaning == "error":
        return mono + Style(color=DARK, bgcolor=LIGHT, bold=True)
    return mono + Style(color=LIGHT, bold=True if meaning == "warning" else None)


class ReadableMonochrome(LineFilter):
    """Used by the app in place of Textual's Monochrome when NO_COLOR is set, first in the list
    of filters (before named colours become RGB)."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        return [Segment(text, readable_style(style) if style else style, None)
                for text, style, _ in segments]
