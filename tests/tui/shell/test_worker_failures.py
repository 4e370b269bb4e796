"""A failing worker on any screen is explained by the app's one error handler, naming the
screen and what was left undone; no screen worker can fail in silence."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

from textual.screen import Screen

import ftui.tui
from ftui.tui.screens.base import ExplainsWorkerFailures
from tests.tui.waiting import wait_for

ROOT = Path(__file__).resolve().parents[3]


def _error_titles(app) -> list[str]:
    return [f"{n.title} | {n.message}" for n in app._notifications if n.severity == "error"]


async def test_an_unexpected_error_in_a_section_worker_is_shown(sandbox_app):
    from ftui.widgets.job_table import JobTable

    app = sandbox_app
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("alt+2")  # the picker's path box has the cursor: digits type there
        screen = app.screen
        await wait_for(pilot, lambda: not screen._loading)
        # A screen in a half state: its table gone, the next load fails inside the worker.
        await screen.query_one(JobTable).remove()
        screen.load_list()
        await wait_for(pilot, lambda: _error_titles(app))
        (shown,) = _error_titles(app)
        assert shown.startswith("Jobs: loading the jobs list did not finish | NoMatches")


async def test_an_unexpected_error_in_a_dialog_worker_is_shown(sandbox_app):
    from ftui.tui.screens.compare.picker import ModelPicker

    app = sandbox_app
    async with app.run_test(size=(100, 30)) as pilot:
        picker = ModelPicker("left", None)
        await app.push_screen(picker)
        await wait_for(pilot, lambda: picker.choices)
        await picker.query_one("#picker-list").remove()
        picker._load()
        await wait_for(pilot, lambda: _error_titles(app))
        (shown,) = _error_titles(app)
        assert shown.startswith("ModelPicker: loading the models did not finish | NoMatches")


def _ftui_screen_classes():
    for info in pkgutil.walk_packages(ftui.tui.__path__, "ftui.tui."):
        if info.name.endswith("__main__"):
            continue  # running it starts ftui
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Screen) and cls.__module__ == module.__name__:
                yield cls


def test_every_ftui_screen_routes_its_worker_failures():
    classes = list(_ftui_screen_classes())
    assert len(classes) > 20  # the walk found the screens
    silent = [c.__qualname__ for c in classes if not issubclass(c, ExplainsWorkerFailures)]
    assert silent == []


def test_workers_run_only_on_screens_or_the_app():
    # A worker on a widget reports to the widget, which no handler watches.
    for path in (ROOT / "widgets").rglob("*.py"):
        text = path.read_text()
        assert "@work" not in text and "run_worker" not in text, path
