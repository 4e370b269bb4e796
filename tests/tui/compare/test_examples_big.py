"""Compare's "prompt from a dataset" on a big file: the first page shows at once, the rest of the
file is indexed with progress, more pages load at the end of the list, and closing the picker
lets go of the file (nothing of it is kept)."""

from __future__ import annotations

from ftui.tui.screens.compare.examples import ExamplePicker
from ftui.tui.shell.app import FtuiApp
from tests.compare.test_prompts_big import write_examples
from tests.tui.waiting import wait_for


async def test_the_picker_pages_a_big_file_and_lets_go_of_it(sandbox_session, tmp_path, monkeypatch):
    monkeypatch.setenv("FTUI_DATA_DIR", str(tmp_path / "ftui-data"))
    path = tmp_path / "big.jsonl"
    write_examples(path, 5_000)
    app = FtuiApp(sandbox_session)
    async with app.run_test(size=(80, 24)) as pilot:
        picker = ExamplePicker(path, page=40)
        app.push_screen(picker)
        await wait_for(pilot, lambda: picker.indexed == 5_000)
        status = str(picker.query_one("#examples-status").render())
        assert len(picker.examples) == 40, "only the first page is parsed"
        assert "40 prompts in big.jsonl" in status and "of 5,000 lines" in status, status
        await pilot.press("end")  # to the last prompt listed: the next page loads
        await wait_for(pilot, lambda: len(picker.examples) == 80)
        assert picker.examples[40].line == 41
        source = picker.source
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: app.screen is not picker)
        assert picker.source is None and source.reader._fh.closed  # the index goes with the picker
