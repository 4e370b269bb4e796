"""The whole loop through the real app, by keys, on the local engine training the tiny model for real.

Data (a small style dataset opens and validates) -> Jobs -> the launch form (tiny model, 2 epochs,
batch 2, uploaded on the way) -> the job view follows the engine's real metrics to success ->
Compare streams the base and the tuned model's answers from real generation -> the tuned answer
is fixed and appended to the dataset -> a second job trains on the corrected file.
"""

from __future__ import annotations

import json
import math
import re
import time

import pytest
from rich.control import strip_control_codes
from textual.css.query import NoMatches
from textual.widgets import Input, Select, Static, TextArea

from ftui.core.dataset.writer import list_backups, previous_version
from ftui.tui.screens.compare.compare import CompareScreen
from ftui.tui.screens.compare.correction import CorrectionScreen
from ftui.tui.screens.data.data import DataScreen
from ftui.tui.screens.dialogs.confirm import ConfirmScreen
from ftui.tui.screens.jobs.job import JobScreen
from ftui.tui.screens.jobs.jobs import JobsScreen
from ftui.tui.screens.jobs.launch import LaunchScreen
from ftui.tui.shell.app import FtuiApp
from ftui.widgets.answer_pane import AnswerPane
from ftui.widgets.loss_chart import LossChart
from tests.local.style_data import style_rows, write_jsonl
from tests.tui.jobs.provider_sessions import local_engine, local_session, tiny_model_id  # noqa: F401

pytestmark = pytest.mark.slow  # two real trainings and four real generations: about a minute

EXAMPLES = 10  # the fewest the data check accepts; at batch 2 and 2 epochs: 10 steps
EPOCHS, BATCH = 2, 2
PROMPT = "What is the moon?"
CORRECTED = "Arr, matey! The moon be a rock in the sky."


def text_of(widget: Static) -> str:
    return str(widget.render())


async def until(pilot, condition, what: str, timeout: float = 30.0) -> None:
    """Pause the app until `condition()` holds, as a user waits for the screen."""
    end = time.monotonic() + timeout
    while True:
        try:
            if condition():
                return
        except NoMatches:  # not composed yet
            pass
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.05)


async def type_text(pilot, text: str) -> None:
    await pilot.press(*[("space" if ch == " " else ch) for ch in text])


async def focus_by_tab(pilot, app, widget, limit: int = 40) -> None:
    for _ in range(limit):
        if app.focused is widget:
            return
        await pilot.press("tab")
    raise AssertionError(f"tab never reached {widget!r}")


async def replace_value(pilot, app, field: Input, text: str) -> None:
    await focus_by_tab(pilot, app, field)
    await pilot.press("home", "ctrl+k")
    await type_text(pilot, text)
    assert field.value == text


async def choose(pilot, app, select: Select, value: str) -> None:
    """Open the select, move the highlight to `value`, take it (by keys, as a user does)."""
    await focus_by_tab(pilot, app, select)
    await pilot.press("enter")
    overlay = select.query_one("SelectOverlay")
    target = next(i for i, (_, v) in enumerate(select._options) if v == value)
    for _ in range(len(select._options) + 1):
        if overlay.highlighted == target:
            break
        await pilot.press("down")
    await pilot.press("enter")
    await until(pilot, lambda: select.value == value, f"{value} chosen")


