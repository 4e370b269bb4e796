"""Fix an answer into a training example: edit the reply (and prompt), then append it to a dataset
through the dataset core's atomic writer. Refusals show the problems; nothing typed is lost."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, Static, TextArea

from ftui.core.compare.correction import AppendOutcome, append_correction, build_example, dataset_system_prompt
from ftui.tui.screens.base import FtuiScreen
from ftui.widgets.key_footer import KeyFooter
from ftui.widgets.text_entry import TextBox


class CorrectionScreen(FtuiScreen[dict | None]):
    """Dismisses with {"messages", "answer", "appended"} so the caller can keep a draft."""

    CSS_PATH = "correction.tcss"
    BINDINGS = [
        Binding("ctrl+g,f2", "append", "Append", id="compare.iterate.append",
                tooltip="Validate the example and append it to the dataset (with a backup)"),
        Binding("escape", "back", "Back", id="compare.iterate.back",
                tooltip="Back to Compare; the draft is kept for next time"),
    ]

    def __init__(self, messages: list[dict[str, Any]], answer: str, dataset: Path | None,
                 *, session_system: str = "") -> None:
        super().__init__()
        self.messages = list(messages)
        self.session_system = session_system  # Compare's System box, when the round was sent without one
        self.answer = answer
        self.dataset = dataset
        self.outcome: AppendOutcome | None = None

    def _first(self, role: str) -> str:
        return next((m.get("content", "") for m in self.messages if m.get("role") == role), "")

    def _last_user(self) -> str:
        return next((m.get("content", "") for m in reversed(self.messages) if m.get("role") == "user"), "")

    BREADCRUMB = ("Compare", "fix answer")

    def compose(self) -> ComposeResult:
        yield self.status_header()
        earlier = len(self._earlier())
        note = f" · {earlier} earlier turns included" if earlier else ""
        yield Static(f"New training example: edit the reply, then ctrl+g appends{note}",
                     id="fix-title")
        dataset = Input(str(self.dataset or ""), placeholder="dataset to append to (.jsonl)",
                        id="fix-dataset")
        dataset.border_title = "Append to"
        yield dataset
        system = TextBox(self._first("system") or self.session_system, id="fix-system",
                         tab_behavior="focus", soft_wrap=True)
        system.border_title = "System"
        yield system
        user = TextBox(self._last_user(), id="fix-user", tab_behavior="focus", soft_wrap=True)
        user.border_title = "User"
        yield user
        answer = TextBox(self.answer, id="fix-answer", tab_behavior="focus", soft_wrap=True)
        answer.border_title = "Assistant (the corrected reply)"
        yield answer
        yield Static("", id="fix-problems")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#fix-answer", TextArea).focus()
        if not self.query_one("#fix-system", TextArea).text.strip():
            self._prefill_system(self.query_one("#fix-dataset", Input).value)

    @work(exclusive=True, group="compare-iterate-system", exit_on_error=False,
          description="reading the dataset's system prompt")
    async def _prefill_system(self, dataset: str) -> None:
        """An example without the dataset's system prompt would teach the model without it: offer it."""
        found = await asyncio.to_thread(dataset_system_prompt, dataset)
        box = self.query_one("#fix-system", TextArea)
        if found is None or box.text.strip():
            return  # none to offer, or the user typed one meanwhile
        text, line = found
        box.text = text
        box.border_title = f"System (from line {line} of {Path(dataset).name}; alt+x clears)"

    def _earlier(self) -> list[dict[str, Any]]:
        """Turns between the system prompt and the last user message (multi-turn)."""
        body = [m for m in self.messages if m.get("role") not in ("system", "developer")]
        last_user = max((i for i, m in enumerate(body) if m.get("role") == "user"), default=-1)
        return body[:last_user] if last_user > 0 else []

    def current_messages(self) -> list[dict[str, Any]]:
        system = self.query_one("#fix-system", TextArea).text
        user = self.query_one("#fix-user", TextArea).text
        msgs = [{"role": "system", "content": system}] if system.strip() else []
        return [*msgs, *self._earlier(), {"role": "user", "content": user}]

    def draft(self, appended: bool = False) -> dict:
        return {"messages": self.current_messages(),
                "answer": self.query_one("#fix-answer", TextArea).text, "appended": appended}

    def action_append(self) -> None:
        example = build_example(self.current_messages(), self.query_one("#fix-answer", TextArea).text)
        self._append(self.query_one("#fix-dataset", Input).value, example)

    @work(exclusive=True, group="compare-iterate", exit_on_error=False,
          description="adding the correction to the dataset")
    async def _append(self, path: str, example: dict) -> None:
        problems = self.query_one("#fix-problems", Static)
        problems.update("checking and appending…")
        try:
            self.outcome = outcome = await append_correction(path, example)
        except OSError as exc:  # e.g. the disk is full: the writer leaves the file as it was
            problems.update(f"⚠ Not appended: could not write {path}: {exc.strerror or exc} "
                            "— the file is unchanged and your answer is still here")
            return
        if outcome.ok:
            problems.update("")
            self.notify(f"Example {outcome.message}. Fine-tune again from Jobs when ready.",
                        title="Appended")
            self.dismiss(self.draft(appended=True))
            return
        lines = [f"⚠ Not appended: {outcome.message}"] + [f"  • {p}" for p in outcome.problems[:4]]
        problems.update("\n".join(lines))

    def action_back(self) -> None:
        self.dismiss(self.draft())
