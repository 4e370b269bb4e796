"""Pick a model for one pane: account models, fine-tunes and checkpoints of succeeded jobs."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from ftui.core.compare.models import ModelChoice, model_choices
from ftui.core.errors import CoreError
from ftui.tui.screens.base import FtuiModal


class ModelPicker(FtuiModal[str | None]):
    """Type to filter; enter takes the highlighted model (or the typed name as it is)."""

    CSS_PATH = "modals.tcss"
    BINDINGS = [
        Binding("escape", "dismiss_none", "Cancel", id="compare.picker.cancel",
                tooltip="Keep the pane's model"),
        Binding("down", "move(1)", "Next", id="compare.picker.down", show=False,
                tooltip="Next model"),
        Binding("up", "move(-1)", "Previous", id="compare.picker.up", show=False,
                tooltip="Previous model"),
    ]

    def __init__(self, side_label: str, current: str | None, *, profile: str | None = None) -> None:
        super().__init__()
        self.profile = profile  # the pane's profile; None: the app's own account
        self.side_label = side_label
        self.current = current or ""
        self.choices: list[ModelChoice] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="picker-box", classes="compare-modal"):
            where = f" on {self.profile}" if self.profile else ""
            yield Static(f"Model for the {self.side_label} pane{where}", classes="modal-title")
            yield Input(placeholder="filter, or type a model name", id="picker-filter")
            yield OptionList(id="picker-list")
            yield Static("loading models…", id="picker-status")

    def on_mount(self) -> None:
        self.query_one("#picker-filter", Input).focus()
        self._load()

    @work(exclusive=True, group="compare-picker", exit_on_error=False, description="loading the models")
    async def _load(self) -> None:
        provider = self.provider
        status = self.query_one("#picker-status", Static)
        if self.profile:
            from ftui.tui.screens.sunset.profiles import pool_of

            try:
                provider = await pool_of(self.app).provider(self.profile)
            except CoreError as exc:
                status.update(f"⚠ {exc.summary()} — you can still type a model name")
                return
        if provider is None:
            status.update("no account: type a model name")
            return
        try:
            self.choices = await model_choices(provider)
        except CoreError as exc:
            status.update(f"⚠ {exc.summary()} — you can still type a model name")
            return
        status.update(f"{len(self.choices)} models and checkpoints")
        self._fill(self.query_one("#picker-filter", Input).value)

    def _fill(self, needle: str) -> None:
        options = self.query_one("#picker-list", OptionList)
        options.clear_options()
        needle = needle.strip().lower()
        for c in self.choices:
            if needle and needle not in c.id.lower():
                continue
            mark = "● " if c.id == self.current else "  "
            note = f"  [dim]{c.kind}{' · ' + c.note if c.note else ''}[/]"
            options.add_option(Option(f"{mark}{c.id}{note}", id=c.id))
        if options.option_count:
            options.highlighted = 0

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def action_move(self, step: int) -> None:
        options = self.query_one("#picker-list", OptionList)
        if options.option_count:
            current = options.highlighted or 0
            options.highlighted = max(0, min(options.option_count - 1, current + step))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        options = self.query_one("#picker-list", OptionList)
        if options.option_count and options.highlighted is not None:
            self.dismiss(options.get_option_at_index(options.highlighted).id)
        elif event.value.strip():
            self.dismiss(event.value.strip())

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