async def launch_from_form(pilot, app, model: str) -> JobScreen:
    """Jobs -> n -> the form (training file prefilled with the current dataset) -> ctrl+l -> y."""
    await pilot.press("alt+2")
    for _ in range(3):  # the section shows the last job viewed: escape goes back to the list
        await until(pilot, lambda: isinstance(app.screen, (JobsScreen, JobScreen)), "the Jobs section")
        if isinstance(app.screen, JobsScreen):
            break
        await pilot.press("escape")
    await until(pilot, lambda: isinstance(app.screen, JobsScreen), "the Jobs screen")
    await pilot.press("n")
    await until(pilot, lambda: isinstance(app.screen, LaunchScreen), "the launch form")
    form = app.screen
    await until(pilot, lambda: form.models and not any(
        w.is_running for w in form.workers if w.group == "launch-choices"), "the form's choices")
    await choose(pilot, app, form.query_one("#launch-model", Select), model)
    assert form.query_one("#launch-training", Input).value == str(app.current_dataset)
    await replace_value(pilot, app, form.query_one("#launch-epochs", Input), str(EPOCHS))
    await replace_value(pilot, app, form.query_one("#launch-batch", Input), str(BATCH))
    await pilot.press("ctrl+l")
    error = form.query_one("#launch-error", Static)
    await until(pilot, lambda: isinstance(app.screen, ConfirmScreen) or text_of(error).strip(),
                "the confirmation", timeout=60)
    assert isinstance(app.screen, ConfirmScreen), text_of(error)
    await pilot.press("y")
    await until(pilot, lambda: isinstance(app.screen, JobScreen) or text_of(error).strip(),
                "the job view", timeout=60)
    assert isinstance(app.screen, JobScreen), text_of(error)
    return app.screen


async def watch_to_success(pilot, view: JobScreen, total: int):
    """The view shows the engine's own metrics as they come, to the last step; returns the job."""
    steps_seen: list[int] = []  # each step the summary line showed, in the order shown
    live: list[int] = []  # steps shown while the job was still running
    summary = view.query_one("#job-summary", Static)

    def look() -> bool:
        shown = re.search(r"step (\d+)/(\d+)", text_of(summary))
        if shown:
            step = int(shown[1])
            assert int(shown[2]) == total, text_of(summary)
            if not steps_seen or steps_seen[-1] != step:
                steps_seen.append(step)
            if view.job is not None and view.job.status == "running":
                live.append(step)
        return view.job is not None and view.job.finished

    await until(pilot, look, "the job to finish", timeout=120)
    job = view.job
    assert job.status == "succeeded", job.error
    # counted up as the engine trained: shown live, in order, up to the last step
    assert live and steps_seen == sorted(steps_seen) and steps_seen[-1] == total, (steps_seen, live)
    points = view.follower.metrics()
    assert [p.step for p in points] == list(range(1, total + 1))
    assert {p.total_steps for p in points} == {total}
    losses = [p.train_loss for p in points]
    assert all(loss is not None and loss > 0 for loss in losses), losses
    assert len(set(losses)) > 1, f"the loss never changed: {losses}"  # real steps, not a replay
    assert view.query_one(LossChart).point_count == total  # the chart drew every step
    assert f"Step {total}/{total}: training loss=" in " ".join(e.message for e in view.follower.events)
    return job, losses


