"""Pictures of the shell at 80x24: the setup screen without a key, and the help overlay (also
with NO_COLOR, set before the app is built)."""

from __future__ import annotations

from ftui.core.session import Session
from ftui.tui.shell.app import FtuiApp

NO_KEY = ("No OpenAI API key. Set OPENAI_API_KEY, or pick a profile with a key "
          "(ftui --profile NAME; profiles: openai, sandbox). "
          "Or try the sandbox: a local simulated server, no key needed.")


def test_setup_screen_without_a_key(snap_compare, shoot):
    app = FtuiApp(Session(None, "openai", problem=NO_KEY))

    async def run_before(pilot):
        await pilot.pause()
        shoot(app, "shell-setup")

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


async def open_help_on_jobs(pilot) -> None:
    pilot.app.action_goto("jobs")
    await pilot.pause()
    await pilot.press("f1")
    await pilot.pause()


def test_help_lists_the_keys_of_the_focused_area(snap_compare, shoot):
    app = FtuiApp(Session(None, "sandbox", simulated=True))

    async def run_before(pilot):
        await open_help_on_jobs(pilot)
        shoot(app, "shell-help")

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_help_without_colour(snap_compare, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = FtuiApp(Session(None, "sandbox", simulated=True))
    assert snap_compare(app, terminal_size=(80, 24), run_before=open_help_on_jobs)
