"""Checks of a file over the validator's pool threshold finish, with a moving bar, and can be
stopped or skipped: Files' pre-upload check (x stops, ! uploads anyway) and the launch form's
estimate (esc stops, ctrl+l launches without waiting)."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from ftui.core.dataset.validate import PARALLEL_MIN_BYTES
from ftui.tui.screens.dialogs.confirm import ConfirmScreen
from ftui.tui.shell.app import FtuiApp
from ftui.widgets.transfer_progress import TransferProgressBar
from tests.tui.data.test_data_big_file import write_big_dataset
from tests.tui.files.test_files_screen import message, open_files, type_path
from tests.tui.jobs.test_launch_form import open_form
from tests.tui.waiting import wait_for


@pytest.fixture(scope="module")
def big_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("big") / "big.jsonl"
    write_big_dataset(path, PARALLEL_MIN_BYTES + (2 << 20))
    return path


def on_progress(bar, then=None) -> list[tuple[int, int]]:
    """Every value the bar is given, as it is given (the check of 70 MB can take under a second,
    too quick to catch by looking between pauses); `then()` runs once, at the first one partway,
    as a key pressed at that moment would."""
    seen: list[tuple[int, int]] = []
    given = bar.update_progress
    waiting = [then] if then is not None else []

    def record(done: int, total: int) -> None:
        seen.append((done, total))
        given(done, total)
        if waiting and 0 < done < total:
            waiting.pop()()

    bar.update_progress = record
    return seen


def moved(seen) -> bool:
    return len({d for d, t in seen if 0 < d < t}) >= 2


async def test_the_check_shows_progress_and_x_stops_it(sandbox_session, big_path):
    app = FtuiApp(sandbox_session)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_files(pilot, app)
        said_while_checking = []

        def press_x() -> None:
            said_while_checking.append(message(screen))
            assert screen.check_action("cancel_transfer", ()) and screen.check_action("upload_anyway", ())
            screen.action_cancel_transfer()

        seen = on_progress(screen.query_one(TransferProgressBar), press_x)
        await type_path(pilot, screen, "u", big_path)
        await wait_for(pilot, lambda: "stopped" in message(screen))
        assert "x stops" in said_while_checking[0] and "! uploads" in said_while_checking[0]
        assert seen and seen[-1][0] < seen[-1][1]  # stopped partway
        assert "! to upload it without checking" in message(screen)
        assert screen.last_uploaded is None
        files = await sandbox_session.provider.list_files()
        assert "big.jsonl" not in [f.filename for f in files.items]


async def test_upload_anyway_does_not_wait_for_the_check(sandbox_session, big_path):
    app = FtuiApp(sandbox_session)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_files(pilot, app)
        on_progress(screen.query_one(TransferProgressBar), screen.action_upload_anyway)
        await type_path(pilot, screen, "u", big_path)
        await wait_for(pilot, lambda: screen.last_uploaded is not None, timeout=60)
        assert screen.last_uploaded.bytes == big_path.stat().st_size


def estimate(form) -> str:
    return str(form.query_one("#launch-estimate").render())


async def test_the_launch_estimate_finishes_with_progress(sandbox_session, big_path, tmp_path, monkeypatch):
    monkeypatch.setenv("FTUI_DATA_DIR", str(tmp_path))  # no remembered form settings (e.g. a split)
    app = FtuiApp(sandbox_session)
    async with app.run_test(size=(100, 30)) as pilot:
        form = await open_form(pilot, app)
        form.query_one("#launch-training", Input).value = str(big_path)
        assert form.validation_mode == "none"  # the check only, no split to write first
        bar = form.query_one(TransferProgressBar)
        said = []
        seen = on_progress(bar, lambda: said.append(estimate(form)))
        await pilot.press("f5")
        await wait_for(pilot, lambda: "billable tokens" in estimate(form), timeout=60)
        assert moved(seen) and "esc stops" in said[0]
        assert not bar.display


async def test_the_launch_check_stops_or_is_skipped(sandbox_session, big_path, tmp_path, monkeypatch):
    monkeypatch.setenv("FTUI_DATA_DIR", str(tmp_path))
    app = FtuiApp(sandbox_session)
    async with app.run_test(size=(100, 30)) as pilot:
        form = await open_form(pilot, app)
        form.query_one("#launch-training", Input).value = str(big_path)
        assert form.validation_mode == "none"  # the check only, no split to write first
        bar = form.query_one(TransferProgressBar)
        given = bar.update_progress
        on_progress(bar, form.action_back)  # esc during the check
        await pilot.press("f5")
        await wait_for(pilot, lambda: "Check stopped" in estimate(form))
        assert app.screen is form
        bar.update_progress = given
        on_progress(bar, form.action_launch)  # ctrl+l again during the check: launch without it
        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "Not checked" in estimate(form)
        # who checks it instead is the provider of this session, by its label, not always OpenAI
        assert f"{sandbox_session.provider.label} checks the file" in estimate(form)
