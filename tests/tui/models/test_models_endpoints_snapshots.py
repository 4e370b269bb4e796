"""Snapshots at 80x24 of Models with a running dedicated endpoint (the sandbox speaking Together),
in colour and with NO_COLOR. The account is fixed (tests/tui/models/fixed_together.py) and the
screen's clock stands a fixed time after the endpoint was created, so its cost so far holds still."""

from __future__ import annotations

import asyncio
import time

import pytest
from textual.widgets import DataTable

from ftui.core.backends.together_backend import make_sandbox_provider
from ftui.core.session import Session
from tests.tui.models.fixed_together import ENDPOINT_AGE, TUNED, fixed_clock_app, seed_finished_job
from tests.tui.waiting import until


@pytest.fixture
def endpoint_app(sandbox_factory, tmp_path, monkeypatch):
    """(app, run_before): Models on the fixed account, its model deployed on the cheapest hardware."""

    def make(no_color: bool):
        monkeypatch.setenv("TZ", "UTC")  # the Created column is local time
        time.tzset()
        if no_color:
            monkeypatch.setenv("NO_COLOR", "1")
        data_dir = tmp_path / "sandbox"
        seed_finished_job(data_dir)
        thread = sandbox_factory(dialect="together", data_dir=data_dir)
        provider = make_sandbox_provider(thread.base_url)
        created: list[float] = []
        app = fixed_clock_app(Session(provider, "sandbox", simulated=True),
                              clock=lambda: (created[0] if created else 0.0) + ENDPOINT_AGE)

        async def run_before(pilot):
            cheapest = (await provider.list_hardware(TUNED))[0]
            made = await provider.create_deployment(TUNED, cheapest.id)
            created.append(made.created_at)
            for _ in range(200):  # provisioning takes a fraction of a second at test speed
                if (await provider.retrieve_deployment(made.id)).ready:
                    break
                await asyncio.sleep(0.02)
            pilot.app.action_goto("models")
            await pilot.pause()
            screen = pilot.app.screen

            def shown() -> bool:
                table = screen.query_one("#endpoints-table", DataTable)
                return (TUNED in screen.models and table.row_count == 1 and table.get_row_at(0)[5] == "ready"
                        and "so far" in str(screen.query_one("#endpoints-state").render()))

            await until(pilot, shown)
            return made

        return app, run_before

    return make


def test_models_endpoints_list(snap_compare, endpoint_app, shoot):
    app, prepare = endpoint_app(no_color=False)

    async def run_before(pilot):
        made = await prepare(pilot)
        row = pilot.app.screen.query_one("#endpoints-table", DataTable).get_row_at(0)
        assert row[0] == made.chat_model and row[1] == TUNED
        assert row[3] == "$0.0242" and row[4] == "$0.30"  # 145 cents an hour, 754 s so far
        shoot(pilot.app, "models-endpoints")

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_models_endpoints_list_without_colour(snap_compare, endpoint_app):
    app, prepare = endpoint_app(no_color=True)

    async def run_before(pilot):
        await prepare(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
