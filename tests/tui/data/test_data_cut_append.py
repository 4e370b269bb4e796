"""Opening a dataset whose last append was killed half-way: the half line goes, and the user is told."""

from __future__ import annotations

import json

from ftui.core.dataset.writer import append_example
from tests.tui.data.test_data_support import copy_example, data_dir, make_app, settle  # noqa: F401


async def test_opening_after_a_cut_append_removes_the_half_line_and_says_so(tmp_path):
    path = copy_example("marv.jsonl", tmp_path)
    before = path.read_bytes()
    append_example(path, {"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]})
    path.write_bytes(path.read_bytes()[: len(before) + 12])  # as a kill part-way through the write leaves it
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert path.read_bytes() == before
        assert any("cut short" in n.message for n in app._notifications)
        assert app.screen.reader.line_count == len(before.splitlines())
        json.loads(before.splitlines()[-1])
