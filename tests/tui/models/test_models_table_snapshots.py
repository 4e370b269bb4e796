"""Snapshots at 80x24 of the Models table drawn from fixed models (ids and times would vary),
in colour and with NO_COLOR (set before the app is built): the row under the cursor and a model
with an announced shutdown must read without colour."""

from __future__ import annotations

import pytest

from ftui.core.types import ModelInfo
from tests.tui.list_pages import offline_app, show_rows

CREATED = 1_764_000_000
FIXED_MODELS = [
    ("ft:gpt-4o-mini-2024-07-18:acme:marv:AbC123xy", None),
    ("ft:gpt-4o-mini-2024-07-18:acme:customer-support-2025-q3:Zz9QwErT", None),
    ("ft:gpt-4.1-2025-04-14:acme:support:Qq7", "2027-01-14"),
]


def fixed_models() -> list[ModelInfo]:
    return [ModelInfo(id=name, created=CREATED - n * 86_400, owned_by="acme", shutdown_date=shutdown,
                      fine_tuned=True) for n, (name, shutdown) in enumerate(FIXED_MODELS)]


def models_app(no_color: bool, monkeypatch):
    app = offline_app(monkeypatch, no_color=no_color)

    async def run_before(pilot):
        await show_rows(pilot, "models", fixed_models(), down=1)

    return app, run_before


@pytest.mark.parametrize("no_color", [False, True], ids=["colour", "no_color"])
def test_models_table_at_80_columns(snap_compare, monkeypatch, no_color):
    app, run_before = models_app(no_color, monkeypatch)
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
