"""Compare section through the app: streaming panes, judging, blind mode, diff, faults, cancel,
history reopen, and fixing an answer into a training example."""

from __future__ import annotations

import asyncio
import json
import shutil

import pytest

from ftui.core.server.faults import Faults
from ftui.tui.screens.compare.compare import CompareScreen
from ftui.tui.shell.app import FtuiApp
from ftui.widgets.answer_pane import AnswerPane

BASE = "gpt-4o-mini-2024-07-18"
OTHER = "gpt-4.1-mini-2025-04-14"


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("FTUI_DATA_DIR", str(tmp_path / "ftui-data"))
    return tmp_path / "ftui-data"


async def open_compare(app, pilot, left=BASE, right=OTHER) -> CompareScreen:
    app.compare_models(left, right)
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, CompareScreen)
    return screen


async def type_prompt(pilot, screen, user: str, system: str = "") -> None:
    screen.query_one("#compare-system").text = system
    screen.query_one("#compare-user").text = user
    await pilot.pause()


async def settle(pilot) -> None:
    """Wait for the Compare screens' workers (the Data section keeps a directory loader running,
    so the app's workers as a whole never all finish)."""
    app = pilot.app
    for _ in range(500):
        mine = [w for w in app.workers if w.is_running and not w.name.startswith("_loader")]
        if not mine:
            break
        await asyncio.gather(*(w.wait() for w in mine), return_exceptions=True)
    await pilot.pause()


async def until(pilot, condition, timeout: float = 10.0) -> None:
    for _ in range(int(timeout / 0.02)):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError("condition not met in time")


async def test_send_streams_into_both_panes_with_timings(sandbox_session):
    app = FtuiApp(sandbox_session)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_compare(app, pilot)
        await type_prompt(pilot, screen, "Tell me about waves", "Be sarcastic.")
        await pilot.press("ctrl+r")
        await settle(pilot)
        left, right = screen.query_one("#pane-left", AnswerPane), screen.query_one("#pane-right", AnswerPane)
        for pane, model in ((left, BASE), (right, OTHER)):
            assert pane.border_title == model
            assert pane.result.status == "done" and pane.result.text
            assert "ttft" in pane.border_subtitle and "tok" in pane.border_subtitle
            assert pane.result.text[:20] in str(pane.body_text())
        assert screen.round.left_messages[0] == {"role": "system", "content": "Be sarcastic."}


@pytest.fixture
async def slow_session(sandbox_factory):
    """The app on a sandbox whose tokens come ~60 ms apart, so streams can be watched."""
    from ftui.core.connect import make_provider
    from ftui.core.session import Session
    from ftui.core.settings import load_settings

    sb = sandbox_factory(speed=0.5)
    provider = make_provider(load_settings("sandbox", env={}), sandbox_base_url=sb.base_url)
    yield Session(provider, "sandbox", simulated=True)
    await provider.aclose()


@pytest.fixture
async def tuned_model(sandbox_session, marv_path):
    from tests.compare.conftest import train

    return await train(sandbox_session.provider, marv_path)


async def test_panes_fill_while_the_other_is_still_streaming_and_escape_stops_both(slow_session):
    app = FtuiApp(slow_session)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_compare(app, pilot)
        await type_prompt(pilot, screen, "Tell me about waves and the ocean and the moon")
        await pilot.press("ctrl+r")
        left, right = screen.query_one("#pane-left", AnswerPane), screen.query_one("#pane-right", AnswerPane)
        # Both panes show text while both are still streaming: neither waits for the other.
        await until(pilot, lambda: all(p.result and p.result.text and p.result.status == "streaming"
                                       for p in (left, right)))
        await pilot.press("escape")
        await settle(pilot)
        for pane in (left, right):
            assert pane.result.status == "cancelled" and pane.result.text
            assert "cancelled" in str(pane.body_text())
            assert pane.result.finish_reasons == [None]


async def test_n_choices_and_stop_from_the_params_form(sandbox_session):
    app = FtuiApp(sandbox_session)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_compare(app, pilot)
        await type_prompt(pilot, screen, "Tell me about waves")
        await pilot.press("f4")
        form = app.screen
        form.query_one("#param-n").value = "2"
        form.query_one("#param-temperature").value = "3"
        await pilot.press("ctrl+r")
        assert "between 0 and 2" in str(form.query_one("#params-error").render())  # refused, kept open
        form.query_one("#param-temperature").value = "0.7"
        form.query_one("#param-stop").value = "approach"
        await pilot.press("ctrl+r")
        assert app.screen is screen
        assert screen.params.n == 2 and screen.params.stop == ["approach"]
        assert "n 2" in str(screen.query_one("#compare-params").render())
        await pilot.press("ctrl+r")
        await settle(pilot)
        pane = screen.query_one("#pane-left", AnswerPane)
        assert len(pane.result.choices) == 2 and all(pane.result.choices)
        assert all("approach" not in c for c in pane.result.choices)
        body = str(pane.body_text())
        assert "[choice 1" in body and "[choice 2" in body


