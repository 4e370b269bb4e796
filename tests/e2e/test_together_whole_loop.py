"""The whole loop through the real app on the Together backend, against the sandbox speaking
Together: upload -> launch (LoRA) -> watch to succeeded -> deploy on picked hardware -> wait until
the endpoint is ready -> compare the base model with the endpoint -> stop it.

Faults on the way, as the OpenAI end-to-end test has them: a spell of rate limits on the upload
that outlasts the together SDK's retries (Files explains it in place; the user uploads again, and
a dropped connection on that try is retried by the SDK unseen); one server error on the launch,
retried unseen; rate limits while the job is watched (the view says it keeps trying, then
follows on) and a dropped connection there; a spell of server errors while deploying, which
Models explains in place; on the compare, both streams cut short (each pane says so and keeps
what arrived), then a rate limit the SDK retries."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input

from ftui.core.backends.together_backend import make_sandbox_provider
from ftui.core.server.faults import FaultDice, Faults
from ftui.core.session import Session
from ftui.tui.screens.compare.compare import CompareScreen
from ftui.tui.screens.dialogs.confirm import ConfirmScreen, TypedConfirmScreen
from ftui.tui.screens.files.files import FilesScreen
from ftui.tui.screens.jobs.job import JobScreen
from ftui.tui.screens.jobs.launch import LaunchScreen
from ftui.tui.screens.models.hardware import HardwareScreen
from ftui.tui.screens.models.models import ModelsScreen
from ftui.tui.shell.app import FtuiApp
from ftui.widgets.loss_chart import LossChart
from tests.tui.waiting import wait_for

ROOT = Path(__file__).resolve().parents[2]
SERVER_ERRORS = Faults(error5xx=1.0, retry_after_ms=20)  # every request, while it lasts
RATE_LIMITS = Faults(rate429=1.0, retry_after_ms=20)
DROPS = Faults(drop=1.0)
CUTS = Faults(cut_stream=1.0)
SDK_RETRIES = 2  # make_sandbox_provider's AsyncTogether(max_retries=2)


class CountedDice(FaultDice):
    """The sandbox's dice, firing at most `hits` faults (then none), counting what fired."""

    def __init__(self, faults: Faults, hits: int) -> None:
        super().__init__(faults)
        self.left, self.fired = hits, 0

    def roll(self, share: float) -> bool:
        if self.left <= 0 or not super().roll(share):
            return False
        self.left -= 1
        self.fired += 1
        return True


def text_of(screen, selector: str) -> str:
    return " ".join(str(screen.query_one(selector).render()).split())


@pytest.fixture
def together_thread(sandbox_factory):
    return sandbox_factory(dialect="together")


@pytest.fixture
async def session(together_thread):
    provider = make_sandbox_provider(together_thread.base_url)
    yield Session(provider, "sandbox", simulated=True)
    await provider.aclose()


