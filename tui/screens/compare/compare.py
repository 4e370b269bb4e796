"""The Compare section: one prompt to two models at once, answers streaming side by side,
judged (blind if wanted), kept in a local history, and any answer turned into a training example."""

from __future__ import annotations

import asyncio
import random
import time
from pathlib import Path
from typing import Any

from textual import on, work
from textual.binding import Binding
from textual.containers import Container
from textual.widgets import Static, TextArea

from ftui.core.compare.blind import shuffle, to_model_side
from ftui.core.compare.diff import word_diff
from ftui.core.compare.models import default_pair
from ftui.core.compare.pane import PaneResult, run_pair
from ftui.core.compare.params import Params
from ftui.core.compare.prompts import PromptExample
from ftui.core.compare.records import Judgement, Round
from ftui.core.compare.store import CompareStore
from ftui.core.errors import CoreError
from ftui.tui.screens.base import SectionScreen
from ftui.tui.shell.no_account import no_account
from ftui.widgets.answer_pane import AnswerPane
from ftui.widgets.text_entry import TextBox

WIDE = 120  # columns from which the panes sit side by side
REFRESH = 0.1  # seconds between repaints of a streaming pane
ROOT = Path(__file__).resolve().parents[3]
READY = "ctrl+r sends the prompt to both models; ctrl+o takes one from a dataset."
SIDES = ("left", "right")


def default_examples_path(current: Path | None) -> Path | None:
    """A held-out file first (prompts the model did not train on), else the current dataset."""
    for folder in (Path.cwd() / "examples", ROOT / "examples"):
        if (folder / "marv_holdout.jsonl").is_file():
            return folder / "marv_holdout.jsonl"
    return current