async def test_a_missing_model_and_a_broken_stream_stay_in_their_pane(sandbox_session, sandbox):
    app = FtuiApp(sandbox_session)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_compare(app, pilot, left="ft:gpt-4o-mini:gone:xyz", right=BASE)
        await type_prompt(pilot, screen, "Tell me about waves")
        await pilot.press("ctrl+r")
        await settle(pilot)
        left, right = screen.query_one("#pane-left", AnswerPane), screen.query_one("#pane-right", AnswerPane)
        assert "404" in str(left.body_text()) and left.result.status == "error"
        assert right.result.status == "done" and right.result.text

        sandbox.set_faults(Faults(cut_stream=1.0))
        screen.set_models(BASE, OTHER)
        await pilot.press("ctrl+r")
        await settle(pilot)
        for pane in (left, right):
            assert pane.result.status == "error" and pane.result.text
            assert "broke off" in str(pane.body_text())
        assert app.is_running  # no traceback took the app down


async def test_blind_judging_reveals_after_the_mark_and_diff_highlights(sandbox_session, tuned_model):
    _, model = tuned_model
    app = FtuiApp(sandbox_session)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_compare(app, pilot, left=BASE, right=model)
        screen.rng.seed(1)
        await type_prompt(pilot, screen, "What's the capital of Japan?",
                          "Marv is a factual chatbot that is also sarcastic.")
        screen.query_one("#pane-left").focus()
        await pilot.press("b")
        assert screen.blind
        swaps = []
        for _ in range(6):  # shuffled per prompt: over a few prompts both orders appear
            await pilot.press("ctrl+r")
            await settle(pilot)
            swaps.append(screen.round.swapped)
        assert True in swaps and False in swaps
        left = screen.query_one("#pane-left", AnswerPane)
        assert left.border_title == "answer A"
        assert model not in str(screen.query_one("#compare-models").render())
        shown_left_model = screen.round.right_model if screen.round.swapped else screen.round.left_model
        await pilot.press("left_square_bracket")
        expected_side = "right" if screen.round.swapped else "left"
        assert screen.round.judgement == expected_side
        assert shown_left_model in left.border_title and left.border_title.startswith("★")
        assert "judged" in str(screen.query_one("#compare-models").render())

        await pilot.press("d")
        assert screen.diff_on
        body = left.body_text()
        assert any("on yellow" in str(span.style) or "on cyan" in str(span.style) for span in body.spans)


async def test_continue_keeps_a_history_per_pane(sandbox_session):
    app = FtuiApp(sandbox_session)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_compare(app, pilot)
        await type_prompt(pilot, screen, "First question about tides", "Sys")
        await pilot.press("ctrl+r")
        await settle(pilot)
        first = screen.round.left.text
        await type_prompt(pilot, screen, "And the second one?", "Sys")
        await pilot.press("ctrl+t")
        await settle(pilot)
        sent = screen.round.left_messages
        assert [m["role"] for m in sent] == ["system", "user", "assistant", "user"]
        assert sent[2]["content"] == first
        assert screen.round.right_messages[2]["content"] == screen.history["right"][2]["content"]
        assert "you: First question" in str(screen.query_one("#pane-left", AnswerPane).body_text())


async def test_history_is_saved_and_reopens_in_a_new_app(sandbox_session, data_dir, shoot):
    app = FtuiApp(sandbox_session)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_compare(app, pilot)
        await type_prompt(pilot, screen, "Remember me", "Sys")
        await pilot.press("ctrl+r")
        await settle(pilot)
        screen.query_one("#pane-left").focus()
        await pilot.press("equals_sign")
        await settle(pilot)
        answer = screen.round.left.text
    assert (data_dir / "compare.sqlite3").exists()

    app = FtuiApp(sandbox_session)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_compare(app, pilot, left=OTHER, right=OTHER)
        await pilot.press("f8")
        await settle(pilot)
        table = app.screen.query_one("#sessions-table")
        assert table.row_count == 1
        await pilot.press("c")  # asks where, offering the exports folder
        await settle(pilot)
        box = app.screen.query_one("#save-path")
        assert box.value.endswith(".csv") and "exports" in box.value
        shoot(app, "compare-export-path")
        box.value = str(data_dir / "mine.csv")
        await pilot.press("enter")
        await settle(pilot)
        assert (data_dir / "mine.csv").read_text().startswith("round,")
        await pilot.press("c")  # the same name again: refused in place, nothing overwritten
        await settle(pilot)
        app.screen.query_one("#save-path").value = str(data_dir / "mine.csv")
        await pilot.press("enter")
        await pilot.pause()
        assert "already exists" in str(app.screen.query_one("#confirm-hint").render())
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen
        assert screen.models == {"left": BASE, "right": OTHER}
        assert screen.round.judgement == "tie" and screen.round.left.text == answer
        assert screen.query_one("#compare-user").text == "Remember me"
        assert answer[:20] in str(screen.query_one("#pane-left", AnswerPane).body_text())


