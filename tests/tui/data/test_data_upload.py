"""Upload from where the dataset is: U on Data (and "upload" in the palette there) checks the open
file and uploads it, with the transfer shown on Files."""

from __future__ import annotations

from ftui.tui.screens.data.data import DataScreen
from ftui.tui.shell.app import FtuiApp
from tests.tui.data.test_data_support import copy_example, data_dir  # noqa: F401
from tests.tui.palette import palette_offers
from tests.tui.waiting import wait_for


async def test_upload_from_the_data_screen(sandbox_session, tmp_path):
    path = copy_example("marv.jsonl", tmp_path)
    app = FtuiApp(sandbox_session, open_path=path)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, DataScreen) and app.screen.reader is not None)
        data = app.screen
        active = [a for a in data.active_bindings.values() if a.binding.id == "data.upload"]
        assert active and active[0].enabled and active[0].binding.description == "Upload"
        assert any(offer.startswith("Upload") for offer in await palette_offers(app, pilot, "upload"))
        await pilot.press("U")
        await wait_for(pilot, lambda: getattr(app.screen, "last_uploaded", None) is not None, timeout=30)
        assert app.screen.last_uploaded.filename == "marv.jsonl"