async def test_together_whole_loop_with_faults(together_thread, session, tmp_path, monkeypatch):
    monkeypatch.setattr(JobScreen, "POLL_SECONDS", 0.3)  # follow the short simulated run closely
    ctx = together_thread.handle.ctx
    provider = session.provider
    dataset = tmp_path / "marv.jsonl"
    shutil.copyfile(ROOT / "examples" / "marv.jsonl", dataset)
    app = FtuiApp(session)
    app.current_dataset = dataset
    async with app.run_test(size=(80, 24)) as pilot:
        # 1. Files: u, Enter on the current dataset ------------------------------------------------
        app.action_goto("files")
        await pilot.pause()
        files = app.screen
        assert isinstance(files, FilesScreen)
        spell = CountedDice(RATE_LIMITS, hits=10_000)
        ctx.dice = spell
        await pilot.press("u")
        assert files.query_one("#files-path", Input).value == str(dataset)
        await pilot.press("enter")
        await wait_for(pilot, lambda: "did not finish" in text_of(files, "#files-message"), timeout=30)
        shown = text_of(files, "#files-message")
        assert spell.fired > SDK_RETRIES and ("429" in shown or "rate" in shown.lower()), shown
        assert files.last_uploaded is None and "Traceback" not in shown
        dropped = CountedDice(DROPS, hits=1)  # the limits are over; one connection drops on the retry
        ctx.dice = dropped
        await pilot.press("u")
        await pilot.press("enter")
        await wait_for(pilot, lambda: files.last_uploaded is not None, timeout=30)
        assert dropped.fired == 1
        uploaded = files.last_uploaded
        assert (await provider.file_content(uploaded.id)) == dataset.read_bytes()

        # 2. Jobs: n, the uploaded file, a LoRA rank, ctrl+l, y; a 500 on the way, retried by the SDK
        app.action_goto("jobs")
        await pilot.pause()
        await pilot.press("n")
        form = app.screen
        assert isinstance(form, LaunchScreen)
        await wait_for(pilot, lambda: form.models and form.query("#launch-hp-lora_r"))
        form.query_one("#launch-training", Input).value = uploaded.id
        form.query_one("#launch-hp-lora_r", Input).value = "8"
        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        retried = CountedDice(SERVER_ERRORS, hits=1)
        ctx.dice = retried
        fast, ctx.speed = ctx.speed, 10.0  # a few seconds of training: it runs while the faults last
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, JobScreen), timeout=30)
        assert retried.fired == 1  # the server did fail once, and nobody had to know
        view = app.screen

        # 3. Watch it to success, through rate limits and a dropped connection ------------------------
        await wait_for(pilot, lambda: view.job is not None)
        ctx.dice = CountedDice(RATE_LIMITS, hits=10_000)
        await pilot.press("r")  # poll now
        await wait_for(pilot, lambda: "Polling trouble" in text_of(view, "#job-summary"), timeout=30)
        assert "retrying" in text_of(view, "#job-summary") and not view.job.finished
        dropped = CountedDice(DROPS, hits=1)
        ctx.dice = dropped
        ctx.speed = fast
        await pilot.press("r")  # poll now rather than after the backoff
        await wait_for(pilot, lambda: view.job is not None and view.job.finished, timeout=40)
        await wait_for(pilot, lambda: "Polling trouble" not in text_of(view, "#job-summary"))
        assert dropped.fired == 1
        assert view.job.status == "succeeded", view.job
        assert view.job.hyperparameters.get("lora_r") == 8
        assert view.follower.events
        tuned, base = view.job.fine_tuned_model, view.job.model
        assert tuned
        # the loss chart comes from /fine-tunes/{id}/metrics, the checkpoints tab from /checkpoints
        await wait_for(pilot, lambda: view.query_one(LossChart).point_count > 0 and view.follower.checkpoints)
        assert view.query_one("#job-checkpoints", DataTable).row_count == len(view.follower.checkpoints)
        # Together prices its jobs itself: the summary gives its quote, not "unknown price"
        await wait_for(pilot, lambda: "priced by the provider: quoted $" in text_of(view, "#job-summary"))

        # 4. Models: p, Enter on the cheapest hardware, while the server fails ------------------------
        app.action_goto("models")
        await pilot.pause()
        models = app.screen
        assert isinstance(models, ModelsScreen)
        await wait_for(pilot, lambda: tuned in models.models)
        models.query_one("#models-table").focus()
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, HardwareScreen))
        spell = CountedDice(SERVER_ERRORS, hits=10_000)
        ctx.dice = spell
        await pilot.press("enter")
        await wait_for(pilot, lambda: "Not deployed" in text_of(models, "#models-message"), timeout=30)
        shown = text_of(models, "#models-message")
        assert spell.fired > SDK_RETRIES and ("50" in shown or "server" in shown.lower()), shown
        assert "Traceback" not in shown and app.is_running
        ctx.dice = FaultDice(Faults())  # the server recovers; the user tries again
        assert await provider.list_deployments() == []  # the failed try left nothing billing

        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, HardwareScreen))
        cheapest = app.screen.choices[0]
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is models and models.deployments)
        assert "Deploying" in text_of(models, "#models-message")
        [deployment] = models.deployments.values()
        assert deployment.model == tuned and deployment.price_per_minute == cheapest.price_per_minute

        # 5. It becomes ready (the pane reloads itself), then compare base vs the endpoint ----------
        table = models.query_one("#endpoints-table", DataTable)
        await wait_for(pilot, lambda: table.row_count == 1 and table.get_row_at(0)[5] == "ready", timeout=30)
        assert "so far" in text_of(models, "#endpoints-state")
        models.query_one("#models-table").focus()
        await pilot.press("c")
        await wait_for(pilot, lambda: app.current_mode == "compare")
        compare = app.screen
        assert isinstance(compare, CompareScreen)
        endpoint = models.deployments[deployment.id].chat_model
        assert compare.models == {"left": base, "right": endpoint}
        compare.query_one("#compare-user").text = "What is the capital of France?"
        await pilot.pause()

        def answered() -> bool:
            return (compare.round is not None and compare.round.left.finished
                    and compare.round.right.finished and not compare.streaming)

        cuts = CountedDice(CUTS, hits=2)  # both streams cut after a few chunks
        ctx.dice = cuts
        await pilot.press("ctrl+r")
        await wait_for(pilot, answered, timeout=30)
        assert cuts.fired == 2
        for side in ("left", "right"):
            result = getattr(compare.round, side)
            assert result.status == "error" and "broke off" in result.error and result.text, (side, result)
            assert "⚠" in str(compare.pane_for(side).body_text())
        limited = CountedDice(RATE_LIMITS, hits=1)  # sent again: one 429, retried by the SDK unseen
        ctx.dice = limited
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: compare.round is not None and compare.round.left.status != "error"
                       and answered(), timeout=30)
        assert limited.fired == 1
        for side in ("left", "right"):
            result = getattr(compare.round, side)
            assert result.status == "done" and result.text, (side, result)
        ctx.dice = FaultDice(Faults())

        # 6. Stop the endpoint: s, y ------------------------------------------------------------------
        app.action_goto("models")
        await pilot.pause()
        assert app.screen is models
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: "Stopped" in text_of(models, "#models-message"))
        await wait_for(pilot, lambda: table.row_count == 0)

        # 7. Delete the tuned model: d, its exact name, Enter --------------------------------------------
        models.query_one("#models-table").focus()
        await wait_for(pilot, lambda: models.current_item is not None and models.current_item.id == tuned)
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, TypedConfirmScreen))
        app.screen.query_one(Input).value = tuned
        await pilot.press("enter")
        await wait_for(pilot, lambda: tuned not in models.models, timeout=20)
        crashed = app._exception
    assert crashed is None
    assert await provider.list_deployments() == []
    assert tuned not in [m.id for m in await provider.list_models()]
