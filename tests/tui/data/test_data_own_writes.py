"""ftui knows its own writes: after an append made elsewhere in the app (Compare's "fix answer"
goes through the same core writer), the Data screen shows the new count instead of saying the
file "was replaced by another file"."""

from __future__ import annotations

import json

from ftui.core.dataset import writer
from ftui.core.dataset.session import DatasetSession
from tests.tui.data.test_data_support import copy_example, data_dir, data_screen, info, make_app, settle, shown  # noqa: F401

EXAMPLE = {"messages": [{"role": "user", "content": "Capital of Peru?"},
                        {"role": "assistant", "content": "Lima. Write it down this time."}]}


async def test_data_shows_the_new_count_after_an_append_from_another_section(tmp_path):
    path = copy_example("marv.jsonl", tmp_path)
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert "of 38" in info(app)
        await pilot.press("alt+3")
        await writer.aappend_example(path, EXAMPLE)  # what Compare's append does
        await pilot.press("alt+1")
        await settle(app, pilot)
        assert "of 39" in info(app)
        await pilot.press("j")
        await settle(app, pilot)
        assert "replaced" not in shown(app) and "changed on disk" not in shown(app)
        assert "line 2 of 39" in info(app)


async def test_moving_after_an_own_write_while_on_the_screen_reopens_quietly(tmp_path):
    path = copy_example("marv.jsonl", tmp_path)
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        writer.append_example(path, EXAMPLE)
        await pilot.press("G")
        await settle(app, pilot)
        assert "replaced" not in shown(app)
        assert "of 39" in info(app)
        await pilot.press("G")
        await settle(app, pilot)
        assert "Lima" in shown(app) and "line 39 of 39" in info(app)


def test_a_session_treats_ftuis_own_write_as_no_change_but_an_outside_one_as_one(tmp_path):
    path = copy_example("marv.jsonl", tmp_path)
    session = DatasetSession(path)
    try:
        writer.append_example(path, EXAMPLE)
        assert session.changed() is None and session.reader.line_count == 39
        with open(path, "a", encoding="utf-8") as fh:  # someone else
            fh.write(json.dumps(EXAMPLE) + "\n")
        assert session.changed()
    finally:
        session.close()
