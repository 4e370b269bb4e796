"""Fixtures for UI tests: an app session on the real sandbox, and screenshots for screenshots/."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "screenshots"


@pytest.fixture(autouse=True)
def full_colour_terminal(monkeypatch):
    """Pictures as a full-colour terminal draws them, whatever terminal runs the tests: with
    TERM=xterm and no COLORTERM the app rounds to 16 colours (tests that want that say so)."""
    monkeypatch.setenv("COLORTERM", "truecolor")


@pytest.fixture
async def sandbox_session(sandbox):
    """A Session on the sandbox that tests/conftest.py starts (real HTTP on loopback)."""
    from ftui.core.connect import make_provider
    from ftui.core.session import Session
    from ftui.core.settings import load_settings

    provider = make_provider(load_settings("sandbox", env={}), sandbox_base_url=sandbox.base_url)
    session = Session(provider, "sandbox", simulated=True)
    yield session
    await provider.aclose()


@pytest.fixture
def shoot():
    """Call `shoot(app, "name")` at a screen worth a picture; with FTUI_SCREENSHOTS=1 it is saved
    as screenshots/name.svg (`make screenshots`), otherwise it does nothing."""

    def save(app, name: str) -> None:
        if os.environ.get("FTUI_SCREENSHOTS") == "1":
            SCREENSHOTS.mkdir(exist_ok=True)
            app.save_screenshot(filename=f"{name}.svg", path=str(SCREENSHOTS))

    return save


@pytest.fixture
def sandbox_app(sandbox):
    """The app on a fresh sandbox account (for screens that need one, e.g. Files and Models)."""
    from ftui.core.connect import make_provider
    from ftui.core.session import Session
    from ftui.core.settings import load_settings
    from ftui.tui.shell.app import FtuiApp

    provider = make_provider(load_settings("sandbox", env={}), sandbox_base_url=sandbox.base_url)
    return FtuiApp(Session(provider, "sandbox", simulated=True))