class CompareScreen(SectionScreen):
    SECTION = "Compare"
    CSS_PATH = "compare.tcss"
    BINDINGS = [
        Binding("ctrl+r,f5", "send", "Send", id="compare.send",
                tooltip="Send the prompt to both models at once (starts a new conversation)"),
        Binding("ctrl+t", "send(True)", "Continue", id="compare.continue",
                tooltip="Send the user message as the next turn of each pane's conversation"),
        Binding("escape", "cancel", "Stop", id="compare.cancel",
                tooltip="Stop both answers now (what arrived is kept)"),
        Binding("f2", "pick('left')", "Left model", id="compare.pick_left",
                tooltip="Choose the left model: any model, fine-tune or checkpoint"),
        Binding("f3", "pick('right')", "Right model", id="compare.pick_right",
                tooltip="Choose the right model: any model, fine-tune or checkpoint"),
        Binding("f6", "pick_profile('left')", "Left profile", id="compare.profile_left", show=False,
                tooltip="Ask the left model on another profile's account (e.g. the old one on OpenAI)"),
        Binding("f7", "pick_profile('right')", "Right profile", id="compare.profile_right", show=False,
                tooltip="Ask the right model on another profile's account (e.g. the new one elsewhere)"),
        Binding("f4", "params", "Params", id="compare.params",
                tooltip="temperature, top_p, n, stop, max_completion_tokens, seed"),
        Binding("ctrl+o", "example", "Example", id="compare.example",
                tooltip="Take the prompt from a dataset and show its expected answer"),
        Binding("ctrl+l", "batch", "Batch", id="compare.batch",
                tooltip="Run a whole held-out file through both models and judge row by row"),
        Binding("f8", "sessions", "History", id="compare.sessions",
                tooltip="Past compare sessions: reopen or export them"),
        Binding("left_square_bracket", "judge('left')", "Left better", id="compare.judge_left",
                tooltip="Mark the left pane's answer as the better one"),
        Binding("right_square_bracket", "judge('right')", "Right better", id="compare.judge_right",
                tooltip="Mark the right pane's answer as the better one"),
        Binding("equals_sign", "judge('tie')", "Tie", id="compare.judge_tie",
                tooltip="Mark the two answers as equally good"),
        Binding("b", "blind", "Blind", id="compare.blind",
                tooltip="Hide which pane is which model; panes are shuffled per prompt"),
        Binding("d", "diff", "Diff", id="compare.diff",
                tooltip="Highlight the words where the two answers differ"),
        Binding("e,f9", "iterate", "Fix answer", id="compare.iterate",
                tooltip="Edit the focused pane's answer into a training example and append it"),
        Binding("n", "new_session", "New session", id="compare.new_session", show=False,
                tooltip="Start a fresh session in the history"),
    ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.models: dict[str, str | None] = {"left": None, "right": None}
        # Each pane's profile; None: the app's own account.
        self.profiles: dict[str, str | None] = {"left": None, "right": None}
        self.migration_id: str | None = None  # the migration this comparison proves
        self.batch_path: Path | None = None  # its held-out or validation file, for the batch
        self._models_given = False
        self.params = Params()
        self.blind = False
        self.diff_on = False
        self.rng = random.Random()
        self.round: Round | None = None  # the round on screen
        self.history: dict[str, list[dict[str, Any]]] = {"left": [], "right": []}
        self.expected: str | None = None
        self.source: str | None = None
        self.examples_path: Path | None = None
        self.session_id: int | None = None
        self.store = CompareStore()
        self.drafts: dict[tuple, dict] = {}  # unsaved corrections, so nothing typed is lost
        self._save_lock = asyncio.Lock()  # one session row even when saves overlap
        self._example_user: str | None = None
        self._painted = {"left": 0.0, "right": 0.0}
        self._pending: dict[str, PaneResult] = {}
        self._batch = None  # the last batch screen, kept with its rows for coming back (BatchScreen)

    # Hand-off from other sections (may come before mount) -----------------------------
    def set_models(self, left: str, right: str, *, profiles: tuple[str | None, str | None] = (None, None),
                   migration_id: str | None = None, batch_path: Path | None = None) -> None:
        """Both panes' models (and profiles, for a comparison across accounts); lands on the
        prompt, above any batch or history screen left open in this section."""
        self.models = {"left": left, "right": right}
        self.profiles = dict(zip(SIDES, profiles))
        self.migration_id = migration_id
        self.batch_path = batch_path
        self._models_given = True
        self.round = None
        self.history = {"left": [], "right": []}
        if self.is_mounted:
            stack = self.app.screen_stack
            while self in stack and stack[-1] is not self:
                self.app.pop_screen()
                stack = self.app.screen_stack
            self._show_round()
            self.query_one("#compare-user", TextArea).focus()

    # Layout ------------------------------------------------------------------------
    def compose_body(self):
        yield Static("", id="compare-models")
        yield Static("", id="compare-params")
        system = TextBox(id="compare-system", placeholder="system prompt (optional)",
                         tab_behavior="focus", soft_wrap=True)
        system.border_title = "System"
        yield system
        user = TextBox(id="compare-user", placeholder="user message — ctrl+r sends to both",
                       tab_behavior="focus", soft_wrap=True)
        user.border_title = "User"
        yield user
        with Container(id="compare-panes"):
            yield AnswerPane(id="pane-left")
            yield AnswerPane(id="pane-right")
            expected = AnswerPane("expected (from the file)", id="pane-expected")
            expected.display = False
            yield expected

    def on_mount(self) -> None:
        self._apply_width(self.app.size.width)
        self.query_one("#compare-user", TextArea).focus()
        self._show_round()
        for pane in self._panes():
            pane.set_note(no_account(self.app) if self.provider is None else READY)
        if self.provider is not None and not self._models_given and not all(self.models.values()):
            self._find_default_pair()

    def on_resize(self, event) -> None:
        self._apply_width(event.size.width)

    def _apply_width(self, width: int) -> None:
        self.set_class(width >= WIDE, "-wide")

    # Who is where ------------------------------------------------------------------
    @property
    def swapped(self) -> bool:
        return bool(self.round and self.round.swapped)

    def side_at(self, position: str) -> str:
        """Which model side ("left"/"right") the pane at screen `position` shows."""
        if not self.swapped:
            return position
        return "right" if position == "left" else "left"

    def pane_for(self, side: str) -> AnswerPane:
        position = side if not self.swapped else ("right" if side == "left" else "left")
        return self.query_one(f"#pane-{position}", AnswerPane)

    def _panes(self) -> list[AnswerPane]:
        return [self.query_one("#pane-left", AnswerPane), self.query_one("#pane-right", AnswerPane)]

    def _hidden(self) -> bool:
        """Model names stay hidden in blind mode until the round is judged."""
        return self.blind and not (self.round and self.round.judgement)

    def _title(self, position: str) -> str:
        side = self.side_at(position)
        if self._hidden():
            return f"answer {'A' if position == 'left' else 'B'}"
        model = self.models[side] or f"no model — {'F2' if side == 'left' else 'F3'} picks one"
        if self.profiles[side] and self.models[side]:
            model += f" @ {self.profiles[side]}"
        if self.round and self.round.judgement and self.round.judgement != "tie":
            if self.round.judgement == side:
                model = "★ " + model
        return model

    def _show_round(self) -> None:
        """Repaint everything from state: titles, the models line, panes, expected answer."""
        for position in SIDES:
            pane = self.query_one(f"#pane-{position}", AnswerPane)
            side = self.side_at(position)
            pane.set_title(self._title(position))
            result = getattr(self.round, side) if self.round else None
            pane.set_history(self._earlier_turns(side))
            pane.show(result)
            better = bool(self.round and self.round.judgement == side)
            pane.set_class(better, "-judged-better")
        self._apply_diff()
        expected = self.query_one("#pane-expected", AnswerPane)
        expected.display = self.expected is not None
        if self.expected is not None:
            expected.show(PaneResult(model="expected", choices=[self.expected],
                                     finish_reasons=["stop"], status="done"))
        self._show_lines()

    def _earlier_turns(self, side: str) -> list[dict[str, Any]]:
        """The conversation before the round on screen (multi-turn)."""
        if not self.round:
            return []
        sent = self.round.left_messages if side == "left" else self.round.right_messages
        return [m for m in sent[:-1] if m.get("role") != "system"]

    def _show_lines(self) -> None:
        if self._hidden():
            who = "answers A / B (blind: models hidden until you judge)"
        else:
            who = "  vs  ".join(f"{self.models[s] or '?'}" + (f" @ {self.profiles[s]}" if self.profiles[s] else "")
                                for s in SIDES)
        flags = []
        if self.blind:
            flags.append("blind")
        if self.diff_on:
            flags.append("diff")
        if self.round and self.round.judgement:
            verdict = {"left": self.models["left"], "right": self.models["right"],
                       "tie": "tie"}[self.round.judgement]
            flags.append(f"judged: {verdict if verdict == 'tie' else verdict + ' better'}")
        turns = len([m for m in self.history["left"] if m.get("role") == "user"])
        if turns > 1:
            flags.append(f"turn {turns}")
        line = who + ("  · " + " · ".join(flags) if flags else "")
        self.query_one("#compare-models", Static).update(line)
        self.query_one("#compare-params", Static).update(self.params.describe() + "  (F4)")

    # Default pair --------------------------------------------------------------------
    @work(exclusive=True, group="compare-default", exit_on_error=False, description="choosing the models to compare")
    async def _find_default_pair(self) -> None:
        try:
            pair = await default_pair(self.provider)
        except CoreError as exc:
            self.notify(f"No default models: {exc.summary()}", severity="warning")
            pair = None
        if self._models_given or all(self.models.values()):
            return  # the user or another section chose meanwhile
        if pair:
            self.models = {"left": pair[0], "right": pair[1]}
        self._show_round()

    # Sending -----------------------------------------------------------------------
    def action_send(self, continue_thread: bool = False) -> None:
        if self.provider is None and not all(self.profiles.values()):
            self.notify(no_account(self.app), severity="warning")
            return
        missing = [s for s in SIDES if not self.models[s]]
        if missing:
            self.notify(f"Pick the {' and '.join(missing)} model first (F2 / F3).", severity="warning")
            return
        user = self.query_one("#compare-user", TextArea).text
        if not user.strip():
            self.notify("Type a user message first.", severity="warning")
            self.query_one("#compare-user", TextArea).focus()
            return
        system = self.query_one("#compare-system", TextArea).text
        if continue_thread and self.round is None:
            continue_thread = False
        if not continue_thread:
            self.history = {"left": [], "right": []}
            if system.strip():
                for side in SIDES:
                    self.history[side].append({"role": "system", "content": system})
            swapped = self.blind and shuffle(self.rng)
        else:
            swapped = self.round.swapped
        sent = {s: [*self.history[s], {"role": "user", "content": user}] for s in SIDES}
        self.round = Round(left_model=self.models["left"], right_model=self.models["right"],
                           system=system, user=user, params=self.params.to_dict(),
                           left=PaneResult(self.models["left"]), right=PaneResult(self.models["right"]),
                           expected=self.expected if not continue_thread else None,
                           source=self.source if not continue_thread else None,
                           left_messages=sent["left"], right_messages=sent["right"],
                           blind=self.blind, swapped=swapped)
        self.diff_on = False
        self._show_round()
        self._run_round(self.round)
        self.query_one("#pane-left", AnswerPane).focus()

    @work(exclusive=True, group="compare-send", exit_on_error=False, description="asking the models")
    async def _run_round(self, r: Round) -> None:
        requests = {s: self.params.request(r.left_model if s == "left" else r.right_model,
                                           r.left_messages if s == "left" else r.right_messages)
                    for s in SIDES}

        def on_update(side: str, result: PaneResult) -> None:
            setattr(r, side, result)
            self._throttled_paint(side, result)

        try:
            left, right = await self.side_providers()
            await run_pair(left, requests["left"], requests["right"], on_update, right_provider=right)
        except CoreError as exc:
            for side in SIDES:
                result = getattr(r, side)
                result.status, result.error = "error", exc.summary()
        finally:
            for side in SIDES:
                self._paint(side, getattr(r, side))
            if r is self.round:  # a newer round may have replaced this one
                self._remember_answers(r)
                self._show_lines()
            self._save(r)

    def _remember_answers(self, r: Round) -> None:
        """Each pane's own conversation so far, for the next turn."""
        for side in SIDES:
            answer = getattr(r, side).text if getattr(r, side) else ""
            msgs = r.left_messages if side == "left" else r.right_messages
            self.history[side] = [*msgs, *([{"role": "assistant", "content": answer}] if answer else [])]

    def _throttled_paint(self, side: str, result: PaneResult) -> None:
        """Repaint a streaming pane at most ~10x a second; the final state always lands."""
        now = time.monotonic()
        if result.finished or now - self._painted[side] >= REFRESH:
            self._pending.pop(side, None)
            self._paint(side, result)
            return
        if side not in self._pending:
            self.set_timer(REFRESH, lambda: self._flush(side))
        self._pending[side] = result

    def _flush(self, side: str) -> None:
        result = self._pending.pop(side, None)
        if result is not None:
            self._paint(side, result)

    def _paint(self, side: str, result: PaneResult | None) -> None:
        self._painted[side] = time.monotonic()
        if self.round is not None and getattr(self.round, side) is result:
            self.pane_for(side).show(result)

    def action_cancel(self) -> None:
        """Stop both streams at once; each pane keeps what arrived and says it was stopped."""
        running = [w for w in self.workers if w.group == "compare-send" and w.is_running]
        if running:
            self.workers.cancel_group(self, "compare-send")
            self.notify("Stopped both answers.", timeout=2)

    async def side_providers(self):
        """(left, right) providers: each pane's profile, opened on first use."""
        from ftui.tui.screens.sunset.profiles import pool_of

        pool = pool_of(self.app)
        return await pool.provider(self.profiles["left"]), await pool.provider(self.profiles["right"])

    @property
    def streaming(self) -> bool:
        return any(w.group == "compare-send" and w.is_running for w in self.workers)

    # History (SQLite) ---------------------------------------------------------------
    @work(group="compare-save", exit_on_error=False, description="saving the round")
    async def _save(self, r: Round) -> None:
        try:
            async with self._save_lock:
                if self.session_id is None:
                    title = " ".join(r.user.split())[:60] or "compare"
                    self.session_id = await self.store.new_session(title)
                await self.store.save_round(self.session_id, r)
        except CoreError as exc:
            self.notify(f"Not saved to the compare history: {exc.summary()}", severity="warning")

    def action_new_session(self) -> None:
        self.session_id = None
        self.notify("The next answers start a new session in the history.", timeout=3)

    # Judging ---------------------------------------------------------------------
    def action_judge(self, position: Judgement) -> None:
        r = self.round
        if r is None or not r.left or not r.right or self.streaming:
            self.notify("Judge once both answers are in.", severity="warning")
            return
        r.judgement = to_model_side(position, r.swapped)
        self._show_round()
        if r.blind:
            self.notify(f"Revealed: left pane was {self.models[self.side_at('left')]}, "
                        f"right pane was {self.models[self.side_at('right')]}.", timeout=4)
        self._save(r)

    def action_blind(self) -> None:
        self.blind = not self.blind
        self.notify("Blind mode on: the next prompt hides and shuffles the models." if self.blind
                    else "Blind mode off.", timeout=3)
        self._show_round()

    def action_diff(self) -> None:
        self.diff_on = not self.diff_on
        self._apply_diff()
        self._show_lines()

    def _apply_diff(self) -> None:
        r = self.round
        on = self.diff_on and r is not None and r.left is not None and r.right is not None
        segments = word_diff(r.left.text, r.right.text) if on else None
        for side in SIDES:
            self.pane_for(side).show_diff(segments, side)

    # Models and params -----------------------------------------------------------
    def action_pick(self, side: str) -> None:
        from ftui.tui.screens.compare.picker import ModelPicker

        def chosen(model: str | None) -> None:
            if model:
                self.models[side] = model
                self._models_given = True
                self._show_round()

        position_word = side if not self._hidden() else f"{side} (hidden)"
        self.app.push_screen(ModelPicker(position_word, self.models[side], profile=self.profiles[side]),
                             chosen)

    def action_pick_profile(self, side: str) -> None:
        from ftui.tui.screens.compare.profile_picker import ProfilePicker
        from ftui.tui.screens.sunset.profiles import pool_of

        pool = pool_of(self.app)

        def chosen(name: str | None) -> None:
            if name:
                self.profiles[side] = None if pool.is_current(name) else name
                self.models[side] = None  # a model id means something only on its own account
                self._models_given = True
                self._show_round()
                self.action_pick(side)

        self.app.push_screen(ProfilePicker(side, pool.names(), self.profiles[side] or pool.current_name),
                             chosen)

    def action_params(self) -> None:
        from ftui.tui.screens.compare.params import ParamsModal

        def chosen(params: Params | None) -> None:
            if params is not None:
                self.params = params
                self._show_lines()

        self.app.push_screen(ParamsModal(self.params), chosen)

    def action_example(self) -> None:
        from ftui.tui.screens.compare.examples import ExamplePicker

        path = self.examples_path or default_examples_path(self.current_dataset)
        self.app.push_screen(ExamplePicker(path), self.use_example)

    def use_example(self, example: PromptExample | None) -> None:
        if example is None:
            return
        self.examples_path = None
        self.query_one("#compare-system", TextArea).text = example.system
        self.query_one("#compare-user", TextArea).text = example.user
        self._example_user = example.user
        self.expected = example.expected
        self.source = example.label
        self.round = None
        self.history = {"left": [], "right": []}
        self._show_round()

    @on(TextArea.Changed, "#compare-user")
    def _user_edited(self, event: TextArea.Changed) -> None:
        """A prompt typed over the dataset's one no longer has that expected answer."""
        if self.expected is not None and self._example_user is not None \
                and event.text_area.text != self._example_user:
            self.expected = self.source = self._example_user = None
            self.query_one("#pane-expected", AnswerPane).display = False

    # Iterate: a better answer becomes a training example -------------------------------
    def focused_side(self) -> str:
        focused = self.focused
        if isinstance(focused, AnswerPane) and focused.id in ("pane-left", "pane-right"):
            return self.side_at(focused.id.removeprefix("pane-"))
        return self.side_at("left")

    def action_iterate(self) -> None:
        from ftui.tui.screens.compare.correction import CorrectionScreen

        r = self.round
        if r is None:
            self.notify("Send a prompt first; then fix an answer into a training example.",
                        severity="warning")
            return
        side = self.focused_side()
        result = getattr(r, side)
        messages = r.left_messages if side == "left" else r.right_messages
        key = (r.created, side)
        draft = self.drafts.get(key) or {"messages": list(messages),
                                         "answer": result.text if result else ""}
        dataset = self.current_dataset

        def closed(outcome: dict | None) -> None:
            if outcome is None:
                return
            if outcome.get("appended"):
                self.drafts.pop(key, None)
            else:
                self.drafts[key] = outcome  # kept for next time, nothing typed is lost

        session_system = self.query_one("#compare-system", TextArea).text
        self.app.push_screen(CorrectionScreen(draft["messages"], draft["answer"], dataset,
                                              session_system=session_system), closed)

    # Batch and history screens ------------------------------------------------------
    def action_batch(self) -> None:
        from ftui.tui.screens.compare.batch import BatchScreen

        if not all(self.models.values()):
            self.notify("Pick both models first (F2 / F3).", severity="warning")
            return
        path = self.batch_path or default_examples_path(self.current_dataset)
        profiles = (self.profiles["left"], self.profiles["right"])
        kept = self._batch
        if kept is not None and kept.same_batch(self.models["left"], self.models["right"], self.params,
                                                profiles, self.migration_id):
            self.app.push_screen(kept)  # the same batch, rows and all, as it was left
            return
        if kept is not None:  # another pair or other parameters: a fresh batch (the old one is in F8)
            self.app.uninstall_screen(kept)
            kept.remove()
        batch = BatchScreen(self.models["left"], self.models["right"], self.params, path, self.store,
                            profiles=profiles, migration_id=self.migration_id)
        # Installed, so leaving it does not throw its rows away; ctrl+l comes back to it.
        self.app.install_screen(batch, f"compare-batch-{id(batch)}")
        self._batch = batch
        self.app.push_screen(batch)

    def action_sessions(self) -> None:
        from ftui.tui.screens.compare.sessions import SessionsScreen

        self.app.push_screen(SessionsScreen(self.store), self.reopen)

    def reopen(self, picked: tuple[int, list[Round], str] | None) -> None:
        """Show the last round of a past session (new rounds continue it); a batch reopens as
        its table."""
        if not picked:
            return
        session_id, rounds, kind = picked
        if kind == "sweep" and rounds:
            from ftui.core.compare.sweep_history import sweep_from_rounds
            from ftui.tui.screens.compare.sweep import SweepScreen

            def use(model: str | None) -> None:
                if model:
                    self.set_models(rounds[0].left_model, model)

            first = rounds[0]
            self.app.push_screen(SweepScreen(first.right_model, None, Params.from_dict(first.params),
                                             store=self.store, scores=sweep_from_rounds(rounds),
                                             session_id=session_id), use)
            return
        if kind == "batch" and rounds:
            from ftui.tui.screens.compare.batch import BatchScreen

            first = rounds[0]
            self.app.push_screen(BatchScreen(first.left_model, first.right_model,
                                             Params.from_dict(first.params), None, self.store,
                                             rounds=rounds, session_id=session_id))
            return
        self.session_id = session_id
        if not rounds:
            return
        r = rounds[-1]
        self.round = r
        self.models = {"left": r.left_model, "right": r.right_model}
        self._models_given = True
        self.params = Params.from_dict(r.params)
        self.blind = r.blind
        self.expected = r.expected
        self.source = r.source
        self.query_one("#compare-system", TextArea).text = r.system
        self.query_one("#compare-user", TextArea).text = r.user
        self._remember_answers(r)
        self._show_round()
