"""What screens share: the header with its breadcrumb built in one place, typed access to the app,
and hand-offs between sections as messages the app handles."""

from __future__ import annotations

from pathlib import Path

from ftui.core.types import JobSpec
from ftui.tui.screens.compare.sessions import SessionsScreen
from ftui.tui.screens.jobs.job import JobScreen
from ftui.tui.shell.app import FtuiApp
from ftui.tui.shell.messages import CompareModels, DatasetOpened, OpenJob
from ftui.widgets.status_header import StatusHeader
from tests.tui.waiting import wait_for

ROOT = Path(__file__).resolve().parents[3]
MODEL = "gpt-4o-mini-2024-07-18"


def test_no_screen_builds_its_own_header():
    builders = [str(p.relative_to(ROOT)) for p in (ROOT / "tui" / "screens").rglob("*.py")
                if "StatusHeader(" in p.read_text() and p.name != "base.py"]
    assert builders == []


async def test_a_pushed_screen_says_where_it_is(sandbox_app):
    app = sandbox_app
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f8")
        await wait_for(pilot, lambda: isinstance(app.screen, SessionsScreen))
        header = str(app.screen.query_one(StatusHeader).render())
        assert "Compare › history" in header and "sandbox" in header
        assert app.screen.ftui_app is app and app.screen.provider is app.provider


async def test_hand_offs_are_messages_the_app_carries_out(sandbox_session, marv_path, tmp_path):
    provider = sandbox_session.provider
    uploaded = await provider.upload_file(marv_path)
    job = await provider.create_job(JobSpec(model=MODEL, training_file=uploaded.id))
    app = FtuiApp(sandbox_session)
    async with app.run_test(size=(80, 24)) as pilot:
        app.screen.post_message(DatasetOpened(tmp_path / "d.jsonl"))
        await wait_for(pilot, lambda: app.current_dataset == tmp_path / "d.jsonl")
        app.screen.post_message(OpenJob(job.id))
        await wait_for(pilot, lambda: isinstance(app.screen, JobScreen))
        assert app.current_mode == "jobs" and app.screen.job_id == job.id
        app.screen.post_message(CompareModels(MODEL, "ft:gpt-4o-mini-2024-07-18:sandbox:x:1"))
        await wait_for(pilot, lambda: app.current_mode == "compare")
        compare = app.screen_stack[0]
        await wait_for(pilot, lambda: compare.models == {"left": MODEL,
                                                          "right": "ft:gpt-4o-mini-2024-07-18:sandbox:x:1"})
