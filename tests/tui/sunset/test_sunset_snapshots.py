"""Snapshots at 80x24 of the sunset radar and the migration form, from fixed data."""

from __future__ import annotations

from textual.app import App

from ftui.tui.screens.migrate.form import MigrationScreen
from ftui.tui.screens.sunset.radar import RadarScreen
from tests.tui.sunset import fixed
from tests.tui.waiting import until


class Showing(App):
    """Just the screen under test, with no account (nothing is read)."""

    def __init__(self, screen) -> None:
        super().__init__()
        self.first = screen
        self.profile_label = "work"

    def on_mount(self) -> None:
        self.push_screen(self.first)


def test_sunset_radar(snap_compare, shoot):
    async def run_before(pilot):
        await until(pilot, lambda: pilot.app.screen.query_one("#sunset-table").row_count == 5)
        await pilot.press("down")
        await pilot.pause()
        shoot(pilot.app, "sunset-radar")

    app = Showing(RadarScreen(fixed.radars(), today=fixed.TODAY))
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_migration_form(snap_compare, shoot):
    async def run_before(pilot):
        screen = pilot.app.screen
        await until(pilot, lambda: screen.query_one("#mig-hp").row_count > 4)
        screen.errors["validation"] = ("/home/me/marv/valid.jsonl is not the validation file the job used: "
                                       "9 lines, not 10")
        screen._show_files()
        await pilot.pause()
        shoot(pilot.app, "migration-form")

    app = Showing(MigrationScreen("work", fixed.OLD_MODEL, plan=fixed.plan(), targets=["local", "together"]))
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
