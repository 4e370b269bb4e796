"""A small form for the request parameters both panes are sent with."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.widgets import Input, Label, Static

from ftui.core.compare.params import Params, parse_params
from ftui.core.errors import CoreError
from ftui.tui.screens.base import FtuiModal

FIELDS = [
    ("temperature", "temperature (0-2)"),
    ("top_p", "top_p (0-1)"),
    ("n", "n (choices per pane)"),
    ("stop", "stop (up to 4, split by |)"),
    ("max_completion_tokens", "max_completion_tokens"),
    ("seed", "seed"),
]


def _show(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "|".join(s.replace("\n", "\\n") for s in value)
    return str(value)


class ParamsModal(FtuiModal[Params | None]):
    CSS_PATH = "modals.tcss"
    BINDINGS = [
        Binding("ctrl+r,f5", "apply", "Apply", id="compare.params.apply",
                tooltip="Check the values and use them for the next request"),
        Binding("escape", "dismiss_none", "Cancel", id="compare.params.cancel",
                tooltip="Keep the parameters as they were"),
    ]

    def __init__(self, params: Params) -> None:
        super().__init__()
        self.params = params

    def compose(self) -> ComposeResult:
        with Vertical(id="params-box", classes="compare-modal"):
            yield Static("Request parameters — blank means the API default; enter applies",
                         classes="modal-title")
            with Grid(id="params-grid"):
                for name, label in FIELDS:
                    yield Label(label)
                    yield Input(_show(getattr(self.params, name)), id=f"param-{name}")
            yield Static("", id="params-error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_apply()

    def action_apply(self) -> None:
        values = {name: self.query_one(f"#param-{name}", Input).value for name, _ in FIELDS}
        try:
            params = parse_params(**values)
        except CoreError as exc:
            self.query_one("#params-error", Static).update(f"⚠ {exc.summary()}")
            return
        self.dismiss(params)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
