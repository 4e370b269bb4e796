"""Pick a prompt from a dataset (a held-out or validation file above all) with its expected answer."""

from __future__ import annotations

from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from ftui.core.compare.prompts import PromptExample, read_prompts
from ftui.core.errors import CoreError
from ftui.tui.screens.base import FtuiModal


def _one_line(text: str, width: int = 70) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


class ExamplePicker(FtuiModal[PromptExample | None]):
    CSS_PATH = "modals.tcss"
    BINDINGS = [
        Binding("escape", "dismiss_none", "Cancel", id="compare.examples.cancel",
                tooltip="Keep the current prompt"),
    ]

    def __init__(self, path: Path | None) -> None:
        super().__init__()
        self.path = path
        self.examples: list[PromptExample] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="examples-box", classes="compare-modal"):
            yield Static("Prompt from a dataset (enter loads the file / picks the example)",
                         classes="modal-title")
            yield Input(str(self.path or ""), placeholder="path to a .jsonl file", id="examples-path")
            yield OptionList(id="examples-list")
            yield Static("", id="examples-status")

    def on_mount(self) -> None:
        if self.path:
            self._load(self.path)
        else:
            self.query_one("#examples-path", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self._load(Path(event.value.strip()))

    @work(exclusive=True, group="compare-examples", exit_on_error=False, description="loading the dataset examples")
    async def _load(self, path: Path) -> None:
        status = self.query_one("#examples-status", Static)
        options = self.query_one("#examples-list", OptionList)
        status.update(f"reading {path.name}…")
        try:
            self.examples, skipped = await read_prompts(path)
        except CoreError as exc:
            options.clear_options()
            status.update(f"⚠ {exc.summary()}")
            return
        options.clear_options()
        options.add_options(Option(f"{ex.line:>4}  {_one_line(ex.user)}", id=str(i))
                            for i, ex in enumerate(self.examples))
        note = f" · {len(skipped)} lines skipped ({skipped[0]})" if skipped else ""
        status.update(f"{len(self.examples)} prompts in {path.name}{note}")
        if self.examples:
            options.highlighted = 0
            options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.examples[int(event.option.id)])

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
