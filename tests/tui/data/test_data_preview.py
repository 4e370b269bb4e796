"""Reading a dataset on the Data screen: conversation view, moving, raw JSON, search, problems."""

from __future__ import annotations

import json
import time

from ftui.widgets.problem_list import ProblemList
from ftui.widgets.token_stats import TokenStatsPanel
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


async def test_marv_opens_as_a_conversation_and_moves_by_example(tmp_path, shoot):
    path = copy_example("marv.jsonl", tmp_path)
    lines = path.read_text().splitlines()
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        screen = data_screen(app)
        assert app.current_dataset == path
        assert f"line 1 of {len(lines)}" in info(app)
        text = shown(app)
        assert "▌ SYSTEM" in text and "▌ USER" in text and "▌ ASSISTANT  ● trained" in text
        assert "capital of France" in text
        shoot(app, "data-preview")

        await pilot.press("j")
        await settle(app, pilot)
        assert screen.line == 2 and json.loads(lines[1])["messages"][1]["content"] in shown(app)
        await pilot.press("down", "down")
        await settle(app, pilot)
        assert screen.line == 4
        await pilot.press("k")
        await settle(app, pilot)
        assert screen.line == 3
        await pilot.press("pagedown")
        await settle(app, pilot)
        assert screen.line == 13
        await pilot.press("pageup")
        await settle(app, pilot)
        assert screen.line == 3
        await pilot.press("G")
        await settle(app, pilot)
        assert screen.line == len(lines)
        assert f"line {len(lines)} of {len(lines)}" in info(app)
        await pilot.press("j")  # past the end stays on the last example
        await settle(app, pilot)
        assert screen.line == len(lines)
        await pilot.press("g")
        await settle(app, pilot)
        assert screen.line == 1
        await pilot.press("end")
        await settle(app, pilot)
        assert screen.line == len(lines)
        await pilot.press("home")
        await settle(app, pilot)
        assert screen.line == 1


