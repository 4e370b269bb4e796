"""NO_COLOR keeps a badge readable: dark text on a coloured block (SANDBOX) turns into a light block with dark
text, where plain greys drew it black on black; light text on a coloured bar (a cursor row) keeps its greys."""

import colorsys

from rich.style import Style

from ftui.widgets.no_color import readable_style


def lightness(color) -> float:
    r, g, b = color.get_truecolor()
    return colorsys.rgb_to_hls(r / 255, g / 255, b / 255)[1]


def test_the_sandbox_badge_is_a_light_block_with_dark_text():
    badge = readable_style(Style.parse("bold black on yellow"))
    assert lightness(badge.bgcolor) > 0.7 and lightness(badge.color) < 0.2 and badge.bold


def test_light_text_on_a_coloured_bar_is_not_a_badge():
    bar = readable_style(Style.parse("white on #0178d4"))
    assert not (lightness(bar.bgcolor) > 0.7 and lightness(bar.color) < 0.2)
