"""The launch form on the local engine: F5 shows $0 and the minutes this machine takes, measured by the
engine's warm-up (a progress note while it runs, esc stops it), through the real provider and server."""

from __future__ import annotations

import re

from textual.widgets import Input

from ftui.core.types import JobSpec
from ftui.tui.screens.jobs.launch_text import MEASURE_STOPPED, MEASURING
from ftui.tui.shell.app import FtuiApp
from tests.tui.jobs.provider_sessions import tiny_model_id
from tests.tui.jobs.test_launch_providers import open_form, text_of
from tests.tui.waiting import wait_for

MEASURED = re.compile(r"\$0 · about (\d+) min on this machine \(measured: ([\d,]+) tok/s, ")


async def fill(pilot, app, engine, path):
    form = await open_form(pilot, app, tiny_model_id(engine))
    form.query_one("#launch-training", Input).value = str(path)
    form.query_one("#launch-epochs", Input).value = "2"
    return form


async def test_esc_stops_the_warm_up(local_session, local_engine, marv_path):
    app = FtuiApp(local_session)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await fill(pilot, app, local_engine, marv_path)
        await pilot.press("f5")
        await wait_for(pilot, lambda: MEASURING in text_of(form, "#launch-estimate"), timeout=60)
        await pilot.press("escape")
        await wait_for(pilot, lambda: MEASURE_STOPPED in text_of(form, "#launch-estimate"))
        assert app.screen is form  # the first escape stops the warm-up, not the form


async def test_f5_shows_the_measured_minutes(local_session, local_engine, marv_path):
    app = FtuiApp(local_session)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await fill(pilot, app, local_engine, marv_path)
        await pilot.press("f5")
        await wait_for(pilot, lambda: MEASURED.search(text_of(form, "#launch-estimate")), timeout=120)
        text = text_of(form, "#launch-estimate")
        assert "2 epochs" in text and "billable" not in text
        minutes, _ = MEASURED.search(text).groups()
        trained = form.last_plan.estimate.billable_tokens
        assert trained == form.last_plan.estimate.dataset_tokens * 2  # dataset tokens x epochs
        figure = await local_session.provider.estimate_time(
            JobSpec(model=tiny_model_id(local_engine), training_file=""), trained)
        assert figure.cached  # the form's measurement was kept
        assert int(minutes) == max(1, round(figure.seconds / 60))


async def test_the_launch_question_gives_the_minutes_not_dollars(local_session, local_engine, marv_path):
    from ftui.tui.screens.dialogs.confirm import ConfirmScreen

    app = FtuiApp(local_session)
    async with app.run_test(size=(80, 24)) as pilot:
        await fill(pilot, app, local_engine, marv_path)
        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), timeout=120)
        question = " ".join(str(app.screen.query_one("#confirm-message").render()).split())
        assert MEASURED.search(question), question  # it read "about $0.00", as if billed in dollars
        assert "$0.00" not in question
        await pilot.press("n")
