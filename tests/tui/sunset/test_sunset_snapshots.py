"""Snapshots at 80x24 of the sunset radar and the migration form, from fixed data, in colour and
with NO_COLOR (then on the real app, whose filter keeps severity and selection readable)."""

from __future__ import annotations

from textual.app import App

from ftui.core.session import Session
from ftui.tui.screens.migrate.form import MigrationScreen
from ftui.tui.screens.sunset.radar import RadarScreen
from ftui.tui.shell.app import FtuiApp
from tests.tui.sunset import fixed
from tests.tui.waiting import until


class Showing(App):
    """Just the screen under test, with no account (nothing is read)."""

    def __init__(self, screen) -> None:
        super().__init__()
        self.first = screen
        self.profile_label = self.header_profile = "work"

    def on_mount(self) -> None:
        self.push_screen(self.first)


def without_colour(monkeypatch) -> FtuiApp:
    """The real app, with NO_COLOR set before it is built (it then swaps Textual's Monochrome
    for ReadableMonochrome); the test pushes its screen."""
    monkeypatch.setenv("NO_COLOR", "1")
    return FtuiApp(Session(None, "sandbox", simulated=True))


def pushing(screen, ready):
    async def run_before(pilot):
        await pilot.pause()
        pilot.app.push_screen(screen)
        await ready(pilot)

    return run_before


async def radar_ready(pilot) -> None:
    await until(pilot, lambda: pilot.app.screen.query_one("#sunset-table").row_count == 5)
    await pilot.press("down")
    await pilot.pause()


def radar() -> RadarScreen:
    return RadarScreen(fixed.radars(), today=fixed.TODAY)


def test_sunset_radar(snap_compare, shoot):
    async def run_before(pilot):
        await radar_ready(pilot)
        shoot(pilot.app, "sunset-radar")

    assert snap_compare(Showing(radar()), terminal_size=(80, 24), run_before=run_before)


def test_sunset_radar_without_colour(snap_compare, monkeypatch):
    assert snap_compare(without_colour(monkeypatch), terminal_size=(80, 24),
                        run_before=pushing(radar(), radar_ready))


async def form_ready(pilot) -> None:
    screen = pilot.app.screen
    await until(pilot, lambda: screen.query_one("#mig-hp").row_count > 4)
    screen.errors["validation"] = ("/home/me/marv/valid.jsonl is not the validation file the job used: "
                                   "9 lines, not 10")
    screen._show_files()
    await pilot.pause()


def form() -> MigrationScreen:
    return MigrationScreen("work", fixed.OLD_MODEL, plan=fixed.plan(), targets=["local", "together"])


def test_migration_form(snap_compare, shoot):
    async def run_before(pilot):
        await form_ready(pilot)
        shoot(pilot.app, "migration-form")

    assert snap_compare(Showing(form()), terminal_size=(80, 24), run_before=run_before)


def test_migration_form_without_colour(snap_compare, monkeypatch):
    assert snap_compare(without_colour(monkeypatch), terminal_size=(80, 24),
                        run_before=pushing(form(), form_ready))