async def test_fix_an_answer_and_append_it_to_the_dataset(sandbox_session, tmp_path, marv_path):
    copy = tmp_path / "marv.jsonl"
    shutil.copy(marv_path, copy)
    before = copy.read_text().splitlines()
    app = FtuiApp(sandbox_session)
    async with app.run_test(size=(80, 24)) as pilot:
        app.current_dataset = copy
        screen = await open_compare(app, pilot)
        await type_prompt(pilot, screen, "Capital of Peru?", "Marv is sarcastic.")
        await pilot.press("ctrl+r")
        await settle(pilot)
        screen.query_one("#pane-right").focus()
        await pilot.press("e")
        fix = app.screen
        assert fix.query_one("#fix-answer").text == screen.round.right.text
        assert fix.query_one("#fix-user").text == "Capital of Peru?"
        assert fix.query_one("#fix-dataset").value == str(copy)

        fix.query_one("#fix-answer").text = ""  # an empty reply is refused, nothing written
        fix.query_one("#fix-user").text = "Capital of Peru, please?"
        await pilot.press("ctrl+g")
        await settle(pilot)
        assert app.screen is fix
        assert "Not appended" in str(fix.query_one("#fix-problems").render())
        assert copy.read_text().splitlines() == before
        assert fix.query_one("#fix-user").text == "Capital of Peru, please?"  # typed text kept

        await pilot.press("escape")  # the draft survives leaving and coming back
        await pilot.press("e")
        fix = app.screen
        assert fix.query_one("#fix-user").text == "Capital of Peru, please?"
        fix.query_one("#fix-answer").text = "Lima. Write it down this time."
        await pilot.press("ctrl+g")
        await settle(pilot)
        assert app.screen is screen
    after = copy.read_text().splitlines()
    assert after[:-1] == before
    assert json.loads(after[-1]) == {"messages": [
        {"role": "system", "content": "Marv is sarcastic."},
        {"role": "user", "content": "Capital of Peru, please?"},
        {"role": "assistant", "content": "Lima. Write it down this time."}]}


async def test_prompt_from_the_holdout_file_shows_the_expected_answer(sandbox_session):
    app = FtuiApp(sandbox_session)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_compare(app, pilot)
        await pilot.press("ctrl+o")
        await settle(pilot)
        picker = app.screen
        assert "marv_holdout.jsonl" in picker.query_one("#examples-path").value
        assert picker.query_one("#examples-list").option_count == 10
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen
        expected = screen.query_one("#pane-expected", AnswerPane)
        assert expected.display and "Tokyo" in str(expected.body_text())
        assert screen.query_one("#compare-user").text == "What's the capital of Japan?"
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert screen.round.expected.startswith("Tokyo") and screen.round.source.endswith(":1")
        screen.query_one("#compare-user").text = "Something else entirely"
        await pilot.pause()
        assert not expected.display and screen.expected is None  # not that example any more


async def test_default_pair_from_the_newest_succeeded_job_and_the_picker(sandbox_session, tuned_model):
    job_id, model = tuned_model
    app = FtuiApp(sandbox_session)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("alt+3")  # the picker's path box has the cursor: a plain 3 would type
        await settle(pilot)
        screen = app.screen
        assert screen.models == {"left": BASE, "right": model}
        await pilot.press("f3")
        await settle(pilot)
        picker = app.screen
        listed = [picker.query_one("#picker-list").get_option_at_index(i).id
                  for i in range(picker.query_one("#picker-list").option_count)]
        assert model in listed and any(":ckpt-step-" in m for m in listed)
        await pilot.press(*"ckpt")
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen and ":ckpt-step-" in screen.models["right"]


async def test_without_an_account_it_says_how_to_get_one():
    from ftui.core.session import Session

    app = FtuiApp(Session(None, "openai"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("alt+3")  # the picker's path box has the cursor: a plain 3 would type
        await pilot.pause()
        screen = app.screen
        assert "OPENAI_API_KEY" in str(screen.query_one("#pane-left", AnswerPane).body_text())
        screen.query_one("#compare-user").text = "hi"
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert app.is_running
