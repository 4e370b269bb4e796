"""What every screen shares: worker failures reach the app's one error handler; typed access to
the app; the status header with the screen's breadcrumb ("Compare › history"). Section screens
add that header on top and the footer of keys below."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Generic, TypeVar, cast

from textual.app import ComposeResult
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.worker import Worker, WorkerState

from ftui.widgets.key_footer import KeyFooter
from ftui.widgets.status_header import StatusHeader

if TYPE_CHECKING:
    from ftui.core.provider import Provider
    from ftui.tui.shell.app import FtuiApp

BREADCRUMB_SEPARATOR = " › "
# Header columns the place and the profile share at 80 (the rest: " ftui ", "  profile: ").
HEADER_ROOM = 58


class ExplainsWorkerFailures:
    """Mixed into every ftui screen. Textual posts Worker.StateChanged to the worker's own screen
    without bubbling, so without this a screen worker's exception would vanish unseen."""

    # Where the user is, for the message ("Jobs", "Job view"); defaults to the class name.
    WHERE: ClassVar[str] = ""

    @property
    def where(self) -> str:
        return self.WHERE or getattr(self, "SECTION", "") or type(self).__name__.removesuffix("Screen")

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is not WorkerState.ERROR:
            return
        worker = event.worker
        report = getattr(self.app, "report_error", None)  # type: ignore[attr-defined]
        if report is not None:
            report(worker.error, context=self.where, undone=undone_work(worker))


def undone_work(worker: Worker) -> str:
    """What the failed worker was doing: its `description=` when one was given, else its name."""
    description = worker.description
    if description and "(" not in description:  # Textual's default is the call, e.g. "_load(x)"
        return description
    return worker.name.strip("_").replace("_", " ") or "a background task"


class ReadsTheApp:
    """Typed access to what screens read from the app. The one place that reads it defensively:
    a screen shown alone (a snapshot test's bare App) finds no account, no profile, no dataset."""

    @property
    def ftui_app(self) -> FtuiApp:
        return cast("FtuiApp", self.app)  # type: ignore[attr-defined]

    @property
    def provider(self) -> Provider | None:
        """The account this app talks to, or None before one is set up."""
        return getattr(self.app, "provider", None)  # type: ignore[attr-defined]

    @property
    def current_dataset(self) -> Path | None:
        """The dataset last opened on Data (the app keeps it; Data announces it with DatasetOpened)."""
        return getattr(self.app, "current_dataset", None)  # type: ignore[attr-defined]

    @property
    def header_profile(self) -> str:
        """The profile every header shows (FtuiApp.header_profile decides it)."""
        return getattr(self.app, "header_profile", "")  # type: ignore[attr-defined]

    def status_header(self, place: str | None = None) -> StatusHeader:
        """The top line, naming where the user is (`place`, or the screen's BREADCRUMB) and the
        app's profile."""
        profile = self.header_profile
        where = place
        if where is None:
            crumbs: tuple[str, ...] = getattr(self, "BREADCRUMB", ())
            where = BREADCRUMB_SEPARATOR.join(crumbs)
            if crumbs and len(where) + len(profile) > HEADER_ROOM:  # a long label: the last step alone
                where = crumbs[-1][:1].upper() + crumbs[-1][1:]
        simulated = getattr(self.app, "simulated", False)  # type: ignore[attr-defined]
        return StatusHeader(where, profile, simulated)


ResultT = TypeVar("ResultT")


class FtuiScreen(ReadsTheApp, ExplainsWorkerFailures, Screen[ResultT], Generic[ResultT]):
    """A full screen of ftui. A pushed screen names its place with BREADCRUMB, e.g.
    ("Compare", "history"), and yields `self.status_header()` first."""

    BREADCRUMB: ClassVar[tuple[str, ...]] = ()


class FtuiModal(ReadsTheApp, ExplainsWorkerFailures, ModalScreen[ResultT], Generic[ResultT]):
    """A dialog of ftui, over the screen that opened it."""


class SectionScreen(FtuiScreen):
    """A place of the loop (Data, Jobs, Compare, Files, Models). Subclasses fill `compose_body`."""

    SECTION = ""

    def compose(self) -> ComposeResult:
        yield self.status_header(self.SECTION)
        yield from self.compose_body()
        yield KeyFooter()

    def compose_body(self) -> Iterable[Widget]:
        return ()
