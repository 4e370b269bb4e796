"""Starting the app removes the local copies of account files that an ftui killed with its terminal
left in the temp folder (core.scratch.clean_stale_copies, run by the Data screen as it mounts)."""

from __future__ import annotations

import tempfile

from ftui.core.scratch import OWNER, download_path
from tests.core.test_scratch_stale import dead_pid
from tests.tui.data.test_data_support import copy_example, make_app, settle
from tests.tui.waiting import wait_for


async def test_the_app_removes_what_a_killed_ftui_left_at_start(tmp_path, monkeypatch):
    path = copy_example("marv.jsonl", tmp_path)
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    left = download_path("file-2", "big.jsonl")
    left.write_text("{}\n" * 1000)
    (left.parent / OWNER).write_text(str(dead_pid()))
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await wait_for(pilot, lambda: not left.parent.exists(), timeout=10)
