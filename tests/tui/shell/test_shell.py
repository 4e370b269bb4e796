"""The shell: sections by number keys, help on ? / F1, setup when there is no account."""

from __future__ import annotations

from ftui.core.session import Session
from ftui.tui.shell.app import FtuiApp
from ftui.tui.shell.help import HelpScreen
from ftui.tui.shell.setup import SetupScreen
from ftui.widgets.status_header import StatusHeader

NO_KEY = "No OpenAI API key found. Set OPENAI_API_KEY, or press s to try the sandbox."


async def test_without_a_key_it_explains_and_offers_the_sandbox():
    app = FtuiApp(Session(None, "openai", problem=NO_KEY))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, SetupScreen)
        assert "OPENAI_API_KEY" in str(app.screen.query_one("#setup-text").render())
        await pilot.press("1")
        assert app.current_mode == "data"
        assert not isinstance(app.screen, SetupScreen)


async def test_number_keys_switch_sections_and_help_lists_keys():
    app = FtuiApp(Session(None, "openai"))
    async with app.run_test(size=(80, 24)) as pilot:
        for key, mode in [("2", "jobs"), ("3", "compare"), ("4", "files"), ("5", "models"), ("1", "data")]:
            # Digits typed into a text field stay there; out of one they switch sections.
            app.screen.set_focus(None)
            await pilot.press(key)
            assert app.current_mode == mode
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_header_marks_the_sandbox_as_simulated():
    app = FtuiApp(Session(None, "sandbox", simulated=True))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("2")
        header = app.screen.query_one(StatusHeader)
        assert "SANDBOX - simulated training" in str(header.render())


async def test_a_requested_session_opens_behind_the_first_frame(tmp_path, monkeypatch):
    from ftui.core.session import SessionRequest

    monkeypatch.setenv("FTUI_DATA_DIR", str(tmp_path))
    app = FtuiApp(SessionRequest(sandbox=True, speed=50))
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.current_mode == "data"
        assert app.session.connecting or app.provider is not None
        app.screen.set_focus(None)
        await pilot.press("2")  # asked for while connecting: taken once connected
        for _ in range(200):
            if app.provider is not None and app.current_mode == "jobs":
                break
            await pilot.pause(0.05)
        assert app.provider is not None and app.provider.simulated
        assert app.current_mode == "jobs"
        header = app.screen.query_one(StatusHeader)
        assert "SANDBOX - simulated training" in str(header.render())


async def test_the_app_watches_for_finished_jobs_once_it_has_an_account(sandbox_session):
    from ftui.tui.shell.notifier import ATTRIBUTE

    app = FtuiApp(sandbox_session)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert getattr(app, ATTRIBUTE, None) is not None

    without = FtuiApp(Session(None, "openai", problem=NO_KEY))
    async with without.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert getattr(without, ATTRIBUTE, None) is None


async def test_keys_are_remapped_from_the_config_file(tmp_path, monkeypatch):
    from ftui.core.session import open_session

    config = tmp_path / "config.toml"
    config.write_text('[keys]\n"app.goto.jobs" = "2,J"\n')
    monkeypatch.setenv("FTUI_CONFIG", str(config))
    monkeypatch.setenv("OPENAI_API_KEY", "")
    session = open_session(None)
    assert session.keymap == {"app.goto.jobs": "2,J"}
    app = FtuiApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("1")
        app.screen.set_focus(None)
        await pilot.press("J")
        assert app.current_mode == "jobs"


async def test_with_no_key_and_no_config_the_setup_screen_is_the_first_screen(tmp_path, monkeypatch):
    from ftui.core.session import SessionRequest

    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("FTUI_CONFIG", raising=False)
    monkeypatch.delenv("FTUI_PROFILE", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("FTUI_DATA_DIR", str(tmp_path / "data"))
    app = FtuiApp(SessionRequest())
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, SetupScreen) and app.screen_stack == [app.screen]
        assert "OPENAI_API_KEY" in str(app.screen.query_one("#setup-text").render())
        assert not [w for w in app.workers if w.group == "session"]  # nothing to open
        assert "data" not in app._screen_stacks  # the Data screen is not built behind it
        await pilot.press("s")
        for _ in range(200):
            if app.provider is not None:
                break
            await pilot.pause(0.05)
        assert app.provider is not None and app.provider.simulated
        assert app.current_mode == "data"


async def test_work_that_waits_for_the_first_frame_runs_once_it_is_out():
    app = FtuiApp(Session(None, "openai"))
    ran: list[str] = []
    app.after_first_frame(lambda: ran.append("queued before start"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert ran == ["queued before start"]
        app.after_first_frame(lambda: ran.append("asked later"))
        await pilot.pause()
        assert ran == ["queued before start", "asked later"]
