"""What every screen shares: worker failures reach the app's one error handler; section screens
add the status header on top and the footer of keys below."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar, Generic, TypeVar

from textual.app import ComposeResult
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.worker import Worker, WorkerState

from ftui.widgets.key_footer import KeyFooter
from ftui.widgets.status_header import StatusHeader


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


ResultT = TypeVar("ResultT")


class FtuiScreen(ExplainsWorkerFailures, Screen[ResultT], Generic[ResultT]):
    """A full screen of ftui."""


class FtuiModal(ExplainsWorkerFailures, ModalScreen[ResultT], Generic[ResultT]):
    """A dialog of ftui, over the screen that opened it."""


class SectionScreen(FtuiScreen):
    """A place of the loop (Data, Jobs, Compare, Files, Models). Subclasses fill `compose_body`."""

    SECTION = ""

    def compose(self) -> ComposeResult:
        app = self.app
        yield StatusHeader(
            self.SECTION,
            getattr(app, "profile_label", ""),
            getattr(app, "simulated", False),
        )
        yield from self.compose_body()
        yield KeyFooter()

    def compose_body(self) -> Iterable[Widget]:
        return ()

    @property
    def provider(self):
        """The account this app talks to (a core Provider), or None before one is set up."""
        return getattr(self.app, "provider", None)
