"""The Data screen counts tokens and cost for the provider in use: on the local engine its own model and
"$0, time on this machine"; on Together (the sandbox speaking its API) its models and "quoted at launch";
`m` lists the provider's fine-tunable models; the OpenAI sandbox is as before."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import OptionList

from ftui.core.chosen_models import remember_model, remembered_model
from ftui.core.session import Session
from ftui.tui.screens.data.forms import DEFAULT_MODEL, ModelScreen
from ftui.tui.shell.app import FtuiApp
from ftui.widgets.token_stats import TokenStatsPanel
from tests.tui.data.test_data_support import copy_example, data_dir, settle  # noqa: F401
from tests.tui.jobs.provider_sessions import Borrowed, tiny_model_id
from tests.tui.waiting import wait_for


def local_session(engine, tmp_path, monkeypatch) -> Session:
    """A Session as `ftui --local` opens it, on the module's engine."""
    from pydantic import SecretStr

    from ftui.core.connect import make_provider
    from ftui.core.settings import load_local_settings

    config = tmp_path / "config.toml"
    config.write_text("")
    monkeypatch.setenv("FTUI_CONFIG", str(config))
    settings = load_local_settings().model_copy(update={"api_key": SecretStr("local-test")})
    provider = make_provider(settings, sandbox_base_url=engine.base_url, local_device=engine.device_label)
    return Session(provider, "local", _sandbox=Borrowed(engine))


def local_app(engine, tmp_path, monkeypatch, path: Path) -> FtuiApp:
    return FtuiApp(local_session(engine, tmp_path, monkeypatch), open_path=path)


@pytest.fixture
def together_app(sandbox_factory, tmp_path):
    from ftui.core.backends.together_backend import make_sandbox_provider

    thread = sandbox_factory(dialect="together")
    provider = make_sandbox_provider(thread.base_url)
    return FtuiApp(Session(provider, "sandbox", simulated=True), open_path=copy_example("marv.jsonl", tmp_path))


def panel_text(app) -> str:
    return app.screen.query_one(TokenStatsPanel).plain_text(width=60)


async def counted(pilot, model_is) -> str:
    """Wait until the panel shows a finished count for a model that `model_is` accepts."""
    screen = pilot.app.screen
    await wait_for(pilot, lambda: screen.offered_models is not None and model_is(screen.model)
                   and not screen.validating and screen.report is not None and screen.report.model == screen.model
                   and "cost" in panel_text(pilot.app), timeout=60)
    return panel_text(pilot.app)


async def offered_in_dialog(pilot) -> list[str]:
    await pilot.press("m")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ModelScreen))
    options = pilot.app.screen.query_one(OptionList)
    return [options.get_option_at_index(i).id for i in range(options.option_count)]


async def test_on_the_local_engine_the_panel_counts_for_its_model_at_no_cost(local_engine, tmp_path,
                                                                           monkeypatch):
    path = copy_example("marv.jsonl", tmp_path)
    engine_models = [m.id for m in local_engine.models]
    app = local_app(local_engine, tmp_path, monkeypatch, path)
    async with app.run_test(size=(80, 24)) as pilot:
        text = await counted(pilot, lambda m: m != DEFAULT_MODEL)
        data = app.screen
        assert data.model == engine_models[0]
        assert data.offered_models == engine_models
        assert "$0 · time on this machine" in text
        assert "F5 on launch measures it" in text
        assert "≈ counted with o200k" in text
        assert "USD" not in text and "gpt-4o" not in text and "no price" not in text
        assert f"model    {engine_models[0]}" in text

        # `m` offers the engine's models, not OpenAI's; the choice is counted and remembered
        assert await offered_in_dialog(pilot) == engine_models
        tiny = tiny_model_id(local_engine)
        options = app.screen.query_one(OptionList)
        options.highlighted = engine_models.index(tiny)
        await pilot.press("enter")
        await wait_for(pilot, lambda: remembered_model(path) == tiny)
        text = await counted(pilot, lambda m: m == tiny)
        assert f"model    {tiny}" in text and "$0 · time on this machine" in text


async def test_a_model_remembered_for_the_dataset_is_kept_on_the_local_engine(local_engine, tmp_path,
                                                                            monkeypatch):
    path = copy_example("marv.jsonl", tmp_path)
    remember_model(path, "gpt-4.1-mini-2025-04-14")
    app = local_app(local_engine, tmp_path, monkeypatch, path)
    async with app.run_test(size=(80, 24)) as pilot:
        text = await counted(pilot, lambda m: m == "gpt-4.1-mini-2025-04-14")
        await settle(app, pilot)
        assert app.screen.model == "gpt-4.1-mini-2025-04-14"
        assert "≈ counted" not in text  # an OpenAI model's own tokenizer
        assert "$0 · time on this machine" in text  # what this provider charges, whatever the model


async def test_an_account_that_connects_later_is_followed(local_engine, tmp_path, monkeypatch):
    path = copy_example("marv.jsonl", tmp_path)
    connected = local_session(local_engine, tmp_path, monkeypatch)
    app = FtuiApp(Session(None, "local", connecting=True), open_path=path)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.screen.reader is not None and not app.screen.validating)
        assert app.screen.model == DEFAULT_MODEL  # no account yet: OpenAI's default, as before
        await pilot.press("m")
        await wait_for(pilot, lambda: isinstance(app.screen, ModelScreen))
        await pilot.press("escape")
        app._session_ready(connected)  # what the connecting worker hands over
        text = await counted(pilot, lambda m: m != DEFAULT_MODEL)
        assert app.screen.model == local_engine.models[0].id
        assert "$0 · time on this machine" in text


async def test_on_together_the_panel_counts_for_its_models_and_leaves_the_price_to_its_quote(together_app):
    async with together_app.run_test(size=(80, 24)) as pilot:
        text = await counted(pilot, lambda m: m != DEFAULT_MODEL)
        data = together_app.screen
        offered = await data.provider.fine_tunable_models()
        assert offered and DEFAULT_MODEL not in offered
        assert data.model == offered[0]
        assert "quoted at launch (F5)" in text
        assert "≈ counted with o200k" in text
        assert "USD" not in text and "no price" not in text
        assert await offered_in_dialog(pilot) == offered


async def test_the_openai_sandbox_keeps_gpt_4o_mini_and_its_price(sandbox_session, tmp_path):
    app = FtuiApp(sandbox_session, open_path=copy_example("marv.jsonl", tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        text = await counted(pilot, lambda m: m == DEFAULT_MODEL)
        await settle(app, pilot)
        assert app.screen.model == DEFAULT_MODEL
        assert "USD" in text and "billed" in text
        assert "≈" in text.split("cost")[1]  # the amount is an estimate, as before
        assert "counted with" not in text and "$0" not in text
        listed = await offered_in_dialog(pilot)
        assert DEFAULT_MODEL in listed and all(m.startswith("gpt-") for m in listed)


def test_snapshot_of_the_data_screen_on_the_local_engine(snap_compare, local_engine, tmp_path, monkeypatch,
                                                         shoot):
    app = local_app(local_engine, tmp_path, monkeypatch, copy_example("marv.jsonl", tmp_path))

    async def run_before(pilot) -> None:
        await counted(pilot, lambda m: m != DEFAULT_MODEL)
        await settle(pilot.app, pilot)
        shoot(pilot.app, "data-local")

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