async def test_weight_zero_and_tool_calls_are_visible(tmp_path):
    line = json.dumps({"messages": [
        {"role": "system", "content": "sys"},
        {"role": "user", "content": "what is 6*7?"},
        {"role": "assistant", "content": "a draft", "weight": 0},
        {"role": "assistant", "tool_calls": [{"id": "call_1", "type": "function",
                                              "function": {"name": "calc", "arguments": "{\"x\": 42}"}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": "42"},
        {"role": "assistant", "content": "42, genius."}],
        "tools": [{"type": "function", "function": {"name": "calc", "parameters": {"type": "object"}}}]})
    path = write_lines(tmp_path / "tools.jsonl", [line] * 12)
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        text = shown(app)
        assert "○ not trained (weight 0)" in text
        assert "⚙ call calc({\"x\": 42})" in text
        assert "▌ TOOL  ↩ call_1" in text
        assert "⚙ tools: calc" in text


async def test_preference_line_shows_input_and_both_outputs(tmp_path):
    line = json.dumps({"input": {"messages": [{"role": "user", "content": "Say hi"}]},
                       "preferred_output": [{"role": "assistant", "content": "Hi there!"}],
                       "non_preferred_output": [{"role": "assistant", "content": "Go away."}]})
    path = write_lines(tmp_path / "dpo.jsonl", [line] * 10)
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        text = shown(app)
        assert "preference example: input" in text and "Say hi" in text
        pref, nonpref = text.index("✔ preferred output"), text.index("✘ non-preferred output")
        assert pref < text.index("Hi there!") < nonpref < text.index("Go away.")


async def test_raw_view_toggles_with_r(tmp_path, shoot):
    path = copy_example("marv.jsonl", tmp_path)
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("r")
        await settle(app, pilot)
        text = shown(app)
        assert '"messages": [' in text and '"role": "system"' in text
        assert "raw" in info(app)
        shoot(app, "data-raw")
        await pilot.press("r")
        await settle(app, pilot)
        assert "▌ SYSTEM" in shown(app)


async def test_jump_to_line_and_search(tmp_path):
    lines = [chat_line(i) for i in range(1, 31)]
    lines[21] = chat_line(22, system="Needle in the haystack")
    lines[6] = chat_line(7, system="another NEEDLE")
    path = write_lines(tmp_path / "many.jsonl", lines)
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        screen = data_screen(app)
        await pilot.press("colon")
        await pilot.press(*"17", "enter")
        await settle(app, pilot)
        assert screen.line == 17 and "Question 17?" in shown(app)

        await pilot.press("colon", *"999", "enter")  # out of range: refused, we stay
        await settle(app, pilot)
        assert screen.line == 17

        await pilot.press("slash", *"needle", "enter")
        await settle(app, pilot)
        assert screen.line == 22  # forward from 17, case-insensitive
        await pilot.press("full_stop")
        await settle(app, pilot)
        assert screen.line == 7  # wraps around
        await pilot.press("comma")
        await settle(app, pilot)
        assert screen.line == 22
        assert "/needle" in info(app)
        await pilot.press("slash")
        await pilot.pause()
        app.screen.query_one("#search-input").value = "not anywhere"
        await pilot.press("enter")
        await settle(app, pilot)
        assert screen.line == 22 and "/not anywhere" in info(app)
        assert any("is not in the file" in str(n.message) for n in app._notifications)


async def test_broken_file_lists_problems_and_n_jumps_to_them(tmp_path, shoot):
    good = [chat_line(i) for i in range(1, 13)]
    lines = good[:3] + ["", '{"messages": [oops'] + good[3:8] + ['{"messages": "not a list"}'] + good[8:]
    path = write_lines(tmp_path / "broken.jsonl", lines)
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        screen = data_screen(app)
        problems = screen.query_one(ProblemList)
        by_line = {(p.line, p.code) for p in problems.problems}
        assert (4, "blank_line") in by_line and (5, "invalid_json") in by_line
        assert any(p.line == 11 and p.severity == "error" for p in problems.problems)
        assert problems.row_count == len(problems.problems)
        stats = screen.query_one(TokenStatsPanel).plain_text()
        assert "has errors" in stats and "3 errors" in stats

        await pilot.press("n")
        await settle(app, pilot)
        assert screen.line == 4 and "blank" in shown(app)
        await pilot.press("n")
        await settle(app, pilot)
        assert screen.line == 5 and "not valid JSON" in shown(app) and '{"messages": [oops' in shown(app)
        await pilot.press("right_square_bracket")
        await settle(app, pilot)
        assert screen.line == 11
        await pilot.press("N")
        await settle(app, pilot)
        assert screen.line == 5
        await pilot.press("left_square_bracket")
        await settle(app, pilot)
        assert screen.line == 4

        # Choosing a problem in the list moves the preview there.
        problems.focus()
        row = next(i for i, p in enumerate(problems.problems) if p.line == 11)
        problems.move_cursor(row=row)
        await pilot.press("enter")
        await settle(app, pilot)
        assert screen.line == 11


async def test_examples_broken_file_problems_and_jumps(tmp_path, shoot):
    path = copy_example("broken.jsonl", tmp_path)
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        screen = data_screen(app)
        found = {(p.line, p.code) for p in screen.query_one(ProblemList).problems}
        for expected in [(1, "bom"), (2, "invalid_json"), (13, "blank_line"), (17, "invalid_utf8"),
                         (19, "truncated_line")]:
            assert expected in found
        assert screen.line == 1 and "bom" in shown(app)
        shoot(app, "data-problems")
        await pilot.press("n")
        await settle(app, pilot)
        assert screen.line == 2 and "not valid JSON" in shown(app)
        await pilot.press(*"n" * 15)  # line 17: latin-1 bytes are shown, and said to be not UTF-8
        await settle(app, pilot)
        assert screen.line == 17 and "not valid UTF-8" in shown(app)
        await pilot.press("n", "n")
        await settle(app, pilot)
        assert screen.line == 19 and "cut off" in shown(app)
        await pilot.press("n")  # wraps to the first problem line
        await settle(app, pilot)
        assert screen.line == 1


async def test_model_choice_changes_the_cost(tmp_path):
    path = copy_example("marv.jsonl", tmp_path)
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        screen = data_screen(app)
        before = screen.query_one(TokenStatsPanel).plain_text()
        assert "gpt-4o-mini-2024-07-18" in before and "USD" in before
        await pilot.press("m")
        await pilot.pause()
        await pilot.press("down", "down", "down", "down", "enter")  # gpt-4o-2024-08-06
        await settle(app, pilot)
        after = screen.query_one(TokenStatsPanel).plain_text()
        assert screen.model == "gpt-4o-2024-08-06"
        assert "gpt-4o-2024-08-06" in after and after != before


async def test_panel_toggles(tmp_path):
    path = copy_example("marv.jsonl", tmp_path)
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        panel = data_screen(app).query_one("#data-panel")
        assert panel.display
        await pilot.press("p")
        assert not panel.display
        await pilot.press("p")
        assert panel.display


async def test_a_50mb_file_shows_its_first_example_quickly(tmp_path):
    path = tmp_path / "big.jsonl"
    line = chat_line(0, system="x" * 2000) + "\n"
    with path.open("w") as fh:
        fh.write(chat_line(1) + "\n")
        fh.write(line * (50 * 1024 * 1024 // len(line)))
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        started = time.perf_counter()
        screen = data_screen(app)
        while "Question 1?" not in shown(app):
            await pilot.pause(0.01)
            assert time.perf_counter() - started < 30
        elapsed = time.perf_counter() - started
        print(f"\nfirst example of a {path.stat().st_size / 2**20:.0f} MB file shown after {elapsed * 1000:.0f} ms")
        assert screen.line == 1
        await pilot.press("G")  # the end is reachable without reading the file into memory
        await settle(app, pilot)
        assert screen.line == screen.total_lines > 20_000


async def test_validation_streams_problems_with_progress_while_the_ui_moves(tmp_path):
    path = tmp_path / "big-broken.jsonl"
    good = chat_line(0, system="s" * 1500) + "\n"
    with path.open("w") as fh:
        fh.write('{"messages": [broken\n')  # a problem on line 1, found first
        fh.write(good * (40 * 1024 * 1024 // len(good)))
        fh.write('{"messages": "late"}\n')
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = data_screen(app)
        problems = screen.query_one(ProblemList)
        bar = screen.query_one("#data-progress")
        seen_progress = seen_early_problem = moved = False
        started = time.perf_counter()
        while screen.validating or not screen.report:
            await pilot.pause(0.05)
            if screen.validating and screen.query_one("#data-progress-row").display:
                seen_progress = seen_progress or 0 < (bar.progress or 0) < (bar.total or 1)
                seen_early_problem = seen_early_problem or any(p.line == 1 for p in problems.problems)
                if seen_early_problem and not moved:
                    await pilot.press("j")  # the UI answers while validation runs
                    moved = True
            assert time.perf_counter() - started < 120
        print(f"\nvalidated {path.stat().st_size / 2**20:.0f} MB in {time.perf_counter() - started:.1f} s")
        await settle(app, pilot)
        assert seen_progress and seen_early_problem and moved
        assert screen.line == 2
        assert not screen.query_one("#data-progress-row").display
        assert any(p.code == "invalid_json" and p.line == 1 for p in problems.problems)
        assert problems.problems[-1].line == screen.total_lines or any(
            p.line == screen.total_lines for p in problems.problems)
