"""Small dialogs of the Data section: ask for a line or a search text, choose a model."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from ftui.tui.screens.base import FtuiModal

TRAINING_MODELS = [
    "gpt-4o-mini-2024-07-18",
    "gpt-4.1-2025-04-14",
    "gpt-4.1-mini-2025-04-14",
    "gpt-4.1-nano-2025-04-14",
    "gpt-4o-2024-08-06",
    "gpt-3.5-turbo-0125",
]
DEFAULT_MODEL = TRAINING_MODELS[0]


class AskScreen(FtuiModal[str | None]):
    """One line of input (jump to line N, search text); Enter answers, Escape cancels."""

    CSS_PATH = "forms.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="data.ask.cancel", tooltip="Close without doing anything")]

    def __init__(self, prompt: str, *, value: str = "", placeholder: str = "", number: bool = False,
                 input_id: str = "ask-input") -> None:
        super().__init__()
        self._prompt = prompt
        self._value = value
        self._placeholder = placeholder
        self._number = number
        self._input_id = input_id

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog small"):
            yield Label(self._prompt)
            yield Input(self._value, placeholder=self._placeholder, id=self._input_id,
                        type="integer" if self._number else "text")
            yield Static("", classes="dialog-error", id="ask-error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        value = event.value.strip()
        if not value:
            self.query_one("#ask-error", Static).update("type something, or Escape to cancel")
            return
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ModelScreen(FtuiModal[str | None]):
    """Choose the model whose tokens, limits and prices the summary uses: the account's fine-tunable
    models when they are known (`models`), OpenAI's built-in list until then (`note` says why)."""

    CSS_PATH = "forms.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="data.model.cancel", tooltip="Keep the current model")]

    def __init__(self, current: str, models: list[str] | None = None, note: str = "") -> None:
        super().__init__()
        self._current = current
        self._models = list(models) if models else list(TRAINING_MODELS)
        self._note = note

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Model for token counts and cost estimate")
            if self._note:
                yield Static(self._note, classes="dialog-detail", id="model-note")
            options = [Option(("● " if m == self._current else "  ") + m, id=m) for m in self._models]
            yield OptionList(*options, id="model-list")

    def on_mount(self) -> None:
        ol = self.query_one(OptionList)
        if self._current in self._models:
            ol.highlighted = self._models.index(self._current)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
