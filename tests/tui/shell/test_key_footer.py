"""The one-line key footer: what it lists, what fits, clicks and tooltips, and following focus."""

from __future__ import annotations

from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Input, Static

from ftui.widgets.key_footer import KeyFooter


class FooterApp(App):
    BINDINGS = [
        Binding("a", "press('alpha')", "Alpha", id="t.alpha", tooltip="Say alpha"),
        Binding("b,x", "press('beta')", "Beta", id="t.beta"),
        Binding("h", "press('hidden')", "Hidden", id="t.hidden", show=False),
        Binding("c", "press('gamma')", "Gamma", id="t.gamma"),
        Binding("f9", "press('delta')", "Delta", id="t.delta"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.pressed: list[str] = []

    def compose(self) -> ComposeResult:
        yield Static("body", id="body")
        yield Input(id="box")
        yield KeyFooter()

    def action_press(self, what: str) -> None:
        self.pressed.append(what)

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "press" and parameters == ("gamma",):
            return None  # shown, but greyed out
        return True


def footer_text(app: App) -> str:
    return app.query_one(KeyFooter).render_line(0).text


async def test_lists_shown_bindings_once_each_and_the_palette_on_the_right():
    app = FooterApp()
    async with app.run_test(size=(80, 5)) as pilot:
        app.set_focus(None)
        await pilot.pause()
        line = footer_text(app)
        assert " a Alpha  b Beta  c Gamma  f9 Delta " in line
        assert "Hidden" not in line and " x " not in line  # show=False; one key per action
        assert line.rstrip().endswith("^p palette")
        assert len(line) == 80


async def test_keys_that_do_not_fit_are_left_out_whole():
    app = FooterApp()
    async with app.run_test(size=(36, 5)) as pilot:
        app.set_focus(None)
        await pilot.pause()
        line = footer_text(app)
        assert "Alpha" in line and "^p palette" in line
        assert "Gam" not in line  # not cut in the middle


async def test_a_click_presses_the_key_and_a_disabled_one_only_rings():
    app = FooterApp()
    async with app.run_test(size=(80, 5)) as pilot:
        app.set_focus(None)
        await pilot.pause()
        footer = app.query_one(KeyFooter)
        line = footer_text(app)
        await pilot.click(KeyFooter, offset=(line.index("Beta"), 0))
        await pilot.click(KeyFooter, offset=(line.index("Gamma"), 0))
        await pilot.pause()
        assert app.pressed == ["beta"]
        # the pointer resting on a key shows its tooltip, and the key is highlighted
        footer.post_message(events.MouseMove(footer, line.index("Alpha"), 0, 0, 0, 0, False,
                                             False, False))
        await pilot.pause()
        assert footer.tooltip == "Say alpha"
        assert footer._hover == 0


async def test_follows_the_bindings_of_the_focused_widget():
    app = FooterApp()
    async with app.run_test(size=(80, 5)) as pilot:
        app.set_focus(None)
        await pilot.pause()
        assert "Alpha" in footer_text(app)
        app.query_one(Input).focus()
        await pilot.pause()
        # typing into the box takes letter keys, so their bindings go; F-keys stay
        assert "Alpha" not in footer_text(app) and "f9 Delta" in footer_text(app)
        app.bind("f8", "press('zeta')", description="Zeta")
        app.screen.refresh_bindings()
        await pilot.pause()
        assert "f8 Zeta" in footer_text(app)