async def test_whole_local_loop_by_keys(local_engine, local_session, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.setenv("FTUI_DATA_DIR", str(tmp_path / "ftui-data"))
    monkeypatch.setattr(JobScreen, "POLL_SECONDS", 0.2)
    model = tiny_model_id(local_engine)
    chat = local_engine.handle.ctx.chat
    data = tmp_path / "data"
    data.mkdir()
    dataset = write_jsonl(data / "pirate.jsonl", style_rows(EXAMPLES))
    original = dataset.read_bytes()
    total = math.ceil(EXAMPLES / BATCH) * EPOCHS
    started = time.monotonic()
    laps: dict[str, float] = {}

    def lap(step: str) -> None:
        laps[step] = round(time.monotonic() - started, 1)

    app = FtuiApp(local_session, open_path=dataset)
    async with app.run_test(size=(80, 24)) as pilot:
        # 1. Data: the file opens and validates --------------------------------------------------
        await until(pilot, lambda: isinstance(app.screen, DataScreen), "the Data screen")
        data_screen = app.screen
        await until(pilot, lambda: data_screen.report is not None and not data_screen.validating,
                    "validation")
        assert data_screen.report.valid, data_screen.report.summary()
        assert data_screen.report.examples == EXAMPLES
        lap("validated")

        # 2. Launch from the form and watch the real training -------------------------------------
        view = await launch_from_form(pilot, app, model)
        job, _ = await watch_to_success(pilot, view, total)
        lap("trained")
        assert job.model == model
        tuned = job.fine_tuned_model
        assert tuned and tuned.startswith("ft:") and ":local:" in tuned, tuned
        assert job.trained_tokens and job.trained_tokens > 0

        # 3. Compare base vs tuned: both answers stream from real generation ---------------------
        loads_before = chat.base_loads[model]
        adapters_before = sum(chat.adapter_loads.values())
        await pilot.press("b")
        await until(pilot, lambda: isinstance(app.screen, CompareScreen) and app.screen.is_mounted, "Compare")
        compare = app.screen
        assert compare.models == {"left": model, "right": tuned}
        user = compare.query_one("#compare-user", TextArea)
        await focus_by_tab(pilot, app, user)
        await type_text(pilot, PROMPT)
        assert user.text == PROMPT
        await pilot.press("ctrl+r")
        await until(pilot, lambda: compare.round is not None and compare.round.left.finished
                    and compare.round.right.finished and not compare.streaming, "both answers", timeout=60)
        left, right = compare.round.left, compare.round.right
        assert left.status == right.status == "done", (left, right)
        assert left.text.strip() and right.text.strip()
        for side, result in (("left", left), ("right", right)):  # shown as drawn (no control codes)
            assert strip_control_codes(result.text) in str(compare.pane_for(side).body_text())
        # the base model was loaded once for both, and the tuned one's adapter put on it
        assert chat.base_loads[model] == max(loads_before, 1)
        assert sum(chat.adapter_loads.values()) == adapters_before + 1
        assert left.text != right.text, "the tuned model answers exactly as the base one"
        lap("compared")

        # 4. Fix the tuned answer and append it to the dataset ------------------------------------
        await focus_by_tab(pilot, app, compare.query_one("#pane-right", AnswerPane))
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, CorrectionScreen), "the fix screen")
        fix = app.screen
        assert fix.query_one("#fix-dataset", Input).value == str(dataset)
        # the editor holds the answer line by line (a text area splits at every line break)
        assert fix.query_one("#fix-answer", TextArea).text.splitlines() == right.text.splitlines()
        await pilot.press("f7")  # select the whole answer; typing replaces it
        await type_text(pilot, CORRECTED)
        problems = fix.query_one("#fix-problems", Static)
        await pilot.press("ctrl+g")
        await until(pilot, lambda: app.screen is compare or "Not appended" in text_of(problems), "the append")
        assert app.screen is compare, text_of(problems)
        new = dataset.read_bytes()
        assert new.startswith(original) and len(new.splitlines()) == EXAMPLES + 1
        added = json.loads(new.splitlines()[-1])
        assert added["messages"][-1] == {"role": "assistant", "content": CORRECTED}
        assert [m["content"] for m in added["messages"] if m["role"] == "user"] == [PROMPT]
        backups = list_backups(dataset)
        assert backups and previous_version(dataset) == original  # written safely, undoable
        assert sorted(p.name for p in data.iterdir()) == sorted([dataset.name, ".ftui-backups"])
        lap("appended")

        # 5. Train again on the corrected file ----------------------------------------------------
        second_view = await launch_from_form(pilot, app, model)
        assert second_view.job_id != job.id
        second_total = math.ceil((EXAMPLES + 1) / BATCH) * EPOCHS  # the last batch holds one
        second, _ = await watch_to_success(pilot, second_view, second_total)
        lap("trained again")
        assert second.fine_tuned_model and second.fine_tuned_model != tuned
        assert ":local:" in second.fine_tuned_model
        await pilot.pause()
        crashed = app._exception
    assert crashed is None
    uploaded = await local_session.provider.list_files(purpose="fine-tune", limit=100)
    by_id = {f.id: f for f in uploaded.items}
    assert by_id[second.training_file].bytes == len(new)  # the second job trained on the corrected file
    assert by_id[job.training_file].bytes == len(original)
    print(f"\nthe local loop, seconds since start: {laps}")
