"""Launching from a local path whose identical file (same size and sha256) is already on the account
launches with that file, says so, and uploads nothing."""

from __future__ import annotations

import shutil

from textual.widgets import Input

from ftui.tui.screens.dialogs.confirm import ConfirmScreen
from ftui.tui.screens.jobs.job import JobScreen
from ftui.tui.shell.app import FtuiApp
from tests.tui.jobs.test_launch_form import open_form
from tests.tui.waiting import wait_for


async def test_a_launch_reuses_the_identical_uploaded_file(sandbox_session, marv_path, tmp_path):
    provider = sandbox_session.provider
    earlier = await provider.upload_file(marv_path)
    copy = tmp_path / "same-bytes-elsewhere.jsonl"
    shutil.copyfile(marv_path, copy)
    app = FtuiApp(sandbox_session)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await open_form(pilot, app)
        form.query_one("#launch-training", Input).value = str(copy)
        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        # The question says so before the yes (it said "will be uploaded first" and then reused it).
        question = " ".join(str(app.screen.query_one("#confirm-message").render()).split())
        assert f"same-bytes-elsewhere.jsonl is already on the account as {earlier.id}" in question
        assert "not uploaded again" in question and "will be uploaded" not in question
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, JobScreen))
        job = app.screen.job or await provider.retrieve_job(app.screen.job_id)
    assert job.training_file == earlier.id
    uploads = [f.id for f in (await provider.list_files()).items if f.purpose == "fine-tune"]
    assert uploads == [earlier.id]  # nothing uploaded again (the job's result file is the server's)
