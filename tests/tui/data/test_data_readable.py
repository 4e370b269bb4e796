"""What 80x24 and NO_COLOR hide on the Data screen: the whole of a cut problem message, problems
of one line one by one with their own marks, severity without colour, one number format."""

from __future__ import annotations

from rich.color import Color
from rich.style import Style

from ftui.widgets.no_color import ReadableMonochrome, readable_style
from tests.tui.data.test_data_support import (  # noqa: F401
    chat_line,
    copy_example,
    data_dir,
    data_screen,
    info,
    make_app,
    settle,
    shown,
    write_lines,
)


def detail(app) -> str:
    return str(data_screen(app).query_one("#data-problem-detail").render())


async def test_the_only_warning_of_marv_reads_whole_at_80_columns(tmp_path):
    app = make_app(copy_example("marv.jsonl", tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        text = " ".join(detail(app).split())
        assert "few_examples" in text and "clearly better results" in text
        assert text.startswith("! ")  # a warning, not marked like an error


async def test_two_problems_of_one_line_show_as_two_with_their_own_marks(tmp_path):
    app = make_app(copy_example("broken.jsonl", tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        data_screen(app).show_line(16)
        await settle(app, pilot)
        lines = shown(app).splitlines()
        marked = [line for line in lines if "special_token" in line or "crlf_line_endings" in line]
        assert len(marked) == 2, lines[:4]
        assert all(line.startswith("! ") for line in marked)  # warnings wear !, errors ✗
        await pilot.press("g")
        await settle(app, pilot)
        assert shown(app).startswith("✗ bom")


async def test_the_header_counts_lines_the_panel_parsed_examples_one_number_format(tmp_path):
    path = write_lines(tmp_path / "big.jsonl", [chat_line(i) for i in range(1500)])
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("G")
        await settle(app, pilot)
        assert "line 1,500 of 1,500" in info(app)
        stats = data_screen(app).query_one("#data-stats").plain_text(width=60)
        assert "1,500 parsed" in stats


def test_no_color_keeps_errors_warnings_and_roles_readable():
    red, yellow, magenta = (Style(color=Color.parse(c), bold=True) for c in ("red", "yellow", "magenta"))
    error = readable_style(red)
    assert error.bgcolor is not None and error.bold  # drawn reversed: light block, dark text
    assert error.bgcolor.get_truecolor().red > 0xC0 and error.color.get_truecolor().red < 0x30
    assert readable_style(yellow).bold and readable_style(yellow).bgcolor is None
    assert readable_style(magenta).color.get_truecolor().red > 0xC0  # role labels: light grey


async def test_no_color_uses_the_readable_filter(tmp_path, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(copy_example("marv.jsonl", tmp_path))
    assert any(isinstance(f, ReadableMonochrome) for f in app._filters)
