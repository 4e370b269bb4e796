"""Quitting with dedicated endpoints still running asks first: they bill every minute, whether
ftui is open or not. `quit_guarded(app)` is what the app's quit action calls."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Literal

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from ftui.core.errors import CoreError
from ftui.core.provider import Deployer, capabilities_of
from ftui.core.types import Deployment
from ftui.tui.screens.base import FtuiModal

if TYPE_CHECKING:
    from ftui.tui.shell.app import FtuiApp

QuitChoice = Literal["stop", "keep", "cancel"]
LIST_TIMEOUT = 5.0  # seconds: an account that does not answer must not keep ftui from quitting


def running_line(d: Deployment, now: float) -> str:
    price = f"${d.price_per_minute:.4f}/min" if d.price_per_minute is not None else "an unknown price"
    cost = d.cost_so_far(now)
    so_far = f", ${cost:.2f} so far" if cost is not None else ""
    return f"endpoint {d.chat_model} is {d.state} and bills {price}{so_far}"


class QuitEndpointsScreen(FtuiModal[QuitChoice]):
    """Dismisses with "stop" (stop them, then quit), "keep" (quit, leave them running) or "cancel"."""

    CSS_PATH = ["../dialogs/confirm.tcss", "dialogs.tcss"]
    BINDINGS = [
        Binding("s", "answer('stop')", "Stop", id="quit.stop_endpoints",
                tooltip="Stop every running endpoint, then quit"),
        Binding("k", "answer('keep')", "Keep", id="quit.keep_endpoints",
                tooltip="Quit and leave the endpoints running (they keep billing)"),
        Binding("c,escape", "answer('cancel')", "Cancel", id="quit.cancel", tooltip="Do not quit"),
    ]

    def __init__(self, running: list[Deployment]) -> None:
        super().__init__()
        self.running = running

    def compose(self) -> ComposeResult:
        now = time.time()
        lines = "\n".join(running_line(d, now) for d in self.running)
        with Vertical(id="confirm-box"):
            yield Static("Endpoints are still running", id="confirm-title")
            yield Static(f"{lines}.\nStop, keep or cancel?", id="confirm-message")
            with Horizontal(id="confirm-buttons"):
                yield Button("Stop them (s)", variant="error", id="quit-stop")
                yield Button("Keep them (k)", id="quit-keep")
                yield Button("Cancel (c)", id="quit-cancel")

    def on_mount(self) -> None:
        self.query_one("#quit-cancel", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss((event.button.id or "quit-cancel").removeprefix("quit-"))  # type: ignore[arg-type]

    def action_answer(self, choice: QuitChoice) -> None:
        self.dismiss(choice)


async def running_deployments(provider: object) -> list[Deployment]:
    """The provider's running endpoints; none where it has no deployments or does not answer."""
    if not capabilities_of(provider).deploy_before_chat or not isinstance(provider, Deployer):
        return []
    try:
        found = await asyncio.wait_for(provider.list_deployments(), LIST_TIMEOUT)
    except (CoreError, TimeoutError):
        return []
    return [d for d in found if d.running]


def quit_guarded(app: FtuiApp) -> None:
    app.run_worker(_ask_then_quit(app), exclusive=True, group="app-quit", exit_on_error=False,
                   description="checking for running endpoints before quitting")


async def _ask_then_quit(app: FtuiApp) -> None:
    provider = app.provider
    running = await running_deployments(provider)
    if not running:
        app.exit()
        return
    choice = await app.push_screen_wait(QuitEndpointsScreen(running))
    if choice == "cancel":
        return
    if choice == "stop":
        failed = []
        for d in running:
            try:
                await provider.stop_deployment(d.id)  # type: ignore[union-attr]
            except CoreError as exc:
                failed.append(f"{d.chat_model}: {exc.summary()}")
        if failed:
            app.notify("Not stopped, so ftui stays open: " + "; ".join(failed), severity="error",
                       timeout=15)
            return
    app.exit()
