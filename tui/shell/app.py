"""The ftui application: one place for each part of the loop, switched by number keys."""

from __future__ import annotations

import logging
from importlib import import_module
from pathlib import Path

from textual import events, work
from textual.app import App
from textual.binding import Binding
from textual.filter import Monochrome
from textual.reactive import var
from textual.worker import Worker, WorkerState

from ftui.core.errors import CoreError
from ftui.core.provider import Provider
from ftui.core.session import Session, SessionRequest, open_sandbox_session
from ftui.tui.screens.base import undone_work
from ftui.tui.shell.commands import ActiveBindingsCommands
from ftui.tui.shell.help import HelpScreen
from ftui.tui.shell.messages import CompareModels, DatasetOpened, OpenJob
from ftui.tui.shell.setup import SetupScreen
from ftui.tui.shell.terminal_keys import as_command, read_alt_digits_as_keys
from ftui.widgets.no_color import ReadableMonochrome
from ftui.widgets.sixteen_colors import SixteenColours
from ftui.widgets.status_header import StatusHeader
from ftui.widgets.text_entry import escape_closes, is_text_entry, leave_text_entry

log = logging.getLogger("ftui")


def _section_screen(module: str, name: str):
    """A section's screen, imported on first visit so the first frame comes sooner."""

    def build():
        return getattr(import_module(module), name)()

    return build


