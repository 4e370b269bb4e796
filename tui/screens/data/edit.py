"""Changing a dataset: edit one example as JSON, or append a new one from a small form.

Both check the example with core's validator before writing and write through core's writer
(atomic, with a backup, undoable). A refused save keeps the editor open with everything typed in
it and the problems listed under it.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
from pathlib import Path
from typing import Any

from textual import work
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, Static, TextArea
from textual.worker import Worker, WorkerState

from ftui.core.errors import CoreError
from ftui.core.scratch import EditorCopy
from ftui.tui.screens.base import SectionScreen
from ftui.tui.screens.dialogs.confirm import confirm


def problems_text(problems: list[Any]) -> str:
    lines = [f"✗ {p.code}: {p.message}" if p.severity == "error" else f"! {p.code}: {p.message}"
             for p in problems[:6]]
    if len(problems) > 6:
        lines.append(f"… and {len(problems) - 6} more")
    return "\n".join(lines)


class _WriteScreen(SectionScreen):
    """What editing and appending share: save keys, a problems line, a guard against losing typing."""

    SECTION = "Data"
    CSS_PATH = "edit.tcss"
    ESCAPE_CLOSES = True  # Escape cancels the form (asking first), which leaves its text boxes
    BINDINGS = [
        # priority: TextArea uses ctrl+w itself (delete word), saving must win in the editors
        Binding("f2,ctrl+w", "save", "Save", id="data.write.save", priority=True,
                tooltip="Check the example and write it to the file"),
        Binding("escape", "cancel", "Cancel", id="data.write.cancel",
                tooltip="Close without writing (asks if something was typed)"),
    ]

    def __init__(self, path: Path, stamp: Any = None) -> None:
        super().__init__()
        self.path = path
        self.stamp = stamp  # the file version the user looked at; the writer refuses if it changed
        # A save cannot be stopped half-way (the writer would be left mid-file), so while one runs
        # the form stays open and says so, instead of offering to discard what is being written.
        self.saving = False

    def _start_saving(self, what: str) -> None:
        self.saving = True
        try:
            size = f" ({self.path.stat().st_size / 2**20:,.0f} MB)" if self.path.stat().st_size >= 1 << 20 else ""
        except OSError:
            size = ""
        self._say(f"Checking the example, then {what} {self.path.name}{size}…", error=False)

    def _save_failed(self, text: str) -> None:
        self.saving = False
        self._say(text)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # a save that broke unexpectedly (reported by the app) must not leave the form stuck "saving"
        if event.worker.group == "data-write" and event.state in (WorkerState.ERROR, WorkerState.CANCELLED):
            self.saving = False

    def _say(self, text: str, *, error: bool = True) -> None:
        box = self.query_one("#write-problems", Static)
        box.set_class(error, "error")
        box.update(text)

    def _dirty(self) -> bool:
        return False

    def action_cancel(self) -> None:
        if self.saving:
            self.notify("The save is under way and will finish; the form closes when it is written.",
                        severity="warning", timeout=4)
            return
        if not self._dirty():
            self.dismiss(None)
            return
        self._ask_discard()

    @work(exclusive=True, group="data-ask", exit_on_error=False, description="asking before closing the form")
    async def _ask_discard(self) -> None:
        if await confirm(self, "Discard what you typed?", "Nothing has been written."):
            self.dismiss(None)

    def action_save(self) -> None:
        raise NotImplementedError


class EditExampleScreen(_WriteScreen):
    """One example as pretty JSON in a TextArea; save replaces the line in the file."""

    BINDINGS = [
        Binding("f4,ctrl+o", "external", "$EDITOR", id="data.edit.external",
                tooltip="Edit the JSON in your $EDITOR, then come back here to save"),
    ]

    def __init__(self, path: Path, line: int, example: Any, raw_text: str, stamp: Any = None) -> None:
        super().__init__(path, stamp)
        self.line = line
        self.original = json.dumps(example, indent=2, ensure_ascii=False) if example is not None else raw_text

    def compose_body(self):
        with Vertical(id="write-body"):
            yield Label(f"Editing line {self.line} of {self.path.name} · F2 or ctrl+w saves · Esc cancels",
                        id="write-title")
            yield TextArea.code_editor(self.original, language="json", id="edit-json", show_line_numbers=False,
                                       soft_wrap=True, tab_behavior="focus")
            yield Static("", id="write-problems")

    def on_mount(self) -> None:
        self.query_one("#edit-json", TextArea).focus()

    def _dirty(self) -> bool:
        return self.query_one("#edit-json", TextArea).text != self.original

    def action_save(self) -> None:
        if self.saving:
            return
        self._start_saving(f"writing line {self.line} of")
        self._save(self.query_one("#edit-json", TextArea).text)

    @work(thread=True, exclusive=True, group="data-write", exit_on_error=False, description="saving the example")
    def _save(self, text: str) -> None:
        from ftui.tui.screens.data.checks import replace_line

        # The writer checks the example against the file's format and refuses it with its problems.
        try:
            message = replace_line(self.path, self.line, text, self.stamp)
        except CoreError as err:
            detail = problems_text(getattr(err, "problems", None) or [])
            self.app.call_from_thread(self._save_failed,
                                      f"Not saved: {err.summary()}" + ("\n" + detail if detail else ""))
            return
        self.app.call_from_thread(self.dismiss, (message, self.line))

    def action_external(self) -> None:
        """Open the JSON in $EDITOR (the app steps aside meanwhile), then load the result here."""
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
        if not editor:
            self._say("Set $EDITOR (e.g. export EDITOR=nano) to edit in your own editor.")
            return
        area = self.query_one("#edit-json", TextArea)
        try:
            with EditorCopy(area.text) as copy:
                try:
                    with self.app.suspend():
                        subprocess.run([*shlex.split(editor), str(copy.path)], check=False)
                except Exception as exc:  # SuspendNotSupported and editor failures: keep the text
                    self._say(f"Could not run {editor}: {exc}")
                    return
                area.load_text(copy.read())
        except CoreError as err:
            self._say(f"Not loaded from the editor: {err.summary()}")
            return
        self._say("Loaded from your editor; F2 saves.", error=False)


class AppendExampleScreen(_WriteScreen):
    """A new chat example from three fields (system optional); save appends it to the file."""

    BINDINGS = [
        Binding("ctrl+n", "focus_next", "Next field", id="data.append.next", show=False,
                tooltip="Move to the next field (Tab also works outside text boxes)"),
    ]

    def __init__(self, path: Path, stamp: Any = None, *, system: str = "") -> None:
        super().__init__(path, stamp)
        self._system = system

    def compose_body(self):
        with Vertical(id="write-body"):
            yield Label(f"New example for {self.path.name} · F2 or ctrl+w appends · Esc cancels",
                        id="write-title")
            yield Label("System (optional)", classes="field-label")
            yield Input(self._system, placeholder="You are …", id="append-system")
            yield Label("User", classes="field-label")
            yield TextArea(id="append-user", soft_wrap=True, tab_behavior="focus")
            yield Label("Assistant (what the model should answer)", classes="field-label")
            yield TextArea(id="append-assistant", soft_wrap=True, tab_behavior="focus")
            yield Static("", id="write-problems")

    def on_mount(self) -> None:
        self.query_one("#append-user" if self._system else "#append-system").focus()

    def _values(self) -> tuple[str, str, str]:
        return (self.query_one("#append-system", Input).value,
                self.query_one("#append-user", TextArea).text,
                self.query_one("#append-assistant", TextArea).text)

    def _dirty(self) -> bool:
        system, user, assistant = self._values()
        return bool(user.strip() or assistant.strip() or system.strip() != self._system.strip())

    def example(self) -> dict:
        system, user, assistant = self._values()
        messages = []
        if system.strip():
            messages.append({"role": "system", "content": system})
        messages.append({"role": "user", "content": user})
        messages.append({"role": "assistant", "content": assistant})
        return {"messages": messages}

    def action_save(self) -> None:
        system, user, assistant = self._values()
        missing = [name for name, value in (("user", user), ("assistant", assistant)) if not value.strip()]
        if missing:
            self._say("Not saved: write the " + " and the ".join(missing) + " message.")
            return
        if self.saving:
            return
        self._start_saving("appending it to")
        self._save(self.example())

    @work(thread=True, exclusive=True, group="data-write", exit_on_error=False, description="saving the example")
    def _save(self, example: dict) -> None:
        from ftui.tui.screens.data.checks import append_example

        try:
            message, line = append_example(self.path, example, self.stamp)
        except CoreError as err:
            detail = problems_text(getattr(err, "problems", None) or [])
            self.app.call_from_thread(self._save_failed,
                                      f"Not saved: {err.summary()}" + ("\n" + detail if detail else ""))
            return
        self.app.call_from_thread(self.dismiss, (message, line))