class FtuiApp(App):
    TITLE = "ftui"
    # The first screen's styles load with the app's: a screen's own CSS_PATH makes Textual parse
    # the whole stylesheet again when the screen first shows (about 10 ms each, before the first
    # frame). Later screens keep theirs, since parsing them all at start costs more.
    CSS_PATH = ["app.tcss", "../screens/data/data.tcss", "../screens/data/picker.tcss"]
    # The first screen is built as the app starts: switching to it from on_mount would hold
    # painting for Textual's 50 ms mode-switch delay.
    DEFAULT_MODE = "data"
    SETUP_MODE = "setup"  # not in MODES: Textual builds it from get_default_screen
    COMMANDS = App.COMMANDS | {ActiveBindingsCommands}
    MODES = {
        "data": _section_screen("ftui.tui.screens.data.data", "DataScreen"),
        "jobs": _section_screen("ftui.tui.screens.jobs.jobs", "JobsScreen"),
        "compare": _section_screen("ftui.tui.screens.compare.compare", "CompareScreen"),
        "files": _section_screen("ftui.tui.screens.files.files", "FilesScreen"),
        "models": _section_screen("ftui.tui.screens.models.models", "ModelsScreen"),
        "sunset": _section_screen("ftui.tui.screens.sunset.radar", "RadarScreen"),
    }
    BINDINGS = [
        # Digits type into text boxes; alt+digit (ESC then the digit, which tmux and every
        # terminal pass) switches sections from anywhere, inside text too.
        Binding("1,alt+1", "goto('data')", "Data", id="app.goto.data",
                tooltip="Pick, preview, validate and fix a dataset"),
        Binding("2,alt+2", "goto('jobs')", "Jobs", id="app.goto.jobs",
                tooltip="Launch fine-tuning jobs and watch them"),
        Binding("3,alt+3", "goto('compare')", "Compare", id="app.goto.compare",
                tooltip="Ask base and fine-tuned models side by side"),
        Binding("4,alt+4", "goto('files')", "Files", id="app.goto.files",
                tooltip="Files on the account"),
        Binding("5,alt+5", "goto('models')", "Models", id="app.goto.models",
                tooltip="Fine-tuned models on the account"),
        # Not in the footer (it would push "? Help" out at 80 columns); in the palette and `?`.
        Binding("6,alt+6", "goto('sunset')", "Sunset", id="app.goto.sunset", show=False,
                tooltip="Sunset radar: when each profile's fine-tuning and fine-tunes end"),
        Binding("f8", "history", "History", id="app.history", show=False,
                tooltip="Past compare sessions and batches (from any section)"),
        Binding("escape", "leave_text", "Leave text", id="app.leave_text", show=False,
                tooltip="Leave the text box (keys then work as commands)"),
        Binding("question_mark,f1", "help", "Help", id="app.help",
                tooltip="Keys of the focused area and what they do"),
        Binding("ctrl+q", "quit", "Quit", id="app.quit", tooltip="Leave ftui", show=False),
    ]

    def __init__(self, session: Session | SessionRequest, *, open_path: Path | None = None,
                 sandbox_speed: float = 1.0) -> None:
        read_alt_digits_as_keys()  # alt+1..alt+5 from tmux and xterm reach the section keys
        # A request is opened in a worker after the first frame (see on_mount).
        self._request = session if isinstance(session, SessionRequest) else None
        self.session = session.placeholder() if isinstance(session, SessionRequest) else session
        if self.session.problem:
            # No account, and nothing left to open: the setup screen is the first screen built.
            self._request = None
            self.DEFAULT_MODE = self.SETUP_MODE
        self._pending_mode: str | None = None
        self.initial_path = open_path
        # The dataset the user last opened on the Data screen (DatasetOpened); Files/Launch/Compare
        # offer it. Only the app writes it.
        self.current_dataset: Path | None = open_path
        self._sandbox_speed = sandbox_speed
        self._after_first_frame: list | None = []  # None once the first frame is out
        super().__init__()  # after DEFAULT_MODE is chosen: Textual reads it here
        # NO_COLOR: greys that keep errors, warnings and role labels readable (widgets/no_color.py)
        if any(isinstance(f, Monochrome) for f in self._filters):
            self._filters = [ReadableMonochrome()] + [f for f in self._filters if not isinstance(f, Monochrome)]
        elif self.console.color_system == "standard":
            # 16 colours: round by meaning, not by distance (widgets/sixteen_colors.py)
            self._filters.append(SixteenColours())
        if self.session.keymap:
            self.set_keymap(self.session.keymap)

    # What screens read -------------------------------------------------------------
    # Sessions opened so far: a screen that reads the account watches this (the account connects after
    # the first frame, and `s` may switch to the sandbox later) instead of polling for it.
    sessions_opened: var[int] = var(0, init=False)

    @property
    def provider(self) -> Provider | None:
        return self.session.provider

    @property
    def profile_label(self) -> str:
        return self.session.label

    @property
    def simulated(self) -> bool:
        return self.session.simulated

    @property
    def header_profile(self) -> str:
        """What every header says after "profile:": a real provider's own label (a local engine's
        `LOCAL - real training on this machine (cpu, 2 threads)`); for the sandbox, whose badge
        says the rest, the profile's name."""
        provider = self.provider
        if provider is not None and not self.simulated:
            return provider.label or self.profile_label
        return self.profile_label

    # Lifecycle -------------------------------------------------------------------
    def get_default_screen(self) -> SetupScreen:
        return SetupScreen(self.session.problem or "")

    def on_mount(self) -> None:
        # Textual holds painting until the app is mounted, so this is the first refresh that
        # reaches the terminal.
        self.call_after_refresh(self._first_frame_shown)
        if self._request is not None:
            # The Data workbench needs no account: it is up first, the account connects behind.
            # After the first paint: importing the SDK in a thread would compete for the GIL.
            self.after_first_frame(lambda: self._open_session(self._request))
        else:
            self._watch_jobs()

    def after_first_frame(self, callback) -> None:
        """Run `callback` once the first frame is on the terminal (at once if it is already):
        for work the first frame does not need, which would otherwise delay it."""
        if self._after_first_frame is None:
            self.call_later(callback)
        else:
            self._after_first_frame.append(callback)

    def _first_frame_shown(self) -> None:
        waiting, self._after_first_frame = self._after_first_frame or [], None
        for callback in waiting:
            self.call_later(callback)

    def _watch_jobs(self) -> None:
        """Finished jobs are announced wherever the user is, once there is an account."""
        if self.provider is not None:
            from ftui.tui.shell.notifier import JobNotifier  # needs an account, so never at start-up

            JobNotifier.ensure(self)
            from ftui.tui.screens.sunset.deadline import watch_deadlines

            watch_deadlines(self)  # the header's nearest deadline

    def on_unmount(self) -> None:
        self.session.close()

    @work(thread=True, exclusive=True, group="session", exit_on_error=False, description="connecting to the account")
    def _open_session(self, request: SessionRequest) -> None:
        session = request.open()
        self.call_from_thread(self._session_ready, session)

    def _session_ready(self, session: Session) -> None:
        self.session.close()
        self.session = session
        self.sessions_opened += 1
        if session.keymap:
            self.set_keymap(session.keymap)
        for screen in self.screen_stack:
            for header in screen.query(StatusHeader):
                header.profile = self.header_profile
                header.simulated = session.simulated
        if session.provider is None and session.problem:
            self.push_screen(SetupScreen(session.problem))
            return
        self._leave_setup()
        mode, self._pending_mode = self._pending_mode or "data", None
        self.switch_mode(mode)
        self._watch_jobs()

    def _leave_setup(self) -> None:
        """Close a setup screen pushed over a section; the one ftui started on stays as the
        base of its own mode, which the next switch_mode leaves."""
        if isinstance(self.screen, SetupScreen) and len(self.screen_stack) > 1:
            self.pop_screen()

    # Actions ---------------------------------------------------------------------
    def action_goto(self, mode: str) -> None:
        self._leave_setup()
        if self.session.connecting and mode != "data":
            # Sections that need the account open once it is there.
            self._pending_mode = mode
            self.notify(f"Connecting to {self.session.label}…", timeout=2)
            return
        self.switch_mode(mode)

    async def action_quit(self) -> None:
        """Quit; running dedicated endpoints (they bill by the minute) are asked about first."""
        from ftui.tui.screens.models.quit_endpoints import quit_guarded

        quit_guarded(self)

    # Hand-offs between sections ----------------------------------------------------
    def _section(self, mode: str):
        """Switch to `mode` and return its base screen (which may not be mounted yet)."""
        self._leave_setup()
        self.switch_mode(mode)
        return self.screen_stack[0]

    def compare_models(self, left: str, right: str, **across) -> None:
        """Open Compare with these two models (e.g. a job's base model and its fine-tune);
        `across`: profiles=(left, right) and migration_id= for a comparison across accounts."""
        self._section("compare").set_models(left, right, **across)

    def open_job(self, job_id: str) -> None:
        """Open the job's live view on the Jobs section."""
        self._section("jobs").open_job(job_id)

    # What screens post (tui/shell/messages.py); bubbled up from any screen.
    def on_open_job(self, message: OpenJob) -> None:
        self.open_job(message.job_id)

    def on_compare_models(self, message: CompareModels) -> None:
        self.compare_models(message.left, message.right, **message.across)

    def on_dataset_opened(self, message: DatasetOpened) -> None:
        self.current_dataset = message.path

    # Typing ------------------------------------------------------------------------------
    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            command = as_command(event)  # an alt key from the terminal: a command, never text
            if command is not None:
                event = command
        await super().on_event(event)

    async def _check_bindings(self, key: str, priority: bool = False) -> bool:
        # Letters typed in a text box never reach a binding: Textual leaves the keys a focused
        # Input/TextArea consumes out of the binding chain (tests/tui/shell/test_keys_in_text.py
        # pins it). Escape is ours: it leaves the box before it does the screen's own Escape
        # (a dialog's or an editor's Escape closes them, which leaves the box too).
        if key == "escape" and priority and is_text_entry(self.focused) and not escape_closes(self.screen):
            leave_text_entry(self.screen)
            return True
        return await super()._check_bindings(key, priority)

    def action_leave_text(self) -> None:
        """Escape in a text box no screen handles: focus moves out of it."""
        if is_text_entry(self.focused):
            leave_text_entry(self.screen)

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "leave_text":
            return is_text_entry(self.focused)
        return True

    def action_history(self) -> None:
        """F8 from any section: Compare's history of sessions and batches."""
        self._section("compare").action_sessions()

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_start_sandbox(self) -> None:
        self.notify("Starting the sandbox…", timeout=2)
        self._start_sandbox()

    @work(thread=True, exclusive=True, group="session", exit_on_error=False, description="starting the sandbox")
    def _start_sandbox(self) -> None:
        session = open_sandbox_session(speed=self._sandbox_speed)
        self.call_from_thread(self._session_ready, session)
        self.call_from_thread(self.notify, "Sandbox ready: training here is simulated, nothing is billed.")

    # The one place worker failures land ---------------------------------------------
    # Screens' workers reach report_error through ExplainsWorkerFailures (tui/screens/base.py).
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self.report_error(event.worker.error, context="ftui", undone=undone_work(event.worker))

    def report_error(self, error: BaseException | None, *, context: str = "", undone: str = "") -> None:
        """Explain a failure in place; never let it take the app down. `context` says where
        (a section or screen), `undone` what was left unfinished (e.g. "loading the jobs list")."""
        title = f"{context}: {undone} did not finish" if context and undone else (context or undone)
        if isinstance(error, CoreError):
            self.notify(error.summary(), title=title or "Error", severity="error", timeout=8)
        else:
            log.exception("unexpected error in %s", title, exc_info=error)
            self.notify(f"{type(error).__name__}: {error}", title=title or "Unexpected error",
                        severity="error", timeout=8)
